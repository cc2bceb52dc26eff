"""Quote, hold, pay, cancel, expiry and reconciliation against real MySQL and Redis."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.bookings import services
from app.bookings.models import BillingRecord, Booking, CarReservation, Payment, Refund, RoomNight
from app.core.models import OutboxEvent, utcnow
from app.extensions import db
from app.listings.models import FlightCabin
from app.payments.gateway import get_gateway
from tests.bookings.conftest import (
    SOON,
    car_request,
    card,
    flight_data,
    flight_request,
    hold,
    hotel_request,
)


def seats(flight) -> int:
    db.session.rollback()
    return db.session.scalar(
        sa.select(FlightCabin.seats_available).where(FlightCabin.flight_id == flight.id)
    )


def event_types(key=None) -> list[str]:
    db.session.rollback()
    query = sa.select(OutboxEvent.type).order_by(OutboxEvent.seq)
    if key is not None:
        query = query.where(OutboxEvent.key == str(key))
    return list(db.session.scalars(query))


def test_quote_itemises_fare_taxes_and_fees_with_half_up_rounding(flight):
    q = services.quote(flight_request(flight, 3))
    assert q.subtotal == Decimal("867.00")
    assert q.taxes == Decimal("65.03")  # 867 * 0.075 = 65.025 -> half up
    assert q.fees == Decimal("16.80")
    assert q.total == Decimal("948.83")
    assert [label for label, _ in q.lines][-2:] == ["Federal excise tax (7.5%)", "Security fee"]
    assert "fee" in q.rules["cancellation"]


def test_hotel_quote_counts_rooms_times_nights(hotel):
    q = services.quote(hotel_request(hotel, nights=3, rooms=2))
    assert q.subtotal == Decimal("1200.00")
    assert q.taxes == Decimal("144.00") and q.fees == Decimal("18.00")


def test_car_quote_rounds_days_up(car):
    request = car_request(car, days=2)
    request.dropoff_at += timedelta(hours=1)
    q = services.quote(request)
    assert q.items[0].quantity == 3
    assert q.subtotal == Decimal("192.00")


def test_hold_reserves_seats_and_publishes(flight, traveler):
    booking = hold(traveler, flight_request(flight, 2))
    assert booking.status == "held" and booking.reference.startswith("KY-")
    assert seats(flight) == 1
    assert booking.hold_expires_at > utcnow() + timedelta(minutes=9)
    assert event_types(booking.id) == ["booking.created"]


def test_same_idempotency_key_makes_one_booking(flight, traveler):
    first = hold(traveler, flight_request(flight, 1), key="double")
    again = hold(traveler, flight_request(flight, 1), key="double")
    assert first.id == again.id
    assert seats(flight) == 2
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1


def test_sold_out_leaves_nothing(flight, traveler):
    with pytest.raises(services.SoldOut):
        hold(traveler, flight_request(flight, 4))
    assert seats(flight) == 3
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_connection_books_all_legs_or_none(airline, traveler):
    from app.listings import services as listings

    first = listings.create_listing("flight", flight_data(airline.id, seats=3), None)
    data = flight_data(airline.id, origin="JFK", destination="BOS", seats=1)
    data["departs_local"] = f"{SOON.isoformat()}T19:30"
    data["arrives_local"] = f"{SOON.isoformat()}T21:00"
    second = listings.create_listing("flight", data, None)
    db.session.commit()
    booking = hold(traveler, flight_request(first, 1, second), key="a")
    assert len(booking.items) == 2 and seats(first) == 2 and seats(second) == 0
    # The second leg is full: the first keeps its seats.
    with pytest.raises(services.SoldOut):
        hold(traveler, flight_request(first, 1, second), key="b")
    assert seats(first) == 2


def test_connection_must_chain(airline, traveler):
    from app.listings import services as listings

    first = listings.create_listing("flight", flight_data(airline.id), None)
    other = listings.create_listing("flight", flight_data(airline.id, origin="LAX"), None)
    db.session.commit()
    with pytest.raises(services.BookingError, match="leaves from"):
        services.quote(flight_request(first, 1, other))


def test_hotel_nights_compete_only_where_they_overlap(hotel, traveler):
    hold(traveler, hotel_request(hotel, SOON, nights=2, rooms=2), key="a")
    # Both rooms are taken on SOON and SOON+1; the night after is free.
    with pytest.raises(services.SoldOut):
        hold(traveler, hotel_request(hotel, SOON + timedelta(days=1), nights=2), key="b")
    later = hold(
        traveler, hotel_request(hotel, SOON + timedelta(days=2), nights=2, rooms=2), key="c"
    )
    assert later.status == "held"
    db.session.rollback()
    booked = dict(db.session.execute(sa.select(RoomNight.night, RoomNight.booked)).all())
    assert booked[SOON] == 2 and booked[SOON + timedelta(days=3)] == 2


def test_car_ranges_never_overlap(car, traveler):
    hold(traveler, car_request(car, SOON, days=3), key="a")
    with pytest.raises(services.SoldOut):
        hold(traveler, car_request(car, SOON + timedelta(days=2), days=3), key="b")
    after = hold(traveler, car_request(car, SOON + timedelta(days=3), days=1), key="c")
    assert after.status == "held"
    assert event_types(car.id).count("car.booked") == 2


def test_pay_confirms_bills_and_never_stores_the_number(flight, traveler):
    booking = hold(traveler, flight_request(flight, 1))
    confirmed = services.pay(booking, traveler, card(), "attempt-1")
    assert confirmed.status == "confirmed" and confirmed.confirmed_at is not None
    payment = db.session.scalar(sa.select(Payment))
    assert payment.status == "succeeded" and payment.last4 == "4242"
    assert payment.token.startswith("tok_sim_") and "4242424242424242" not in payment.token
    bill = db.session.scalar(sa.select(BillingRecord))
    assert bill.total == booking.total and bill.status == "paid" and bill.payment_brand == "visa"
    assert "booking.confirmed" in event_types(booking.id)


def test_double_pay_charges_once(flight, traveler):
    booking = hold(traveler, flight_request(flight, 1))
    services.pay(booking, traveler, card(), "same")
    services.pay(booking, traveler, card(), "same")
    # A second form sent after it was paid: the confirmed booking, no new charge.
    assert services.pay(booking, traveler, card(), "other").status == "confirmed"
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(BillingRecord.id))) == 1


def test_declined_card_keeps_hold_and_charges_nothing(flight, traveler):
    booking = hold(traveler, flight_request(flight, 1))
    with pytest.raises(services.PaymentDeclined, match="declined"):
        services.pay(booking, traveler, card("4000000000000341"), "one")
    with pytest.raises(services.PaymentDeclined):
        services.pay(booking, traveler, card("4000000000000002"), "two")
    db.session.rollback()
    assert db.session.get(Booking, booking.id).status == "held"
    assert db.session.scalar(sa.select(sa.func.count(BillingRecord.id))) == 0
    # Another card then works.
    assert services.pay(booking, traveler, card(), "three").status == "confirmed"


def test_gateway_error_leaves_no_charge_and_retry_card_succeeds(flight, traveler):
    booking = hold(traveler, flight_request(flight, 1))
    with pytest.raises(services.PaymentFailed, match="Nothing was charged"):
        services.pay(booking, traveler, card("4000000000000119"), "one")
    payment = db.session.scalar(sa.select(Payment))
    assert payment.status == "failed"
    assert get_gateway().find_charge(payment.idempotency_key) is None
    assert services.pay(booking, traveler, card("4000000000000259"), "two").status == "confirmed"


def test_expired_hold_is_released_and_abandoned(flight, traveler):
    booking = hold(traveler, flight_request(flight, 2))
    assert services.expire_holds(utcnow()) == 0
    assert services.expire_holds(utcnow() + timedelta(minutes=11)) == 1
    db.session.rollback()
    assert db.session.get(Booking, booking.id).status == "abandoned"
    assert seats(flight) == 3
    assert event_types(booking.id) == ["booking.created", "booking.abandoned"]
    with pytest.raises(services.NotPayable):
        services.pay(db.session.get(Booking, booking.id), traveler, card(), "late")


def test_cancel_refunds_per_rules_and_releases(flight, traveler):
    booking = hold(traveler, flight_request(flight, 2))
    services.pay(booking, traveler, card(), "p")
    terms = services.cancel_terms(db.session.get(Booking, booking.id))
    assert terms.refund == booking.total - Decimal("150.00")  # refundable for a 75.00 fee each
    cancelled = services.cancel(booking, traveler.id)
    assert cancelled.status == "cancelled" and seats(flight) == 3
    refund = db.session.scalar(sa.select(Refund))
    assert refund.amount == terms.refund
    bills = db.session.scalars(sa.select(BillingRecord).order_by(BillingRecord.id)).all()
    assert [b.record_type for b in bills] == ["payment", "refund"]
    assert bills[1].total == -terms.refund
    assert bills[1].subtotal + bills[1].taxes + bills[1].fees == bills[1].total
    assert event_types(booking.id)[-1] == "booking.cancelled"
    services.cancel(booking, traveler.id)  # twice: harmless
    assert db.session.scalar(sa.select(sa.func.count(Refund.id))) == 1


def test_cancel_car_publishes_car_available(car, traveler):
    booking = hold(traveler, car_request(car))
    services.pay(booking, traveler, card(), "p")
    services.cancel(booking, traveler.id)
    assert db.session.scalar(sa.select(CarReservation.active)) is False
    assert event_types(car.id) == ["car.booked", "car.available"]
    assert db.session.scalar(sa.select(Refund.amount)) == booking.total


def test_reconcile_confirms_a_charge_whose_process_died(flight, traveler):
    """The gateway charged, then the process died before recording it."""
    booking = hold(traveler, flight_request(flight, 1))
    payment = Payment(
        booking_id=booking.id, user_id=traveler.id, idempotency_key="pay:crash", status="pending",
        token="tok_sim_aabc", brand="visa", last4="4242", amount=booking.total, currency="USD",
        created_at=utcnow() - timedelta(minutes=5),
    )  # fmt: skip
    db.session.add(payment)
    db.session.commit()
    get_gateway().charge("tok_sim_aabc", booking.total, "USD", "pay:crash")
    # The hold has expired meanwhile, but the money was taken: confirm, not abandon.
    counts = services.reconcile(utcnow() + timedelta(minutes=15))
    assert counts["confirmed"] == 1 and counts["abandoned"] == 0
    db.session.rollback()
    assert db.session.get(Booking, booking.id).status == "confirmed"
    assert db.session.scalar(sa.select(sa.func.count(BillingRecord.id))) == 1


def test_reconcile_fails_a_payment_that_never_reached_the_gateway(flight, traveler):
    booking = hold(traveler, flight_request(flight, 1))
    db.session.add(
        Payment(
            booking_id=booking.id, user_id=traveler.id, idempotency_key="pay:lost",
            status="pending", token="tok_sim_aabc", brand="visa", last4="4242",
            amount=booking.total, currency="USD", created_at=utcnow() - timedelta(minutes=5),
        )
    )  # fmt: skip
    db.session.commit()
    counts = services.reconcile(utcnow() + timedelta(minutes=15))
    assert counts == {"confirmed": 0, "refunded": 0, "failed": 1, "abandoned": 1}
    db.session.rollback()
    assert db.session.get(Booking, booking.id).status == "abandoned"
    assert seats(flight) == 3


def test_reconcile_refunds_a_charge_for_a_released_booking(flight, traveler):
    booking = hold(traveler, flight_request(flight, 1))
    services.cancel(booking, traveler.id)  # released while the charge was in flight
    db.session.add(
        Payment(
            booking_id=booking.id, user_id=traveler.id, idempotency_key="pay:late",
            status="pending", token="tok_sim_aabc", brand="visa", last4="4242",
            amount=booking.total, currency="USD", created_at=utcnow() - timedelta(minutes=5),
        )
    )  # fmt: skip
    db.session.commit()
    get_gateway().charge("tok_sim_aabc", booking.total, "USD", "pay:late")
    assert services.reconcile()["refunded"] == 1
    assert db.session.scalar(sa.select(Refund.amount)) == booking.total
