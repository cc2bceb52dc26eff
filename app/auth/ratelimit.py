"""Fixed-window counters in Redis: sign-in failures, reset mails, sign-ups.

Keys live under the cache prefix (`kayak:<env>:rl:`) and expire with their
window. Identifiers that are personal data (emails) are hashed first. If
Redis is down the limiter lets requests through and logs it: an outage of the
cache must not lock everybody out (DESIGN.md, Caching).
"""

from __future__ import annotations

import hashlib
import logging
import math

from flask import current_app
from redis.exceptions import RedisError

from app.extensions import queues

log = logging.getLogger(__name__)


def _key(bucket: str, *parts: str) -> str:
    ident = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"{current_app.config['CACHE_KEY_PREFIX']}rl:{bucket}:{ident}"


def hit(bucket: str, *parts: str, window: int) -> int:
    """Count one event; returns the count in the current window (0 if Redis is down)."""
    key = _key(bucket, *parts)
    try:
        pipe = queues.redis.pipeline()
        pipe.set(key, 0, ex=window, nx=True)
        pipe.incr(key)
        return int(pipe.execute()[1])
    except RedisError:
        log.warning("rate limiter unavailable; not counting %s", bucket, exc_info=True)
        return 0


def blocked_for(bucket: str, *parts: str, limit: int) -> int:
    """Seconds until the window resets if `limit` is reached, else 0."""
    key = _key(bucket, *parts)
    try:
        pipe = queues.redis.pipeline()
        pipe.get(key)
        pipe.ttl(key)
        count, ttl = pipe.execute()
    except RedisError:
        log.warning("rate limiter unavailable; not checking %s", bucket, exc_info=True)
        return 0
    if count is None or int(count) < limit:
        return 0
    return max(int(ttl), 1)


def reset(bucket: str, *parts: str) -> None:
    try:
        queues.redis.delete(_key(bucket, *parts))
    except RedisError:
        log.warning("rate limiter unavailable; not resetting %s", bucket, exc_info=True)


def minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))
