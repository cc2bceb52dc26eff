"""Activity events: searches, listing views, page and section views and clicks.

They are many, and a read must stay a read, so they never touch the
database and never wait on a broker inside a request. `activity.track(...)`
appends the envelope to a bounded buffer in this process and returns at
once; one sender thread per process takes batches from it:

- full stack: a Kafka producer (acks=1) on the activity topic, read by its
  own consumer group (`python -m workers.activity`), which enqueues one job
  per handler and batch on the activity queue;
- embedded: the batch jobs go straight onto the activity queue.

Business events (bookings, listings, users) never take this path: they
travel through the outbox and are never lost. This path may lose events,
and counts each loss in the Redis hash `kayak:activity-stats:<queue>`:

- `dropped`: the buffer was full (the broker was away for long, or a flood);
- `failed`: the broker refused a batch after the producer's own retries, or a
  handler kept failing on it;
- whatever sat in the buffer of a process that was killed (not countable).

That is acceptable for analytics (a report that is 0.1% short during an
outage) and would not be for a booking. /readyz shows the counts.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
import time
from collections import Counter, deque
from datetime import timedelta
from typing import Any

from app.core.events import ACTIVITY_TYPES, make_envelope

log = logging.getLogger(__name__)

STATS_FIELDS = ("accepted", "sent", "dropped", "failed", "handled")


class KafkaActivityTransport:
    name = "kafka"

    def __init__(self, config) -> None:
        from kafka import KafkaProducer

        from app.core.consumer import ensure_topic

        self.topic = config["KAFKA_ACTIVITY_TOPIC"]
        ensure_topic(config, self.topic)
        self.producer = KafkaProducer(
            bootstrap_servers=config["KAFKA_BOOTSTRAP"].split(","),
            acks=1,
            retries=2,
            linger_ms=20,
            max_block_ms=2000,
            request_timeout_ms=5000,
            reconnect_backoff_max_ms=2000,
        )

    def send(self, batch: list[dict]) -> int:
        """Send a batch; returns how many the broker refused (they are not retried)."""
        futures = [
            self.producer.send(
                self.topic, key=e["key"].encode(), value=json.dumps(e, default=str).encode()
            )
            for e in batch
        ]
        self.producer.flush(timeout=10)
        refused = 0
        for future in futures:
            try:
                future.get(timeout=0)
            except Exception:
                refused += 1
        return refused

    def close(self) -> None:
        self.producer.close(timeout=2)


class DirectActivityTransport:
    """Embedded mode: one job per handler and batch, straight onto the activity queue."""

    name = "direct"

    def send(self, batch: list[dict]) -> int:
        enqueue_batches(batch)
        return 0

    def close(self) -> None:
        pass


def enqueue_batches(batch: list[dict]) -> int:
    """One RQ job per handler for this batch of envelopes; returns the job count."""
    from app.extensions import events, queues

    per_handler: dict[str, list[dict]] = {}
    for envelope in batch:
        for handler in events.handlers_for(envelope["type"]):
            per_handler.setdefault(handler.name, []).append(envelope)
    for name, envelopes in per_handler.items():
        queues.activity_queue.enqueue(
            run_activity_batch,
            name,
            envelopes,
            1,
            description=f"{len(envelopes)} activity events -> {name}",
            result_ttl=600,
            failure_ttl=86400,
        )
    return len(per_handler)


def run_activity_batch(handler_name: str, envelopes: list[dict], attempt: int = 1) -> dict:
    """Run one handler over a batch of activity events (in an RQ worker).

    Handlers must be idempotent per event id (the raw log writes `_id`), since
    the consumer delivers at least once. Events whose handler raised go back
    once with a delay; after that they count as failed, and the batch is done.
    """
    from app.extensions import events, queues

    handler = events.handler(handler_name)
    failed = []
    if handler.batch_func is not None:
        try:
            handler.batch_func(envelopes)
        except Exception:
            log.exception(
                "activity handler %s failed on a batch of %d", handler_name, len(envelopes)
            )
            failed = list(envelopes)
    else:
        for envelope in envelopes:
            try:
                handler.func(envelope)
            except Exception:
                log.exception("activity handler %s failed on %s", handler_name, envelope.get("id"))
                failed.append(envelope)
    done = len(envelopes) - len(failed)
    if failed and attempt < 3:
        queues.activity_queue.enqueue_in(
            timedelta(seconds=2 * attempt),
            run_activity_batch,
            handler_name,
            failed,
            attempt + 1,
            description=f"{len(failed)} activity events -> {handler_name} (attempt {attempt + 1})",
        )
    record_stats(queues.redis, handled=done, failed=len(failed) if attempt >= 3 else 0)
    return {"handled": done, "failed": len(failed)}


def stats_key() -> str:
    """One hash per activity queue, shared by web, consumer and worker processes."""
    from flask import current_app

    return f"kayak:activity-stats:{current_app.config['RQ_ACTIVITY_QUEUE']}"


def record_stats(redis, **counts: int) -> None:
    counts = {k: v for k, v in counts.items() if v}
    if not counts:
        return
    try:
        pipe = redis.pipeline(transaction=False)
        key = stats_key()
        for field, value in counts.items():
            pipe.hincrby(key, field, value)
        if counts.get("dropped") or counts.get("failed"):
            pipe.hset(key, "last_loss_at", int(time.time()))
        pipe.execute()
    except Exception as exc:  # statistics are best effort
        log.debug("could not record activity stats: %s", exc)


def read_stats(redis) -> dict[str, int]:
    raw = redis.hgetall(stats_key())
    return {k.decode(): int(v) for k, v in raw.items()}


class ActivityStream:
    """The `activity` extension: a bounded buffer and a sender thread per process."""

    def __init__(self) -> None:
        self.app = None
        self.capacity = 10_000
        self.batch_size = 500
        self.interval = 0.1
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._buffer: deque[dict] = deque()
        self._counts: Counter = Counter()
        self._thread: threading.Thread | None = None
        self._in_flight = 0
        self._stopping = threading.Event()

    def init_app(self, app) -> None:
        self.app = app
        self.capacity = app.config["ACTIVITY_BUFFER_SIZE"]
        app.extensions["activity"] = self

    # -- the request side --------------------------------------------------
    def track(self, type_: str, key: Any, data: dict | None = None, actor: Any = None) -> bool:
        """Queue an activity event; never blocks, never raises for a full buffer.

        Returns False when the event was dropped (counted). Raises ValueError
        for a name that is not an activity event (those go through the outbox).
        """
        if type_ not in ACTIVITY_TYPES:
            raise ValueError(f"{type_!r} is not an activity event; publish it through the outbox")
        envelope = make_envelope(type_, key, data or {}, None if actor is None else str(actor))
        self._ensure_sender()
        with self._lock:
            if len(self._buffer) >= self.capacity:
                self._counts["dropped"] += 1
                return False
            self._buffer.append(envelope)
            self._counts["accepted"] += 1
            wake = len(self._buffer) >= self.batch_size
        if wake:
            self._wake.set()
        return True

    def pending(self) -> int:
        return len(self._buffer) + self._in_flight

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until this process's buffer is sent (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        self._wake.set()
        while self.pending() and time.monotonic() < deadline:
            time.sleep(0.02)
            self._wake.set()
        return not self.pending()

    def close(self, timeout: float = 2.0) -> None:
        """At exit: send what is buffered (briefly), then stop the sender."""
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            self.flush(timeout)
            self._stopping.set()
            self._wake.set()
            self._thread.join(timeout)

    # -- the sender thread -------------------------------------------------
    def _ensure_sender(self) -> None:
        pid = os.getpid()
        if self._pid == pid and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._pid != pid:  # a forked child starts with an empty buffer of its own
                self._buffer = deque()
                self._counts = Counter()
                self._wake = threading.Event()
                self._pid = pid
                self._thread = None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="activity-sender", daemon=True
                )
                self._stopping = threading.Event()
                self._thread.start()
                atexit.register(self.close)

    def _take(self) -> list[dict]:
        with self._lock:
            n = min(len(self._buffer), self.batch_size)
            batch = [self._buffer.popleft() for _ in range(n)]
            self._in_flight = n
            return batch

    def _give_back(self, batch: list[dict]) -> None:
        """Put an unsent batch back at the front, dropping what no longer fits."""
        with self._lock:
            room = max(0, self.capacity - len(self._buffer))
            keep = batch[:room]
            self._counts["dropped"] += len(batch) - len(keep)
            self._buffer.extendleft(reversed(keep))
            self._in_flight = 0

    def _run(self) -> None:
        with self.app.app_context():
            from app.extensions import queues

            transport = None
            backoff = 0.5
            last_stats = time.monotonic()
            while not self._stopping.is_set():
                self._wake.wait(self.interval)
                self._wake.clear()
                batch = self._take()
                if batch:
                    try:
                        if transport is None:
                            transport = make_activity_transport(self.app.config)
                            # kafka-python closes its producers at exit; exit handlers
                            # run last-registered first, so ours (flush) goes before it.
                            atexit.unregister(self.close)
                            atexit.register(self.close)
                        refused = transport.send(batch)
                        self._counts["sent"] += len(batch) - refused
                        self._counts["failed"] += refused
                        self._in_flight = 0
                        backoff = 0.5
                        if len(self._buffer) >= self.batch_size:
                            self._wake.set()
                    except Exception as exc:
                        self._give_back(batch)
                        if self._stopping.is_set():
                            break
                        log.warning("activity send failed (%s); retrying in %.1fs", exc, backoff)
                        if transport is not None:
                            try:
                                transport.close()
                            except Exception:
                                pass
                            transport = None
                        time.sleep(backoff)
                        backoff = min(backoff * 2, 5.0)
                if time.monotonic() - last_stats > 1.0:
                    with self._lock:
                        counts, self._counts = self._counts, Counter()
                    record_stats(queues.redis, **counts)
                    last_stats = time.monotonic()
            if transport is not None:
                transport.close()
            record_stats(queues.redis, **self._counts)


def make_activity_transport(config):
    if config.get("KAFKA_BOOTSTRAP"):
        return KafkaActivityTransport(config)
    return DirectActivityTransport()


# -- the consumer side (full stack) -----------------------------------------
def consume_activity_batch(consumer, timeout_ms: int = 500) -> int:
    """Poll once, enqueue one job per handler for the whole poll, then commit."""
    polled = consumer.poll(timeout_ms=timeout_ms, max_records=2000)
    batch = []
    for records in polled.values():
        for record in records:
            try:
                batch.append(json.loads(record.value))
            except ValueError:
                log.error("skipping undecodable activity message at offset %d", record.offset)
    if batch:
        try:
            enqueue_batches(batch)
        except Exception:
            for partition, records in polled.items():
                if records:
                    consumer.seek(partition, records[0].offset)
            raise
    if polled:
        consumer.commit()
    return len(batch)


def run_activity_consumer(stop=lambda: False) -> None:
    """The activity topic's own consumer group (the business consumer's loop)."""
    from flask import current_app

    from app.core.consumer import run_consumer

    config = current_app.config
    run_consumer(
        stop,
        config["KAFKA_ACTIVITY_TOPIC"],
        config["KAFKA_ACTIVITY_GROUP"],
        consume_activity_batch,
        "activity consumer",
    )
