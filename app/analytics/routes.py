"""The beacon: the browser's page views, section views and clicks, put on the
activity path. No database write; anonymous visitors get a random visitor id
cookie; a browser that sends Do Not Track (or Global Privacy Control) is not
tracked at all, and the privacy note says so."""

from __future__ import annotations

import re
import secrets

from flask import jsonify, make_response, render_template, request
from flask_login import current_user

from app.analytics import bp
from app.extensions import activity, csrf

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
