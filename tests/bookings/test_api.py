"""Partners read and cancel the bookings of their own listings; travelers'
JSON; the CLI jobs; the cache handlers."""

from __future__ import annotations

import sqlalchemy as sa

from app.bookings import services
from app.bookings.models import Booking, Refund
from app.extensions import db
from app.partners.services import create_key
from tests.bookings.conftest import card, flight_request, hold


def key_for(make_user, provider) -> dict:
    user = make_user("partner", provider=provider)
    _, secret = create_key(user, "test")
    return {"Authorization": f"Bearer {secret}"}


def paid(traveler, flight):
    booking = hold(traveler, flight_request(flight, 1))
    return services.pay(booking, traveler, card(), "p")


def test_partner_reads_and_cancels_its_bookings(client, flight, airline, traveler, make_user,
                                                make_provider):  # fmt: skip
    booking = paid(traveler, flight)
    mine = key_for(make_user, airline)
    listed = client.get("/api/v1/bookings", headers=mine).get_json()
    assert listed["total"] == 1 and listed["items"][0]["reference"] == booking.reference
    assert listed["items"][0]["total"] == f"{booking.total:.2f}"
    one = client.get(f"/api/v1/bookings/{booking.reference}", headers=mine)
    assert one.status_code == 200 and one.get_json()["status"] == "confirmed"
    other = key_for(make_user, make_provider("Other Air"))
    assert client.get(f"/api/v1/bookings/{booking.reference}", headers=other).status_code == 404
    assert client.get("/api/v1/bookings", headers=other).get_json()["total"] == 0
    url = f"/api/v1/bookings/{booking.reference}/cancel"
    assert client.post(url, headers=mine).status_code == 422  # no Idempotency-Key
    assert client.post(url, headers=other | {"Idempotency-Key": "k" * 10}).status_code == 404
    first = client.post(url, headers=mine | {"Idempotency-Key": "cancel-1234"})
    again = client.post(url, headers=mine | {"Idempotency-Key": "cancel-1234"})
    assert first.status_code == again.status_code == 200
    assert (
        first.get_json()["status"] == "cancelled"
        and first.get_json()["refunded"] == f"{booking.total:.2f}"
    )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Refund.id))) == 1
    assert client.get("/api/v1/bookings?status=nope", headers=mine).status_code == 422
    assert client.get("/api/v1/bookings?page=0", headers=mine).status_code == 422
    assert client.get("/api/v1/bookings/nonsense", headers=mine).status_code == 404


def test_cli_expires_and_reconciles(app, flight, traveler):
    from datetime import timedelta

    from app.core.models import utcnow

    booking = hold(traveler, flight_request(flight, 1))
    db.session.execute(sa.update(Booking).values(hold_expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    runner = app.test_cli_runner()
    assert "released 1 expired holds" in runner.invoke(args=["bookings", "expire-holds"]).output
    assert "abandoned: 0" in runner.invoke(args=["bookings", "reconcile"]).output
    db.session.rollback()
    assert db.session.get(Booking, booking.id).status == "abandoned"


def test_handlers_retire_the_search_cache(app_ctx, flight, traveler):
    from app.bookings.events import retire_availability_cache, retire_car_cache
    from app.listings.queries import catalogue_version

    before = catalogue_version("flight")
    retire_availability_cache({"key": "1", "data": {"kind": "flight", "listing_id": flight.id}})
    assert catalogue_version("flight") == before + 1
    car_before = catalogue_version("car")
    retire_car_cache({"key": "7", "data": {}})
    assert catalogue_version("car") == car_before + 1


def test_hold_bumps_the_catalogue_version_at_once(flight, traveler):
    from app.listings.queries import catalogue_version

    before = catalogue_version("flight")
    hold(traveler, flight_request(flight, 1))
    assert catalogue_version("flight") > before
