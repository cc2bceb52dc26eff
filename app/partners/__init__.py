"""Partners: the portal where a provider's staff manage API keys for /api/v1."""

from flask import Blueprint

bp = Blueprint("partners", __name__, url_prefix="/partner", template_folder="templates")

from app.partners import routes  # noqa: E402,F401
