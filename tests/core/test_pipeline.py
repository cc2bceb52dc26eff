"""The event pipeline end to end on real servers:
outbox -> relay -> Kafka -> consumer -> RQ -> handler -> MongoDB.
"""

import json
import subprocess

import pytest
import sqlalchemy as sa

from app.core.models import DeadLetter, OutboxEvent, ProcessedEvent
from app.extensions import db, events, mongo
from tests.conftest import ROOT, TEST_ENV, wait_for

RAW_LOG = "analytics.raw_event_log"


def publish_pings(n: int, key: str = "pipeline") -> list[dict]:
    envelopes = [events.publish("system.ping", key=key, data={"n": i}) for i in range(n)]
    db.session.commit()
    return envelopes


def in_raw_log(event_ids) -> int:
    return mongo.db.events.count_documents({"_id": {"$in": list(event_ids)}})


def pending_outbox() -> int:
    db.session.rollback()
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OutboxEvent).where(OutboxEvent.sent_at.is_(None))
    )


def logs(pipeline) -> str:
    return "\n".join(f"--- {name}\n{proc.log_tail(15)}" for name, proc in pipeline.items())


def stack(*args: str) -> None:
    subprocess.run(
        [str(ROOT / "scripts" / "stack.sh"), *args],
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=300,
    )


def test_event_travels_from_outbox_to_the_raw_log(app_ctx, pipeline):
    (envelope,) = publish_pings(1)
    wait_for(lambda: in_raw_log([envelope["id"]]) == 1, 60, message=lambda: logs(pipeline))
    stored = mongo.db.events.find_one({"_id": envelope["id"]})
    assert stored["type"] == "system.ping"
    assert stored["data"] == {"n": 0}
    assert pending_outbox() == 0
    assert db.session.get(ProcessedEvent, (envelope["id"], RAW_LOG)) is not None


def test_an_event_delivered_twice_is_stored_once(app_ctx, pipeline):
    from kafka import KafkaProducer

    (first,) = publish_pings(1, key="twice")
    wait_for(lambda: in_raw_log([first["id"]]) == 1, 60, message=lambda: logs(pipeline))

    # Redeliver the same message, then a marker on the same key (same partition,
    # so it is handled after the duplicate by the single worker).
    producer = KafkaProducer(bootstrap_servers=TEST_ENV["KAFKA_BOOTSTRAP"])
    producer.send(TEST_ENV["KAFKA_TOPIC"], key=b"twice", value=json.dumps(first).encode())
    producer.flush()
    producer.close()
    (marker,) = publish_pings(1, key="twice")
    wait_for(lambda: in_raw_log([marker["id"]]) == 1, 60, message=lambda: logs(pipeline))

    assert mongo.db.events.count_documents({"_id": first["id"]}) == 1
    ledger = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ProcessedEvent)
        .where(ProcessedEvent.event_id == first["id"])
    )
    assert ledger == 1


def test_a_failing_handler_retries_then_dead_letters_and_an_admin_retry_delivers(app_ctx, pipeline):
    """With the document store down the raw-log handler fails on every try."""
    from app.admin import services as admin

    stack("down", "ferretdb")
    try:
        (envelope,) = publish_pings(1, key="dead-letter")
        dead = wait_for(
            lambda: (
                db.session.rollback()
                or db.session.scalar(
                    sa.select(DeadLetter).where(DeadLetter.event_id == envelope["id"])
                )
            ),
            90,
            message=lambda: logs(pipeline),
        )
    finally:
        stack("up", "ferretdb")
    assert dead.handler == RAW_LOG
    assert dead.attempts == int(TEST_ENV["EVENT_MAX_ATTEMPTS"])
    assert "ServerSelectionTimeoutError" in dead.error or "AutoReconnect" in dead.error

    admin.retry(dead.id)
    wait_for(lambda: in_raw_log([envelope["id"]]) == 1, 60, message=lambda: logs(pipeline))
    db.session.rollback()
    assert db.session.get(DeadLetter, dead.id).status == "retried"


def test_kafka_outage_loses_nothing_and_duplicates_nothing(app_ctx, pipeline):
    stack("down", "kafka")
    try:
        envelopes = publish_pings(5, key="outage")  # writes still succeed
        wait_for(lambda: pending_outbox() == 5, 10)
        # The relay cannot deliver while the broker is away; the rows stay unsent.
        import time

        time.sleep(3)
        assert pending_outbox() == 5
        assert in_raw_log([e["id"] for e in envelopes]) == 0  # nothing got through
        assert pipeline["relay"].alive()
    finally:
        stack("up", "kafka")
    ids = [e["id"] for e in envelopes]
    wait_for(lambda: in_raw_log(ids) == 5, 120, message=lambda: logs(pipeline))
    assert pending_outbox() == 0
    for event_id in ids:
        assert mongo.db.events.count_documents({"_id": event_id}) == 1


def test_listing_changes_reach_the_raw_log_through_kafka(app_ctx, pipeline, make_provider):
    from app.listings import services
    from tests.listings import factories as f

    rental = make_provider("Pipeline Cars", kind="car_rental")
    car = services.create_listing("car", f.car_input(provider_id=rental.id), actor="admin:1")
    db.session.commit()
    services.update_listing(car, {"daily_price": "80.00"}, actor="admin:1")
    db.session.commit()
    services.delete_listing(car, actor="admin:1")
    db.session.commit()
    key = f"car:{car.id}"

    def arrived():
        return mongo.db.events.count_documents({"key": key}) == 3

    wait_for(arrived, 60, message=lambda: logs(pipeline))
    stored = {d["type"]: d for d in mongo.db.events.find({"key": key})}
    assert set(stored) == {"listing.created", "listing.updated", "listing.deleted"}
    assert stored["listing.updated"]["data"]["price"] == {"old": "64.00", "new": "80.00"}
    assert stored["listing.updated"]["actor"] == "admin:1"


def test_a_failed_relay_round_marks_nothing_sent_and_records_the_error(app_ctx, pipeline):
    """The transport is a stand-in that refuses; the outbox is the real table.
    The real relay is paused meanwhile, so it cannot take the rows first."""
    import os
    import signal

    from app.core.relay import relay_once

    class Refusing:
        def send(self, rows):
            raise ConnectionError("broker unreachable")

    os.kill(pipeline["relay"].proc.pid, signal.SIGSTOP)
    try:
        publish_pings(3, key="refused")
        with pytest.raises(ConnectionError):
            relay_once(Refusing())
        db.session.rollback()
        rows = db.session.scalars(sa.select(OutboxEvent)).all()
    finally:
        os.kill(pipeline["relay"].proc.pid, signal.SIGCONT)
    assert [r.sent_at for r in rows] == [None, None, None]
    assert {r.attempts for r in rows} == {1}
    assert all("broker unreachable" in r.last_error for r in rows)
