"""The beacon: the browser's page views, section views and clicks, put on the
activity path. No database write; anonymous visitors get a random visitor id
cookie; a browser that sends Do Not Track (or Global Privacy Control) is not
tracked at all, and the privacy note says so."""

from __future__ import annotations

import re
import secrets

from flask import abort, jsonify, make_response, render_template, request
from flask_login import current_user

from app.analytics import bp, reports
from app.core.access import admin_required, partner_account_required
from app.extensions import activity, csrf
from app.listings import queries as listing_queries

VISITOR_COOKIE = "kv"
MAX_EVENTS = 40
NAME = re.compile(r"^[a-z0-9][a-z0-9_.:/-]{0,63}$")


def tracking_refused() -> bool:
    return request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"


def clean_events(payload) -> tuple[list[dict], str | None]:
    """The beacon's events, or an error message naming what is wrong."""
    if not isinstance(payload, dict):
        return [], "Send a JSON object with a page and a list of events."
    page = payload.get("page")
    if not isinstance(page, str) or not NAME.match(page):
        return [], "page must be a short lowercase name such as listings.detail."
    items = payload.get("events", [])
    if not isinstance(items, list) or len(items) > MAX_EVENTS:
        return [], f"events must be a list of at most {MAX_EVENTS} items."
    cleaned = [{"type": "page.viewed", "page": page}] if payload.get("view") else []
    for item in items:
        section = item.get("section") if isinstance(item, dict) else None
        action = item.get("action", "view") if isinstance(item, dict) else None
        if not isinstance(section, str) or not NAME.match(section):
            return [], "each event needs a section: a short lowercase name."
        if action not in ("view", "click"):
            return [], 'action must be "view" or "click".'
        cleaned.append(
            {"type": "section.viewed", "page": page, "section": section, "action": action}
        )
    return cleaned, None


@bp.post("/beacon")
@csrf.exempt  # navigator.sendBeacon cannot send headers; the beacon changes nothing stored
def beacon():
    """Views and clicks from the page's script; 204 always when well formed."""
    if tracking_refused():
        return "", 204
    cleaned, error = clean_events(request.get_json(silent=True, force=True))
    if error:
        return jsonify(title="Bad beacon", detail=error), 400
    visitor = request.cookies.get(VISITOR_COOKIE)
    new_visitor = not (visitor and re.fullmatch(r"[0-9a-f]{32}", visitor))
    if new_visitor:
        visitor = secrets.token_hex(16)
    actor = current_user.get_id() if current_user.is_authenticated else None
    for event in cleaned:
        kind = event.pop("type")
        activity.track(kind, key=event["page"], data={**event, "visitor": visitor}, actor=actor)
    response = make_response("", 204)
    if new_visitor:
        response.set_cookie(
            VISITOR_COOKIE,
            visitor,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


@bp.get("/privacy")
def privacy():
    """What the site records about visits, and how to turn it off."""
    return render_template("analytics/privacy.html")


# -- reports ----------------------------------------------------------------------
REPORTS = {
    "pages": (["page", "views"], lambda p, _: reports.traffic(p)["pages"]),
    "sections": (
        ["page", "section", "views", "clicks"],
        lambda p, _: reports.traffic(p)["sections"],
    ),
    "searches": (
        ["kind", "place", "searches"],
        lambda p, _: [(kind, place, n) for (kind, place), n in reports.searches(p)["top_places"]],
    ),
    "listings": (
        ["kind", "listing id", "provider id", "views"],
        lambda p, provider: reports.listing_views(p, provider),
    ),
}


def period_or_400():
    try:
        return reports.parse_period(request.args)
    except reports.BadPeriod as exc:
        abort(400, description=str(exc))


def chart(kind: str, labels, datasets) -> dict:
    return {"type": kind, "labels": list(labels), "datasets": datasets}


@bp.get("/admin/analytics")
@admin_required("analytics.view")
def admin_reports():
    """Traffic, searches and listing views for a period, as charts with tables."""
    period = period_or_400()
    traffic = reports.traffic(period)
    searched = reports.searches(period)
    top_listings = reports.listing_views(period)[:10]
    charts = {
        "pages": chart(
            "bar",
            [p for p, _ in traffic["pages"][:12]],
            [{"label": "Page views", "data": [n for _, n in traffic["pages"][:12]]}],
        ),
        "searches": chart(
            "line",
            searched["labels"],
            [
                {"label": f"{kind} searches", "data": data}
                for kind, data in sorted(searched["series"].items())
            ],
        ),
        "listings": chart(
            "bar",
            [f"{k} {i}" for k, i, _, _ in top_listings],
            [{"label": "Views", "data": [n for *_, n in top_listings]}],
        ),
    }
    return render_template(
        "analytics/admin.html",
        period=period,
        traffic=traffic,
        searched=searched,
        top_listings=top_listings,
        charts=charts,
    )


@bp.get("/admin/analytics/<any(pages, sections, searches, listings):report>.csv")
@admin_required("analytics.view")
def admin_export(report: str):
    period = period_or_400()
    header, rows = REPORTS[report]
    return csv_response(f"{report}-{period.label}", header, rows(period, None))


@bp.get("/partner/analytics")
@partner_account_required
def partner_reports():
    """A partner's own listings: views per listing and the least seen."""
    return provider_page(current_user.provider)


@bp.get("/admin/analytics/providers/<int:provider_id>")
@admin_required("analytics.view")
def provider_reports(provider_id: int):
    """An administrator reads any provider's partner reports."""
    provider = listing_queries.get_provider(provider_id)
    return provider_page(provider)


def provider_page(provider):
    period = period_or_400()
    views = {(k, i): n for k, i, _, n in reports.listing_views(period, provider.id)}
    listings = listing_queries.listings_of_provider(provider.id)
    rows = sorted(
        ((views.get((x.kind, x.id), 0), x) for x in listings), key=lambda r: (-r[0], r[1].id)
    )
    shown = rows[:15]
    charts = {
        "listings": chart(
            "bar",
            [x.title[:40] for _, x in shown],
            [{"label": "Views", "data": [n for n, _ in shown]}],
        ),
    }
    least = sorted(rows, key=lambda r: (r[0], r[1].id))[:10]
    return render_template(
        "analytics/provider.html",
        period=period,
        provider=provider,
        rows=rows,
        least=least,
        charts=charts,
    )


def csv_response(name: str, header: list[str], rows):
    response = make_response(reports.to_csv(header, rows))
    response.mimetype = "text/csv"
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe}.csv"'
    return response
