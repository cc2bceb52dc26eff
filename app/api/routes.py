from flask import g, jsonify

from app.api import bp
from app.core.access import partner_required


@bp.get("/me")
@partner_required
def me():
    """The provider the calling key acts for, and the key itself (by prefix)."""
    provider = g.partner_provider
    key = g.api_key
    return jsonify(
        provider={
            "id": provider.id,
            "kind": provider.kind,
            "name": provider.name,
            "code": provider.code,
        },
        key={"prefix": key.prefix, "name": key.name, "created_at": key.created_at.isoformat()},
    )


@bp.after_request
def no_cookies(response):
    # API responses are per key: never cached by a proxy, never setting a session.
    response.headers.setdefault("Cache-Control", "no-store")
    response.vary.add("Authorization")
    return response
