"""The partner JSON API, /api/v1: bearer API keys, never cookies, so no CSRF.

Endpoints use `@partner_required` (app.core.access), which sets
`g.partner_provider`; objects are loaded through `owned_or_404` so a partner
reaches only its own listings and bookings. Errors are problem+json.
"""

from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

from app.api import routes  # noqa: E402,F401
