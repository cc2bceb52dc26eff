"""Truly concurrent bookings on real MySQL: threads, each in its own app
context (so its own session and connection), released together by a barrier.
Exactly as many succeed as there is inventory; the rest are told "sold out"."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from app.bookings import services
from app.bookings.models import Booking, CarReservation, RoomNight
from app.extensions import db
from app.listings.models import FlightCabin
from tests.bookings.conftest import SOON, car_request, flight_request, hold, hotel_request

CLIENTS = 16


def race(app, user_ids, make_request) -> tuple[int, int, list[BaseException]]:
    barrier = threading.Barrier(len(user_ids))
    results: list[object] = [None] * len(user_ids)
    # Built here: a thread must not lazy-load through the test's own session.
    requests = [make_request(i) for i in range(len(user_ids))]
    db.session.rollback()

    def run(i, user_id):
        with app.app_context():
            from app.users.models import User

            user = db.session.get(User, user_id)
            request = requests[i]
            db.session.rollback()
            barrier.wait()
            try:
                results[i] = hold(user, request, key=f"race-{i}")
            except BaseException as exc:  # noqa: BLE001  (collected and checked below)
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, u)) for i, u in enumerate(user_ids)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    won = sum(isinstance(r, Booking) for r in results)
    sold_out = sum(isinstance(r, services.SoldOut) for r in results)
    others = [r for r in results if not isinstance(r, Booking | services.SoldOut)]
    return won, sold_out, others


def travelers(make_user, n=CLIENTS):
    return [make_user("traveler").id for _ in range(n)]


def test_last_seats_go_to_exactly_as_many(app, flight, make_user):
    ids = travelers(make_user)
    won, sold_out, others = race(app, ids, lambda i: flight_request(flight, 1))
    assert others == []
    assert (won, sold_out) == (3, CLIENTS - 3)
    db.session.rollback()
    assert db.session.scalar(sa.select(FlightCabin.seats_available)) == 0
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 3


def test_two_seat_parties_never_oversell(app, flight, make_user):
    ids = travelers(make_user)
    won, sold_out, others = race(app, ids, lambda i: flight_request(flight, 2))
    assert others == [] and won == 1 and sold_out == CLIENTS - 1
    db.session.rollback()
    assert db.session.scalar(sa.select(FlightCabin.seats_available)) == 1


def test_last_room_on_a_night(app, hotel, make_user):
    """Two rooms; every stay includes the night SOON+1, with different dates."""
    ids = travelers(make_user)

    def request(i):
        start = SOON + timedelta(days=i % 2)
        return hotel_request(hotel, start, nights=(2 if i % 2 == 0 else 1) + i % 3)

    won, sold_out, others = race(app, ids, request)
    assert others == []
    assert (won, sold_out) == (2, CLIENTS - 2)
    db.session.rollback()
    night = db.session.scalar(
        sa.select(RoomNight.booked).where(RoomNight.night == SOON + timedelta(days=1))
    )
    assert night == 2
    assert db.session.scalar(sa.select(sa.func.max(RoomNight.booked))) <= 2


def test_same_car_on_overlapping_dates(app, car, make_user):
    ids = travelers(make_user)
    won, sold_out, others = race(app, ids, lambda i: car_request(car, SOON, days=2, hour=8 + i % 6))
    assert others == []
    assert (won, sold_out) == (1, CLIENTS - 1)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(CarReservation.id))) == 1


def test_double_submit_in_parallel_makes_one_booking(app, flight, make_user):
    user_id = make_user("traveler").id
    request = flight_request(flight, 1)
    db.session.rollback()
    barrier = threading.Barrier(6)
    results = []

    def run():
        with app.app_context():
            from app.users.models import User

            user = db.session.get(User, user_id)
            db.session.rollback()
            barrier.wait()
            try:
                results.append(hold(user, request, key="same-click").id)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 6 and len(set(results)) == 1
    db.session.rollback()
    assert db.session.scalar(sa.select(FlightCabin.seats_available)) == 2
