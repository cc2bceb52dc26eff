"""The outbox relay: moves committed outbox rows to the event transport.

With Kafka configured the transport is a Kafka producer (key = aggregate id,
so events of one booking or listing stay in order). Embedded, the transport
hands each event to `dispatch` directly, which enqueues the RQ jobs the
consumer would have. A row is marked sent only after the transport has
acknowledged it; a failure leaves it in the outbox for the next round.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.core import periodic
from app.core.models import OutboxEvent, utcnow
from app.extensions import db

log = logging.getLogger(__name__)


class KafkaTransport:
    name = "kafka"

    def __init__(self, bootstrap: str, topic: str) -> None:
        from kafka import KafkaProducer

        self.topic = topic
        self.producer = KafkaProducer(
            bootstrap_servers=bootstrap.split(","),
            acks="all",
            retries=3,
            max_in_flight_requests_per_connection=1,
            linger_ms=5,
            max_block_ms=5000,
            request_timeout_ms=5000,
            reconnect_backoff_max_ms=2000,
            key_serializer=lambda k: k.encode(),
            value_serializer=lambda v: v.encode(),
        )

    def send(self, rows: list[OutboxEvent]) -> None:
        futures = [self.producer.send(self.topic, key=r.key, value=r.envelope) for r in rows]
        self.producer.flush(timeout=10)
        for future in futures:
            future.get(timeout=10)  # raises if the broker did not acknowledge

    def close(self) -> None:
        self.producer.close(timeout=5)


class DirectTransport:
    """Embedded mode: no broker; enqueue the handlers' jobs right away."""

    name = "direct"

    def send(self, rows: list[OutboxEvent]) -> None:
        from app.core.tasks import dispatch

        for row in rows:
            dispatch(json.loads(row.envelope))

    def close(self) -> None:
        pass


def make_transport(app=None):
    config = (app or current_app).config
    if config.get("KAFKA_BOOTSTRAP"):
        return KafkaTransport(config["KAFKA_BOOTSTRAP"], config["KAFKA_TOPIC"])
    return DirectTransport()


def relay_once(transport, batch_size: int = 200) -> int:
    """Publish up to batch_size unsent rows in order; returns how many went out."""
    query = (
        sa.select(OutboxEvent)
        .where(OutboxEvent.sent_at.is_(None))
        .order_by(OutboxEvent.seq)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    rows = list(db.session.scalars(query))
    if not rows:
        db.session.rollback()
        return 0
    try:
        transport.send(rows)
    except Exception as exc:
        # Nothing is marked sent: the whole batch goes again later. Handlers are
        # idempotent, so a partial earlier delivery costs nothing.
        db.session.rollback()
        ids = [r.seq for r in rows]
        db.session.execute(
            sa.update(OutboxEvent)
            .where(OutboxEvent.seq.in_(ids))
            .values(attempts=OutboxEvent.attempts + 1, last_error=repr(exc)[:2000])
        )
        db.session.commit()
        raise
    now = utcnow()
    for row in rows:
        row.sent_at = now
        row.attempts += 1
        row.last_error = None
    db.session.commit()
    return len(rows)


def outbox_backlog() -> dict[str, Any]:
    """How many events wait and how old the oldest is (for /readyz)."""
    pending, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(OutboxEvent.created_at)).where(
            OutboxEvent.sent_at.is_(None)
        )
    ).one()
    age = (utcnow() - oldest).total_seconds() if oldest else 0.0
    return {"pending": pending, "oldest_age_seconds": round(age, 1)}


def run_relay(stop=lambda: False) -> None:
    """Loop forever (or until stop() is true), backing off while the transport is down.

    Every EVENT_SWEEP_INTERVAL_SECONDS it also runs a round of the delivery
    sweeper (app/core/sweeper.py), and the domains' periodic jobs when they
    are due (app/core/periodic.py); their failures never stop the relaying.
    """
    config = current_app.config
    poll = config["RELAY_POLL_SECONDS"]
    sweep_every = config["EVENT_SWEEP_INTERVAL_SECONDS"]
    periodic_jobs = config["PERIODIC_JOBS"]
    next_sweep = time.monotonic() + sweep_every
    transport = None
    backoff = poll
    while not stop():
        if sweep_every > 0 and time.monotonic() >= next_sweep:
            next_sweep = time.monotonic() + sweep_every
            sweep_round()
        if periodic_jobs:
            periodic.run_due()
        try:
            if transport is None:
                transport = make_transport()
                log.info("relay started with the %s transport", transport.name)
            sent = relay_once(transport)
            backoff = poll
            if sent:
                log.info("relayed %d events", sent)
                continue
        except Exception as exc:
            log.warning("relay round failed (%s); retrying in %.1fs", exc, backoff)
            if transport is not None:
                try:
                    transport.close()
                except Exception:
                    pass
                transport = None
            time.sleep(backoff)
            backoff = min(backoff * 2, 10.0)
            continue
        finally:
            db.session.remove()
        time.sleep(poll)
    if transport is not None:
        transport.close()


def sweep_round() -> None:
    from app.core.sweeper import sweep_once

    try:
        counts = sweep_once()
        if counts.get("redispatch") or counts.get("give_up"):
            log.warning("sweeper round: %s", dict(counts))
    except Exception as exc:
        db.session.rollback()
        log.warning("sweeper round failed (%s)", exc)
    finally:
        db.session.remove()
