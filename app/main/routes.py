from flask import jsonify, render_template

from app.core.health import run_checks
from app.main import bp

# (endpoint, label) of the top navigation; domains append theirs as they land.
NAV_ITEMS: list[tuple[str, str]] = [
    ("main.index", "Explore"),
    ("search.flights", "Flights"),
    ("search.hotels", "Hotels"),
    ("search.cars", "Cars"),
]


@bp.app_context_processor
def navigation():
    return {"nav_items": lambda: NAV_ITEMS}


@bp.get("/")
def index():
    return render_template("main/index.html")


@bp.get("/healthz")
def healthz():
    """Liveness: the process answers. Touches no dependency."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Readiness of every dependency; 503 only when a critical one is down."""
    report = run_checks()
    return jsonify(report), (503 if report["status"] == "down" else 200)
