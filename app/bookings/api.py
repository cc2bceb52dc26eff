"""Partner JSON for the bookings of a provider's own listings, /api/v1/bookings.

Bearer API keys (no cookies, no CSRF). A booking of another provider answers
404. Writes take an `Idempotency-Key` header: cancelling is idempotent by
state (a second cancel answers the cancelled booking, refunds once). A
provider cancels with a full refund, before the trip starts. Described in
app/bookings/openapi.yaml.
"""

from __future__ import annotations

import re

from flask import g, jsonify, request

from app.api import bp
from app.bookings import queries, services
from app.bookings.routes import booking_json
from app.core.access import partner_required
from app.core.errors import problem

PER_PAGE = 50
_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_REFERENCE = re.compile(r"^KY-[A-Z0-9]{6}$")


def partner_json(booking) -> dict:
    return booking_json(booking) | {
        "travelers": [
            {"first_name": t.first_name, "last_name": t.last_name} for t in booking.travelers
        ],
        "confirmed_at": booking.confirmed_at.isoformat() + "Z" if booking.confirmed_at else None,
        "cancelled_at": booking.cancelled_at.isoformat() + "Z" if booking.cancelled_at else None,
    }


def _booking(reference: str):
    if not _REFERENCE.match(reference or ""):
        from flask import abort

        abort(404)
    return queries.provider_booking_or_404(reference, g.partner_provider.id)


@bp.get("/bookings")
@partner_required
def list_bookings():
    """The provider's bookings, newest first, optionally of one status."""
    status = request.args.get("status")  # present but empty is refused too
    errors = {}
    if status is not None and status not in ("held", "confirmed", "cancelled", "abandoned"):
        errors["status"] = "Use held, confirmed, cancelled or abandoned."
    raw_page = request.args.get("page", "1")
    page = int(raw_page) if raw_page.isdigit() and 0 < int(raw_page) <= 10_000 else None
    if page is None:
        errors["page"] = "A page is a whole number from 1 to 10000."
    if errors:
        return problem(422, "Invalid parameters", "Check the fields in errors.", errors=errors)
    rows, total = queries.bookings_of_provider(
        g.partner_provider.id, status, PER_PAGE, (page - 1) * PER_PAGE
    )
    return jsonify(
        {
            "items": [partner_json(b) for b in rows],
            "page": page,
            "per_page": PER_PAGE,
            "total": total,
        }
    )


@bp.get("/bookings/<reference>")
@partner_required
def get_booking(reference: str):
    return jsonify(partner_json(_booking(reference)))


@bp.post("/bookings/<reference>/cancel")
@partner_required
def cancel_booking(reference: str):
    booking = _booking(reference)
    key = request.headers.get("Idempotency-Key", "")
    if not _KEY.match(key):
        return problem(
            422,
            "Idempotency-Key required",
            "Send an Idempotency-Key header of 8 to 64 letters, digits or ._:- characters.",
            errors={"Idempotency-Key": "missing or malformed"},
        )
    try:
        booking = services.cancel(
            booking,
            f"provider:{g.partner_provider.id}",
            "Cancelled by the provider.",
            by_provider=True,
        )
    except services.NotCancellable as exc:
        return problem(409, "Not cancellable", exc.message)
    return jsonify(partner_json(booking))
