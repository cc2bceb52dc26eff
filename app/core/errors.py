"""Error responses: site pages for people, problem+json for /api/."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db

log = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def problem(status: int, title: str, detail: str | None = None, **extra):
    """An RFC 9457 problem document; `extra` carries fields such as `errors`."""
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        detail = "The form expired or was sent from another site. Reload the page and try again."
        if wants_json():
            return problem(400, "CSRF check failed", detail)
        return render_template(
            "errors/error.html", code=400, title="Form expired", detail=detail
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if wants_json():
            return problem(error.code or 500, error.name, error.description)
        template = f"errors/{error.code}.html" if error.code in (403, 404) else "errors/error.html"
        return render_template(
            template, code=error.code, title=error.name, detail=error.description
        ), error.code

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, request.path)
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        if wants_json():
            return problem(
                500,
                "Internal Server Error",
                "Something went wrong on our side; it has been logged.",
            )
        return render_template("errors/500.html", code=500, title=InternalServerError.name), 500
