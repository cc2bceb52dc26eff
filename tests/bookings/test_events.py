"""Every booking event travels outbox -> relay -> Kafka -> consumer -> RQ ->
the bookings handlers (real worker, relay and consumer processes)."""

from __future__ import annotations

import sqlalchemy as sa

from app.bookings import services
from app.core.models import OutboxEvent, ProcessedEvent
from app.extensions import db
from tests.bookings.conftest import car_request, card, hold
from tests.conftest import wait_for

HANDLERS = {
    "booking.created": "bookings.retire_availability_cache",
    "booking.cancelled": "bookings.retire_availability_cache",
    "car.booked": "bookings.retire_car_cache",
    "car.available": "bookings.retire_car_cache",
    "booking.confirmed": "analytics.raw_event_log",
}


def test_booking_events_reach_kafka_and_their_handlers(app_ctx, pipeline, car, traveler):
    booking = hold(traveler, car_request(car))
    services.pay(booking, traveler, card(), "p")
    services.cancel(booking, traveler.id)
    db.session.rollback()
    rows = db.session.execute(
        sa.select(OutboxEvent.event_id, OutboxEvent.type).where(OutboxEvent.type.in_(HANDLERS))
    ).all()
    assert sorted(t for _, t in rows) == sorted(HANDLERS)

    def handled():
        db.session.rollback()
        return all(
            db.session.get(ProcessedEvent, (event_id, HANDLERS[type_])) is not None
            for event_id, type_ in rows
        )

    wait_for(handled, 90, message=lambda: "\n".join(p.log_tail(15) for p in pipeline.values()))
