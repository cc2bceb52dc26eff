"""A small, hand-made catalogue for the search tests (through the listing services,
so events, price history and catalogue versions behave as in production)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.extensions import db
from app.listings import services
from tests.listings import factories as f

DAY = datetime.now(UTC).date() + timedelta(days=20)  # the day most tests fly on


def iso(day: date, offset: int = 0) -> str:
    return (day + timedelta(days=offset)).isoformat()


@pytest.fixture()
def airline(make_provider):
    """airline(code) -> a committed airline provider (one per code)."""
    made = {}

    def make(code: str = "TA", name: str | None = None):
        if code not in made:
            made[code] = make_provider(name or f"{code} Airways", kind="airline", code=code)
        return made[code]

    return make


@pytest.fixture()
def flight(app_ctx, airline):
    """flight(origin, destination, "HH:MM", "HH:MM", ...) in local times at each airport.

    `arrive_day` shifts the arrival day (overnight flights); `day` the departure day.
    """

    def make(
        origin,
        destination,
        depart,
        arrive,
        *,
        code="TA",
        number="100",
        day=DAY,
        arrive_day=0,
        fare="200.00",
        seats=50,
        cabin="economy",
        business=None,
    ):
        cabins = {cabin: {"fare": fare, "seats_total": "180", "seats_available": str(seats)}}
        if business:
            cabins["business"] = {"fare": business, "seats_total": "20"}
        listing = services.create_listing(
            "flight",
            f.flight_input(
                provider_id=airline(code).id,
                flight_number=f"{code} {number}",
                origin=origin,
                destination=destination,
                departs_local=f"{iso(day)}T{depart}",
                arrives_local=f"{iso(day, arrive_day)}T{arrive}",
                cabins=cabins,
            ),
            None,
        )
        db.session.commit()
        return listing

    return make


@pytest.fixture()
def hotel(app_ctx, make_provider):
    group = {}

    def make(name="Harbor View Hotel", rooms=None, **overrides):
        if "g" not in group:
            group["g"] = make_provider("Harbor Group", kind="hotel")
        data = f.hotel_input(provider_id=group["g"].id, name=name, **overrides)
        if rooms is not None:
            data["rooms"] = rooms
        listing = services.create_listing("hotel", data, None)
        db.session.commit()
        return listing

    return make


@pytest.fixture()
def car(app_ctx, make_provider):
    companies = {}

    def make(company="Test Cars", **overrides):
        if company not in companies:
            companies[company] = make_provider(company, kind="car_rental")
        listing = services.create_listing(
            "car", f.car_input(provider_id=companies[company].id, **overrides), None
        )
        db.session.commit()
        return listing

    return make


def room(name, capacity, count, price):
    return {
        "name": name,
        "beds": "1 king bed",
        "capacity": str(capacity),
        "room_count": str(count),
        "price_per_night": price,
    }


def flight_args(origin="SFO", destination="JFK", day=DAY, **extra):
    args = {"from": origin, "to": destination, "depart": iso(day), "trip": "oneway"}
    args.update(extra)
    return args


@pytest.fixture(autouse=True)
def tracked(monkeypatch):
    """Activity events the searches publish, recorded instead of sent."""
    from app.extensions import activity

    events = []
    monkeypatch.setattr(activity, "track", lambda *a, **kw: events.append((a, kw)) or True)
    return events
