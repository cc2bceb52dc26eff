"""Event handlers of the bookings domain: derived state and caches only.

The inventory truth (seats, room nights, car reservations) is changed by the
services in the booking's own transaction; these handlers only retire the
cached searches and listing pages that showed the old availability. The
services already bump the version right after their commit; the handler
does it again from the event, so a process that died between the commit and
its bump still leaves no stale cache behind. Idempotent: a bump twice is
just a newer version.
"""

from app.extensions import events
from app.listings.queries import bump_listing, bump_version

_KIND_OF_CAR_EVENT = "car"


@events.subscribe(
    "booking.created",
    "booking.cancelled",
    "booking.abandoned",
    name="bookings.retire_availability_cache",
)
def retire_availability_cache(envelope):
    data = envelope.get("data") or {}
    kind = data.get("kind")
    if kind in ("flight", "hotel", "car"):
        bump_version(kind)
        if data.get("listing_id"):
            bump_listing(kind, int(data["listing_id"]))


@events.subscribe("car.booked", "car.available", name="bookings.retire_car_cache")
def retire_car_cache(envelope):
    bump_version(_KIND_OF_CAR_EVENT)
    bump_listing(_KIND_OF_CAR_EVENT, int(envelope["key"]))
