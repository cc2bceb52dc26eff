"""Partner JSON API for listings, under /api/v1 (bearer API keys).

A partner sees and changes only its own provider's listings: another
provider's listing answers 404, exactly like a missing one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import g, jsonify, request, url_for

from app.api import bp
from app.core.access import owned_or_404, partner_required
from app.core.errors import problem
from app.core.validation import airports
from app.extensions import db
from app.listings import queries, services
from app.listings.models import MODELS
from app.listings.services import OWNER_KIND
from app.listings.validation import Invalid

KINDS = "<any(flight, hotel, car):kind>"
PAGE_SIZE = 50
MAX_PAGE = 10_000  # app/listings/openapi.yaml says so; beyond it MySQL's OFFSET overflows


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def as_json(listing) -> dict[str, Any]:
    """The public shape of a listing: prices as strings, times as ISO 8601."""
    data: dict[str, Any] = {
        "id": listing.id,
        "kind": listing.kind,
        "provider_id": listing.provider_id,
        "title": listing.title,
        "rating": str(listing.rating),
        "review_count": listing.review_count,
        "deleted": listing.deleted_at is not None,
        "url": url_for("listings.detail", kinds=f"{listing.kind}s", listing_id=listing.id,
                       _external=True),
    }  # fmt: skip
    if listing.kind == "flight":
        known = airports()
        data.update(
            flight_number=listing.flight_number,
            origin=listing.origin,
            destination=listing.destination,
            departs_at=listing.departs_at.isoformat() + "Z",
            arrives_at=listing.arrives_at.isoformat() + "Z",
            departs_local=listing.local_departure(known).isoformat(),
            arrives_local=listing.local_arrival(known).isoformat(),
            duration_minutes=listing.duration_minutes,
            aircraft=listing.aircraft,
            carry_on_bags=listing.carry_on_bags,
            checked_bags=listing.checked_bags,
            checked_bag_fee=money(listing.checked_bag_fee),
            refund_rule=listing.refund_rule,
            change_fee=money(listing.change_fee),
            cabins={
                c.cabin: {"fare": money(c.fare), "seats_total": c.seats_total,
                          "seats_available": c.seats_available}
                for c in listing.cabins
            },
        )  # fmt: skip
    elif listing.kind == "hotel":
        data.update(
            name=listing.name,
            description=listing.description,
            address=listing.address,
            city=listing.city,
            state=listing.state,
            zip_code=listing.zip_code,
            latitude=None if listing.latitude is None else str(listing.latitude),
            longitude=None if listing.longitude is None else str(listing.longitude),
            stars=listing.stars,
            amenities=listing.amenities,
            check_in_time=listing.check_in_time.strftime("%H:%M"),
            check_out_time=listing.check_out_time.strftime("%H:%M"),
            cancellation_policy=listing.cancellation_policy,
            pets_allowed=listing.pets_allowed,
            breakfast=listing.breakfast,
            rooms=[
                {"name": r.name, "beds": r.beds, "capacity": r.capacity,
                 "room_count": r.room_count, "price_per_night": money(r.price_per_night)}
                for r in listing.rooms
            ],
        )  # fmt: skip
    else:
        data.update(
            {
                name: (money(value) if isinstance(value, Decimal) else value)
                for name in services.SCALAR_FIELDS["car"]
                for value in [getattr(listing, name)]
            }
        )
    return data


def json_body() -> dict[str, Any] | None:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else None


def bad_body():
    return problem(400, "Bad Request", "Send a JSON object with Content-Type: application/json.")


def invalid(exc: Invalid):
    return problem(422, "Unprocessable Content", "Some fields need fixing.", errors=exc.errors)


def own_kind_or_403(kind: str):
    if g.partner_provider.kind != OWNER_KIND[kind]:
        return problem(403, "Forbidden", f"Your provider cannot list a {kind}.")
    return None


@bp.get("/listings")
@partner_required
def list_listings():
    """The partner's own listings, newest first; ?kind=flight|hotel|car&page=N."""
    default = {v: k for k, v in OWNER_KIND.items()}[g.partner_provider.kind]
    kind = request.args.get("kind", default)
    if kind not in MODELS:
        return problem(400, "Bad Request", "kind must be flight, hotel or car.")
    page = request.args.get("page", "1")
    if not (page.isdecimal() and len(page) <= 5 and 1 <= int(page) <= MAX_PAGE):
        return problem(400, "Bad Request", f"page must be a whole number from 1 to {MAX_PAGE}.")
    page = int(page)
    model = MODELS[kind]
    query = (
        sa.select(model)
        .where(model.provider_id == g.partner_provider.id, model.deleted_at.is_(None))
        .order_by(model.id.desc())
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return jsonify(kind=kind, page=page, total=total, items=[as_json(r) for r in rows])


@bp.post(f"/listings/{KINDS}")
@partner_required
def create_listing(kind: str):
    refused = own_kind_or_403(kind)
    if refused:
        return refused
    body = json_body()
    if body is None:
        return bad_body()
    try:
        listing = services.create_listing(kind, body, actor=f"api-key:{g.api_key.prefix}",
                                          provider=g.partner_provider)  # fmt: skip
    except Invalid as exc:
        db.session.rollback()
        return invalid(exc)
    db.session.commit()
    response = jsonify(as_json(listing))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_listing", kind=kind, listing_id=listing.id)
    return response


@bp.get(f"/listings/{KINDS}/<int:listing_id>")
@partner_required
def get_listing(kind: str, listing_id: int):
    listing = owned_or_404(db.session.get(MODELS[kind], listing_id))
    return jsonify(as_json(listing))


@bp.patch(f"/listings/{KINDS}/<int:listing_id>")
@partner_required
def update_listing(kind: str, listing_id: int):
    listing = owned_or_404(queries.get_listing(kind, listing_id, include_deleted=False))
    body = json_body()
    if body is None:
        return bad_body()
    try:
        listing, changed = services.update_listing(
            listing, body, actor=f"api-key:{g.api_key.prefix}"
        )
    except Invalid as exc:
        db.session.rollback()
        return invalid(exc)
    db.session.commit()
    return jsonify({**as_json(listing), "changed": changed})


@bp.delete(f"/listings/{KINDS}/<int:listing_id>")
@partner_required
def delete_listing(kind: str, listing_id: int):
    listing = owned_or_404(queries.get_listing(kind, listing_id))
    services.delete_listing(listing, actor=f"api-key:{g.api_key.prefix}")
    db.session.commit()
    return "", 204


@bp.post(f"/listings/{KINDS}/<int:listing_id>/photos")
@partner_required
def add_photo(kind: str, listing_id: int):
    """multipart/form-data with `photo` (the image) and an optional `caption`."""
    from app.listings import media

    listing = owned_or_404(queries.get_listing(kind, listing_id))
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        return problem(400, "Bad Request", "Send the image as multipart/form-data field 'photo'.")
    try:
        caption = request.form.get("caption", "")
        actor = f"api-key:{g.api_key.prefix}"
        photo = media.add_photo(listing, upload.read(), upload.filename, caption, actor)
    except Invalid as exc:
        return invalid(exc)
    response = jsonify(
        id=photo["_id"], width=photo["width"], height=photo["height"], caption=photo["caption"],
        url=url_for("listings.photo", file_id=photo["file_id"], _external=True),
    )  # fmt: skip
    response.status_code = 201
    return response


@bp.delete(f"/listings/{KINDS}/<int:listing_id>/photos/<photo_id>")
@partner_required
def remove_photo(kind: str, listing_id: int, photo_id: str):
    from app.listings import media

    listing = owned_or_404(queries.get_listing(kind, listing_id))
    if not media.remove_photo(listing, photo_id):
        return problem(404, "Not Found", "No such photo on this listing.")
    return "", 204
