"""The partner JSON API, /api/v1: bearer API keys, never cookies, so no CSRF.

Endpoints use `@partner_required` (app.core.access), which sets
`g.partner_provider`; objects are loaded through `owned_or_404` so a partner
reaches only its own listings and bookings. Errors are problem+json.

The OpenAPI document (/api/v1/openapi.json, readable at /api/v1/docs) is
assembled by app/api/openapi.py from each domain's app/<domain>/openapi.yaml;
see docs/api.md.
"""

from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")
csrf.exempt(bp)

from app.api import openapi, routes  # noqa: E402,F401

# Assemble the OpenAPI document when the app is built, so a broken or clashing
# fragment stops the start-up instead of being served.
bp.record_once(lambda state: openapi.build(state.app))
