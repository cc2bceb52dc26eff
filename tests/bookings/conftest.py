"""Bookings fixtures: listings with little inventory, travelers, and helpers
to hold and pay through the services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.bookings import services
from app.extensions import db
from app.listings import services as listings
from tests.listings import factories as f

SOON = date.today() + timedelta(days=30)


def flight_data(provider_id, day=SOON, origin="SFO", destination="JFK", seats=3, **overrides):
    return f.flight_input(
        provider_id=provider_id,
        origin=origin,
        destination=destination,
        departs_local=f"{day.isoformat()}T08:30",
        arrives_local=f"{day.isoformat()}T17:05",
        cabins={
            "economy": {"fare": "289.00", "seats_total": str(seats), "seats_available": str(seats)}
        },
        **overrides,
    )


@pytest.fixture()
def airline(app_ctx, make_provider):
    return make_provider("Test Air", kind="airline", code="TA")


@pytest.fixture()
def flight(airline):
    listing = listings.create_listing("flight", flight_data(airline.id), None)
    db.session.commit()
    return listing


@pytest.fixture()
def hotel(app_ctx, make_provider):
    group = make_provider("Harbor Group", kind="hotel")
    data = f.hotel_input(provider_id=group.id)
    data["rooms"] = [
        {"name": "Standard King", "beds": "1 king bed", "capacity": "2",
         "room_count": "2", "price_per_night": "200.00"},
    ]  # fmt: skip
    listing = listings.create_listing("hotel", data, None)
    db.session.commit()
    return listing


@pytest.fixture()
def car(app_ctx, make_provider):
    rental = make_provider("Test Cars", kind="car_rental")
    listing = listings.create_listing("car", f.car_input(provider_id=rental.id), None)
    db.session.commit()
    return listing


@pytest.fixture()
def traveler(make_user):
    return make_user("traveler", email="trips@example.com")


def people(n=1):
    return [
        services.TravelerInput(f"Ada{i}", "Lovelace", date(1990, 1, 1), "ada@example.com")
        for i in range(n)
    ]


def flight_request(flight, travelers=1, *more):
    return services.BookingRequest(
        "flight",
        flight_ids=[flight.id, *(m.id for m in more)],
        cabin="economy",
        travelers=travelers,
    )


def hotel_request(hotel, check_in=SOON, nights=2, rooms=1):
    return services.BookingRequest(
        "hotel",
        hotel_id=hotel.id,
        room_type_id=hotel.rooms[0].id,
        check_in=check_in,
        check_out=check_in + timedelta(days=nights),
        rooms=rooms,
        guests=1,
    )


def car_request(car, start_day=SOON, days=3, hour=10):
    from datetime import datetime

    pickup = datetime.combine(start_day, datetime.min.time()).replace(hour=hour)
    return services.BookingRequest(
        "car", car_id=car.id, pickup_at=pickup, dropoff_at=pickup + timedelta(days=days)
    )


def hold(user, request, key="k1"):
    return services.hold(user, request, people(request.people), "ada@example.com", None, key)


def card(number="4242424242424242"):
    from app.payments.cards import check_card

    return services.CardChoice(card=check_card(number, "12/30", "123"), holder_name="Ada Lovelace")
