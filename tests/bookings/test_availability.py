"""Search reads the inventory bookings take (app/search/availability.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.listings.models import Car, FlightCabin, RoomType
from app.search.availability import cabin_has_seats, car_is_free, room_type_has_rooms
from tests.bookings.conftest import SOON, car_request, flight_request, hold, hotel_request


def test_booked_rooms_leave_search_only_for_their_nights(hotel, traveler):
    def free(check_in, nights, rooms=1):
        db.session.rollback()
        return db.session.scalar(
            sa.select(sa.func.count(RoomType.id)).where(
                room_type_has_rooms(check_in, check_in + timedelta(days=nights), rooms)
            )
        )

    assert free(SOON, 2, 2) == 1
    hold(traveler, hotel_request(hotel, SOON + timedelta(days=1), nights=1, rooms=2))
    assert free(SOON, 2) == 0  # the second night is full
    assert free(SOON, 1, 2) == 1 and free(SOON + timedelta(days=2), 3, 2) == 1


def test_reserved_car_leaves_search_for_overlapping_ranges(car, traveler):
    hold(traveler, car_request(car, SOON, days=2))

    def free(start, hours):
        db.session.rollback()
        pickup = datetime.combine(start, datetime.min.time()).replace(hour=10)
        return db.session.scalar(
            sa.select(sa.func.count(Car.id)).where(
                car_is_free(pickup, pickup + timedelta(hours=hours))
            )
        )

    assert free(SOON + timedelta(days=1), 5) == 0
    assert free(SOON + timedelta(days=2), 24) == 1  # starts when the first ends
    assert free(SOON - timedelta(days=1), 24) == 1


def test_held_seats_leave_search(flight, traveler):
    hold(traveler, flight_request(flight, 3))
    db.session.rollback()
    assert (
        db.session.scalar(
            sa.select(sa.func.count(FlightCabin.id)).where(cabin_has_seats("economy", 1))
        )
        == 0
    )
