"""Redis: the Flask-Caching cache and RQ jobs run by a real worker process."""

import os

from rq.job import JobStatus

from app.extensions import cache, queues
from tests.conftest import wait_for
from tests.jobs import add, whoami


def test_cache_round_trip_on_redis(app_ctx):
    assert queues.url.startswith("redis://")
    cache.set("greeting", {"text": "hello"}, timeout=30)
    assert cache.get("greeting") == {"text": "hello"}
    assert queues.redis.exists(f"{app_ctx.config['CACHE_KEY_PREFIX']}greeting")
    cache.delete("greeting")
    assert cache.get("greeting") is None


def test_memoized_getter_is_cached_and_cleared(app_ctx):
    calls = []

    @cache.memoize(timeout=30)
    def price_of(listing_id):
        calls.append(listing_id)
        return listing_id * 10

    assert price_of(3) == 30
    assert price_of(3) == 30
    assert calls == [3]
    cache.delete_memoized(price_of, 3)
    assert price_of(3) == 30
    assert calls == [3, 3]


def test_rq_job_runs_in_a_real_worker_process(app_ctx, pipeline):
    job = queues.enqueue(add, 2, 3)
    wait_for(
        lambda: job.refresh() or job.get_status() == JobStatus.FINISHED,
        30,
        message=lambda: f"job {job.id}; worker log:\n{pipeline['worker'].log_tail()}",
    )
    assert job.return_value() == 5

    job = queues.enqueue(whoami)
    wait_for(lambda: job.refresh() or job.get_status() == JobStatus.FINISHED, 30)
    result = job.return_value()
    assert result["pid"] != os.getpid()
    assert result["pid"] == pipeline["worker"].proc.pid
    assert result["queue"] == queues.queue.name
