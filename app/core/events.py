"""Domain events: the catalogue of names, the envelope, the outbox and handlers.

A service publishes an event with `events.publish(...)` inside its own
database transaction; the event is an outbox row until that transaction
commits. The relay moves committed rows to Kafka (or, embedded, straight to
RQ); the consumer turns each event into one RQ job per subscribed handler;
`app.core.tasks.run_handler` runs a handler at most once per event.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# The names are a contract with every consumer: add, never rename.
EVENT_TYPES: dict[str, str] = {
    "user.created": "A traveler or admin account was created. key: user id.",
    "user.updated": "Account attributes changed; data.changed lists the fields. key: user id.",
    "user.deleted": "An account was deleted or anonymised. key: user id.",
    "listing.created": "A flight, hotel or car was added. key: listing id.",
    "listing.updated": "A listing changed; data carries changed fields and old/new price.",
    "listing.deleted": "A listing was soft-deleted. key: listing id.",
    "booking.created": "A booking was made and its inventory reserved. key: booking id.",
    "booking.confirmed": "A booking was paid and confirmed. key: booking id.",
    "booking.cancelled": "A booking was cancelled and its inventory released.",
    "booking.abandoned": "A booking was started but not completed in time.",
    "car.booked": "A car was reserved for a date range. key: car id.",
    "car.available": "A car's date range became free again. key: car id.",
    "search.performed": "A traveler ran a search. key: search kind.",
    "listing.viewed": "A listing page was viewed. key: listing id.",
    "page.viewed": "A page was viewed (analytics clicks per page). key: page name.",
    "section.viewed": "A page section was viewed or clicked. key: page/section.",
    "system.ping": "A probe event used by operators and tests to prove the pipeline.",
}

# Activity events travel the lossy, non-blocking path (app/core/activity.py);
# every other event is a business event and goes through the outbox.
ACTIVITY_TYPES = frozenset({"search.performed", "listing.viewed", "page.viewed", "section.viewed"})

WILDCARD = "*"


def make_envelope(
    type_: str, key: str, data: dict[str, Any], actor: str | None = None
) -> dict[str, Any]:
    """Build the versioned envelope every event travels in."""
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}; add it to EVENT_TYPES first")
    return {
        "id": str(uuid.uuid4()),
        "type": type_,
        "version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "actor": actor,
        "key": str(key),
        "data": data,
    }


@dataclass(frozen=True)
class Handler:
    name: str
    types: frozenset[str]
    func: Callable[[dict[str, Any]], Any]
    # Optional: the same work for a list of activity events at once (one write
    # per batch instead of one per event); business events always go one by one.
    batch_func: Callable[[list[dict[str, Any]]], Any] | None = None

    def wants(self, type_: str) -> bool:
        return WILDCARD in self.types or type_ in self.types


class EventBus:
    """The events extension: publishing into the outbox and the handler registry."""

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}
        self.app = None

    def init_app(self, app) -> None:
        self.app = app
        app.extensions["events"] = self

    # -- registry ---------------------------------------------------------
    def subscribe(self, *types: str, name: str | None = None, batch=None):
        """Decorator: run the function for each event of these types (or "*").

        `batch`, a function taking a list of envelopes, handles activity events
        a batch at a time (app/core/activity.py); it must be idempotent per event.
        """
        unknown = [t for t in types if t != WILDCARD and t not in EVENT_TYPES]
        if not types or unknown:
            raise ValueError(f"subscribe needs known event types, got {types!r}")

        def register(func):
            handler_name = name or f"{func.__module__}.{func.__qualname__}"
            self._handlers[handler_name] = Handler(handler_name, frozenset(types), func, batch)
            return func

        return register

    def handler(self, name: str) -> Handler:
        """Raises LookupError naming the handler when this process lacks it."""
        try:
            return self._handlers[name]
        except KeyError:
            raise LookupError(f"no event handler named {name!r} in this process") from None

    def handlers_for(self, type_: str) -> list[Handler]:
        return [h for h in self._handlers.values() if h.wants(type_)]

    @property
    def handlers(self) -> dict[str, Handler]:
        return dict(self._handlers)

    # -- publishing -------------------------------------------------------
    def publish(
        self, type_: str, key: Any, data: dict[str, Any] | None = None, actor: Any = None
    ) -> dict[str, Any]:
        """Add the event to the outbox in the caller's transaction (no commit here).

        Raises ValueError for an event type missing from EVENT_TYPES, and for an
        activity event (those go through `activity.track`, never the database).
        """
        from app.core.models import OutboxEvent
        from app.extensions import db

        if type_ in ACTIVITY_TYPES:
            raise ValueError(f"{type_!r} is an activity event: use activity.track, not the outbox")

        envelope = make_envelope(type_, key, data or {}, None if actor is None else str(actor))
        db.session.add(OutboxEvent.from_envelope(envelope))
        return envelope
