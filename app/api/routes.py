from flask import current_app, g, jsonify, render_template, request
from flask_login import current_user

from app.api import bp, openapi
from app.core.access import partner_required

# Public, the same for every caller: cacheable, no Vary on the key.
PUBLIC = {"api.openapi_document", "api.docs"}


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


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 document of /api/v1 (public; 304 for a matching If-None-Match)."""
    _, body, etag = openapi.build(current_app)
    response = current_app.response_class(body, mimetype="application/json")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response.make_conditional(request)


@bp.get("/docs")
def docs():
    """The document as a page: every operation, rendered on the server from the document."""
    document, _, _ = openapi.build(current_app)
    # Nothing to post here: a visitor who is not signed in gets no session cookie.
    g.public_page = not current_user.is_authenticated
    response = current_app.make_response(
        render_template(
            "api/docs.html",
            document=document,
            operations=openapi.operations(document),
            resolve=lambda node: openapi.resolve(document, node),
            markup=openapi.markup,
        )
    )
    # The header shows who is signed in, so only the browser may keep it.
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.after_request
def no_cookies(response):
    # API responses are per key: never cached by a proxy, never setting a session.
    if request.endpoint in PUBLIC:
        return response
    response.headers.setdefault("Cache-Control", "no-store")
    response.vary.add("Authorization")
    return response
