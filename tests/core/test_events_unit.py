"""Pure logic of the event envelope and registry (no servers)."""

import uuid

import pytest

from app.core.documents import DocumentStore
from app.core.events import EVENT_TYPES, EventBus, make_envelope


def test_envelope_carries_the_contract_fields():
    envelope = make_envelope("booking.created", 42, {"total": "10.00"}, actor="7")
    assert set(envelope) == {"id", "type", "version", "occurred_at", "actor", "key", "data"}
    assert uuid.UUID(envelope["id"])
    assert envelope["key"] == "42"
    assert envelope["version"] == 1


def test_unknown_event_type_is_refused():
    with pytest.raises(ValueError, match="unknown event type"):
        make_envelope("booking.creatd", 1, {})


@pytest.mark.parametrize(
    "name",
    [
        "user.created",
        "user.updated",
        "user.deleted",
        "listing.created",
        "listing.updated",
        "listing.deleted",
        "booking.created",
        "booking.confirmed",
        "booking.cancelled",
        "booking.abandoned",
        "car.booked",
        "car.available",
        "search.performed",
        "listing.viewed",
    ],
)
def test_design_event_names_are_in_the_catalogue(name):
    assert name in EVENT_TYPES


def test_subscribing_is_one_line_and_routes_by_type():
    bus = EventBus()

    @bus.subscribe("booking.created", "booking.cancelled")
    def on_booking(envelope):
        return envelope

    @bus.subscribe("*", name="everything")
    def on_all(envelope):
        return envelope

    names = lambda t: sorted(h.name for h in bus.handlers_for(t))  # noqa: E731
    assert names("booking.created") == sorted(
        [
            on_booking.__module__
            + ".test_subscribing_is_one_line_and_routes_by_type.<locals>.on_booking",
            "everything",
        ]
    )
    assert names("user.created") == ["everything"]


def test_subscribe_refuses_unknown_types():
    with pytest.raises(ValueError):
        EventBus().subscribe("bookings.created")


def test_safe_keys_rewrites_what_mongodb_refuses():
    assert DocumentStore.safe_keys({"a.b": 1, "$set": {"c.d": [{"$x": 2}]}}) == {
        "a_b": 1,
        "set": {"c_d": [{"x": 2}]},
    }
