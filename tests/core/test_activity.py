"""The activity path: bounded, non-blocking, counted, and delivered through its own
Kafka topic, consumer group and queue to the handlers (raw log in MongoDB)."""

from __future__ import annotations

import threading
import time

import pytest

from app.core import activity as activity_module
from app.core.activity import ActivityStream, read_stats
from app.extensions import activity, events, mongo, queues
from tests.conftest import Process, wait_for


class BlockedTransport:
    """A transport that holds every send until released (a broker that hangs)."""

    name = "blocked"

    def __init__(self):
        self.release = threading.Event()
        self.sent = []

    def send(self, batch):
        self.release.wait(10)
        self.sent.extend(batch)
        return 0

    def close(self):
        pass


def test_track_refuses_business_events_and_publish_refuses_activity(app_ctx):
    with pytest.raises(ValueError, match="outbox"):
        activity.track("booking.created", key="1")
    with pytest.raises(ValueError, match="activity.track"):
        events.publish("search.performed", key="flight")


def test_a_full_buffer_drops_and_counts_without_blocking(app_ctx, monkeypatch):
    transport = BlockedTransport()
    monkeypatch.setattr(activity_module, "make_activity_transport", lambda config: transport)
    stream = ActivityStream()
    stream.init_app(app_ctx)
    stream.capacity = 5
    stream.batch_size = 2
    started = time.perf_counter()
    results = [stream.track("page.viewed", key="home", data={"n": i}) for i in range(40)]
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0  # generous: the point is that a hung broker never holds a request
    assert results.count(False) >= 40 - 5 - 2  # at most the buffer plus one batch in flight
    transport.release.set()
    assert stream.flush(10)
    # The counters reach Redis within the sender's next round.
    wait_for(lambda: read_stats(queues.redis).get("dropped", 0) >= results.count(False), 10)
    assert len(transport.sent) == results.count(True)
    queues.redis.delete(activity_module.stats_key())  # the losses were on purpose


def test_activity_reaches_the_raw_log_through_its_own_topic(app_ctx, pipeline, tmp_path):
    """Real Kafka, the activity consumer group and the worker's activity queue."""
    consumer = Process("activity", ["-m", "workers.activity"], tmp_path).start()
    try:
        for i in range(25):
            assert activity.track("page.viewed", key="home", data={"n": i}, actor=None)
        assert activity.flush(15)
        wait_for(
            lambda: mongo.db.events.count_documents({"type": "page.viewed"}) == 25,
            60,
            message=lambda: consumer.log_tail() + pipeline["worker"].log_tail(),
        )
        stored = sorted(d["data"]["n"] for d in mongo.db.events.find({"type": "page.viewed"}))
        assert stored == list(range(25))
        wait_for(lambda: read_stats(queues.redis).get("handled", 0) >= 25, 20)
    finally:
        consumer.stop()
