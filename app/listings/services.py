"""Writes to the catalogue. Each publishes its event in the same transaction
and records every new price in the price history. Callers commit.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from app.core import audit
from app.core import validation as common
from app.core.models import utcnow
from app.core.validation import airports
from app.extensions import db, events
from app.listings import queries
from app.listings.models import (
    MODELS,
    PROVIDER_KINDS,
    FlightCabin,
    PriceChange,
    Provider,
    RoomType,
)
from app.listings.validation import CLEANERS, Invalid

# Which provider kind may own which listing kind.
OWNER_KIND = {"flight": "airline", "hotel": "hotel", "car": "car_rental"}
SCALAR_FIELDS = {
    "flight": (
        "flight_number", "origin", "destination", "departs_at", "arrives_at",
        "duration_minutes", "aircraft", "carry_on_bags", "checked_bags", "checked_bag_fee",
        "refund_rule", "change_fee",
    ),
    "hotel": (
        "name", "description", "address", "city", "state", "zip_code", "latitude", "longitude",
        "stars", "amenities", "check_in_time", "check_out_time", "cancellation_policy",
        "pets_allowed", "breakfast",
    ),
    "car": (
        "car_type", "brand", "model", "year", "transmission", "seats", "doors", "daily_price",
        "pickup_airport", "pickup_name", "pickup_address", "pickup_city", "pickup_state",
        "pickup_zip", "mileage_policy", "available",
    ),
}  # fmt: skip


def _actor_id(actor: Any) -> str | None:
    """Events carry the acting user's id, or a label such as "api-key:kyk_ab12"."""
    if actor is None:
        return None
    return str(actor.id) if hasattr(actor, "id") else str(actor)


def _audit(actor: Any, action: str, listing, before=None, after=None) -> None:
    """Admin changes go to the audit log (partners' changes are events only)."""
    if getattr(actor, "admin_role", None):
        audit.record(actor, action, listing.kind, listing.id, before, after)


def get_provider(provider_id: Any, kind: str) -> Provider:
    """The active provider that may own a listing of `kind`; raises Invalid."""
    try:
        provider = db.session.get(Provider, int(provider_id))
    except (TypeError, ValueError):
        provider = None
    if provider is None or provider.deleted_at is not None:
        raise Invalid({"provider_id": "Choose the provider this listing belongs to."})
    if provider.kind != OWNER_KIND[kind]:
        wanted = PROVIDER_KINDS[OWNER_KIND[kind]].lower()
        raise Invalid({"provider_id": f"A {kind} must belong to a provider that is a {wanted}."})
    return provider


def restore_listing(listing, actor: Any) -> None:
    """Undo a soft delete (admins only)."""
    if listing.deleted_at is None:
        return
    listing.deleted_at = None
    events.publish(
        "listing.updated",
        key=f"{listing.kind}:{listing.id}",
        data={"kind": listing.kind, "id": listing.id, "provider_id": listing.provider_id,
              "changed": ["deleted"], "price": {"old": None, "new": None}},
        actor=_actor_id(actor),
    )  # fmt: skip
    _audit(actor, f"{listing.kind}.restore", listing, {"deleted": True}, {"deleted": False})
    queries.bump_version(listing.kind)


def create_provider(kind: str, name: str, code: str | None = None) -> Provider:
    errors = {}
    if kind not in PROVIDER_KINDS:
        errors["kind"] = f"Choose the provider kind: one of {', '.join(PROVIDER_KINDS)}."
    try:
        name = common.clean_text(name)
    except ValueError as exc:
        errors["name"] = str(exc)
    if not errors and not name:
        errors["name"] = "Enter the provider's name."
    if not errors and db.session.scalar(
        sa.select(Provider.id).where(Provider.kind == kind, Provider.name == name)
    ):
        errors["name"] = f"There is already a {kind.replace('_', ' ')} named {name}."
    if errors:
        raise Invalid(errors)
    provider = Provider(kind=kind, name=name[:120], code=(code or None))
    db.session.add(provider)
    db.session.flush()
    return provider


def create_listing(kind: str, data: dict[str, Any], actor: Any, provider: Provider | None = None):
    """Validate and add a flight, hotel or car. `provider` is forced for partners.

    Raises Invalid with a message per bad field.
    """
    errors = {}
    try:
        provider = provider or get_provider(data.get("provider_id"), kind)
        if provider.kind != OWNER_KIND[kind]:
            raise Invalid({"provider_id": f"Your provider cannot list a {kind}."})
    except Invalid as exc:
        errors.update(exc.errors)
    try:
        clean = CLEANERS[kind](data)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid(errors)
    listing = MODELS[kind](provider_id=provider.id)
    for name in SCALAR_FIELDS[kind]:
        setattr(listing, name, clean[name])
    _apply_children(listing, kind, clean)
    db.session.add(listing)
    db.session.flush()
    _record_prices(listing, kind)
    events.publish(
        "listing.created",
        key=f"{kind}:{listing.id}",
        data={"kind": kind, "id": listing.id, "provider_id": provider.id, "title": listing.title,
              "price": _str(queries.headline_price(listing))},
        actor=_actor_id(actor),
    )  # fmt: skip
    _audit(actor, f"{kind}.create", listing, after=as_input(listing))
    queries.bump_version(kind)
    return listing


def update_listing(listing, data: dict[str, Any], actor: Any):
    """Apply changed fields (a partial update is fine: the rest keeps its value).

    Publishes listing.updated with the changed fields and old and new price.
    Raises Invalid with a message per bad field.
    """
    kind = listing.kind
    merged = {**as_input(listing), **{k: v for k, v in data.items() if k != "provider_id"}}
    clean = CLEANERS[kind](merged)
    old_price = queries.headline_price(listing)
    before_input = as_input(listing)
    before = {name: getattr(listing, name) for name in SCALAR_FIELDS[kind]}
    before_children = _children_snapshot(listing, kind)
    for name in SCALAR_FIELDS[kind]:
        setattr(listing, name, clean[name])
    _apply_children(listing, kind, clean)
    db.session.flush()
    changed = [n for n in SCALAR_FIELDS[kind] if getattr(listing, n) != before[n]]
    if _children_snapshot(listing, kind) != before_children:
        changed.append("cabins" if kind == "flight" else "rooms")
    if not changed:
        return listing, []
    listing.updated_at = utcnow()
    _record_prices(listing, kind, only_changed=True)
    new_price = queries.headline_price(listing)
    events.publish(
        "listing.updated",
        key=f"{kind}:{listing.id}",
        data={"kind": kind, "id": listing.id, "provider_id": listing.provider_id,
              "changed": changed, "price": {"old": _str(old_price), "new": _str(new_price)}},
        actor=_actor_id(actor),
    )  # fmt: skip
    after_input = as_input(listing)
    _audit(
        actor, f"{kind}.update", listing,
        {k: v for k, v in before_input.items() if after_input.get(k) != v},
        {k: v for k, v in after_input.items() if before_input.get(k) != v},
    )  # fmt: skip
    queries.bump_version(kind)
    return listing, changed


def delete_listing(listing, actor: Any) -> None:
    """Soft delete: bookings and history keep pointing at the row."""
    if listing.deleted_at is not None:
        return
    listing.deleted_at = utcnow()
    events.publish(
        "listing.deleted",
        key=f"{listing.kind}:{listing.id}",
        data={"kind": listing.kind, "id": listing.id, "provider_id": listing.provider_id},
        actor=_actor_id(actor),
    )
    _audit(actor, f"{listing.kind}.delete", listing, {"deleted": False}, {"deleted": True})
    queries.bump_version(listing.kind)


def _apply_children(listing, kind: str, clean: dict[str, Any]) -> None:
    if kind == "flight":
        existing = {c.cabin: c for c in listing.cabins}
        wanted = {row["cabin"] for row in clean["cabins"]}
        for row in clean["cabins"]:
            cabin = existing.get(row["cabin"])
            if cabin is None:
                listing.cabins.append(FlightCabin(**row))
            else:
                for key, value in row.items():
                    setattr(cabin, key, value)
        listing.cabins[:] = [c for c in listing.cabins if c.cabin in wanted]
    elif kind == "hotel":
        existing = {r.name.lower(): r for r in listing.rooms}
        wanted = {row["name"].lower() for row in clean["rooms"]}
        for row in clean["rooms"]:
            room = existing.get(row["name"].lower())
            if room is None:
                listing.rooms.append(RoomType(**row))
            else:
                for key, value in row.items():
                    setattr(room, key, value)
        listing.rooms[:] = [r for r in listing.rooms if r.name.lower() in wanted]


def _children_snapshot(listing, kind: str):
    if kind == "flight":
        return sorted((c.cabin, c.fare, c.seats_total, c.seats_available) for c in listing.cabins)
    if kind == "hotel":
        return sorted(
            (r.name, r.beds, r.capacity, r.room_count, r.price_per_night) for r in listing.rooms
        )
    return None


def priced_items(listing) -> list[tuple[str, int, Decimal]]:
    if listing.kind == "flight":
        return [("cabin", c.id, c.fare) for c in listing.cabins]
    if listing.kind == "hotel":
        return [("room", r.id, r.price_per_night) for r in listing.rooms]
    return [("car", listing.id, listing.daily_price)]


def _record_prices(listing, kind: str, only_changed: bool = False) -> None:
    items = priced_items(listing)
    latest = queries.latest_prices(kind, listing.id) if only_changed else {}
    now = utcnow()
    for item_kind, item_id, price in items:
        if latest.get((item_kind, item_id)) == price:
            continue
        db.session.add(
            PriceChange(listing_kind=kind, listing_id=listing.id, item_kind=item_kind,
                        item_id=item_id, price=price, recorded_at=now)
        )  # fmt: skip


def as_input(listing) -> dict[str, Any]:
    """The listing in the shape the cleaners accept (edit forms, partial updates)."""
    kind = listing.kind
    data: dict[str, Any] = {}
    for name in SCALAR_FIELDS[kind]:
        value = getattr(listing, name)
        if name in ("departs_at", "arrives_at", "duration_minutes"):
            continue
        if hasattr(value, "strftime") and name.endswith("_time"):
            value = value.strftime("%H:%M")
        data[name] = "" if value is None else value
    if kind == "flight":
        known = airports()
        data["departs_local"] = listing.local_departure(known).strftime("%Y-%m-%dT%H:%M")
        data["arrives_local"] = listing.local_arrival(known).strftime("%Y-%m-%dT%H:%M")
        data["cabins"] = {
            c.cabin: {"fare": c.fare, "seats_total": c.seats_total,
                      "seats_available": c.seats_available}
            for c in listing.cabins
        }  # fmt: skip
    elif kind == "hotel":
        data["rooms"] = [
            {"name": r.name, "beds": r.beds, "capacity": r.capacity, "room_count": r.room_count,
             "price_per_night": r.price_per_night}
            for r in listing.rooms
        ]  # fmt: skip
    return data


def _str(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"
