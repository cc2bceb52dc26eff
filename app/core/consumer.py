"""The Kafka consumer: a consumer group member that turns events into RQ jobs.

Offsets are committed only after every event of a poll has been enqueued,
so a crash or a Redis outage means redelivery, never loss; the handlers'
ledger absorbs the duplicates.
"""

from __future__ import annotations

import json
import logging
import time

from flask import current_app

from app.core.tasks import dispatch

log = logging.getLogger(__name__)


def ensure_topic(config, topic: str | None = None, partitions: int = 3) -> None:
    """Create the events topic up front, so a consumer never waits on metadata."""
    from kafka.admin import KafkaAdminClient, NewTopic
    from kafka.errors import TopicAlreadyExistsError

    admin = KafkaAdminClient(
        bootstrap_servers=config["KAFKA_BOOTSTRAP"].split(","), request_timeout_ms=10000
    )
    try:
        admin.create_topics([NewTopic(topic or config["KAFKA_TOPIC"], partitions, 1)])
    except TopicAlreadyExistsError:
        pass
    finally:
        admin.close()


def make_consumer(config, topic: str, group: str):
    from kafka import KafkaConsumer

    ensure_topic(config, topic)
    return KafkaConsumer(
        topic,
        bootstrap_servers=config["KAFKA_BOOTSTRAP"].split(","),
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        reconnect_backoff_max_ms=2000,
        request_timeout_ms=30000,
        session_timeout_ms=10000,
        heartbeat_interval_ms=3000,
        metadata_max_age_ms=10000,
    )


def consume_batch(consumer, timeout_ms: int = 500) -> int:
    """Poll once, dispatch everything received, then commit; returns the count."""
    batches = consumer.poll(timeout_ms=timeout_ms, max_records=500)
    count = 0
    try:
        for partition, records in batches.items():
            for record in records:
                try:
                    envelope = json.loads(record.value)
                except ValueError:
                    log.error(
                        "skipping undecodable message at %s offset %d", partition, record.offset
                    )
                    continue
                dispatch(envelope)
                count += 1
    except Exception:
        # Rewind so the batch is read again once the queue is reachable.
        for partition, records in batches.items():
            if records:
                consumer.seek(partition, records[0].offset)
        raise
    if batches:
        consumer.commit()
    return count


def run_consumer(
    stop=lambda: False, topic: str | None = None, group: str | None = None,
    consume=consume_batch, label: str = "consumer",
) -> None:  # fmt: skip
    """Consume a topic until stop() (the business events by default; the activity
    consumer passes its own topic, group and batch step), backing off on failure."""
    config = current_app.config
    if not config.get("KAFKA_BOOTSTRAP"):
        raise RuntimeError("KAFKA_BOOTSTRAP is not set: embedded mode needs no consumer")
    topic, group = topic or config["KAFKA_TOPIC"], group or config["KAFKA_GROUP"]
    consumer = None
    backoff = 0.5
    while not stop():
        try:
            if consumer is None:
                consumer = make_consumer(config, topic, group)
                log.info("%s joined group %s on %s", label, group, topic)
            count = consume(consumer)
            backoff = 0.5
            if count:
                log.info("%s handed on %d events", label, count)
        except Exception as exc:
            log.warning("%s round failed (%s); retrying in %.1fs", label, exc, backoff)
            time.sleep(backoff)
            backoff = min(backoff * 2, 10.0)
    if consumer is not None:
        consumer.close()
