"""Admin portal: system status, dead letters (domains add their pages here)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")

from app.admin import routes  # noqa: E402,F401
