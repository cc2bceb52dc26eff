"""Redis connection and RQ queue, wired once per app (`queues` extension)."""

from __future__ import annotations

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry
from rq import Queue


class Queues:
    def __init__(self) -> None:
        self.redis: redis.Redis | None = None
        self.queue: Queue | None = None
        self.activity_queue: Queue | None = None
        self.url: str | None = None

    def init_app(self, app) -> None:
        from app.core.embedded import embedded_redis_url

        self.url = app.config.get("REDIS_URL") or embedded_redis_url(app)
        app.config["REDIS_URL_RESOLVED"] = self.url
        # Two quick retries (at most about 0.3 s), not redis-py's default of about
        # 6 s: a page must not hang on its cache when Redis is away.
        self.redis = redis.Redis.from_url(
            self.url,
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=30,
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.05), 2),
        )
        self.queue = Queue(app.config["RQ_QUEUE"], connection=self.redis)
        # Activity batches have their own queue, listed after the business one, so a
        # flood of clicks never delays a booking's handlers.
        self.activity_queue = Queue(app.config["RQ_ACTIVITY_QUEUE"], connection=self.redis)
        app.extensions["queues"] = self

    @property
    def worker_queues(self) -> list[Queue]:
        """The queues a worker serves, in priority order."""
        return [self.queue, self.activity_queue]

    def enqueue(self, func, *args, **kwargs):
        return self.queue.enqueue(func, *args, **kwargs)

    def enqueue_in(self, delay, func, *args, **kwargs):
        return self.queue.enqueue_in(delay, func, *args, **kwargs)
