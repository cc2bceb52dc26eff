"""Readiness checks for /readyz and the admin status page.

Each check returns (status, detail) with status "ok", "degraded" or "down".
Only a critical check that is down makes the app unready (503): without the
cache the app reads from the database, without the broker or workers events
wait in the outbox, so those degrade the service rather than stop it.
Domains add their own checks with `@check("name")`.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from app.extensions import db, mongo, queues


@dataclass(frozen=True)
class Check:
    name: str
    func: Callable[[], tuple[str, str]]
    critical: bool


CHECKS: dict[str, Check] = {}


def check(name: str, critical: bool = False):
    def register(func):
        CHECKS[name] = Check(name, func, critical)
        return func

    return register


def run_checks() -> dict:
    results = {}
    overall = "ok"
    for item in CHECKS.values():
        started = time.perf_counter()
        try:
            status, detail = item.func()
        except Exception as exc:  # a check that raises reports its server as down
            status, detail = "down", f"{type(exc).__name__}: {exc}"[:300]
        results[item.name] = {
            "status": status,
            "detail": detail,
            "critical": item.critical,
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        if status == "down" and item.critical:
            overall = "down"
        elif status != "ok" and overall == "ok":
            overall = "degraded"
    return {"status": overall, "checks": results}


@check("database", critical=True)
def check_database():
    db.session.execute(sa.text("SELECT 1"))
    db.session.rollback()
    return "ok", db.engine.dialect.name


@check("documents")
def check_documents():
    return "ok" if mongo.ping() else "down", mongo.describe()


@check("cache")
def check_cache():
    queues.redis.ping()
    return "ok", "redis " + ("embedded" if not current_app.config.get("REDIS_URL") else "server")


@check("broker")
def check_broker():
    bootstrap = current_app.config.get("KAFKA_BOOTSTRAP")
    if not bootstrap:
        return "ok", "embedded: the relay enqueues events directly"
    reachable = []
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=1.5):
                reachable.append(server)
        except OSError:
            pass
    if not reachable:
        return "down", f"no broker answers at {bootstrap}; events wait in the outbox"
    return "ok", f"kafka at {', '.join(reachable)}"


@check("workers")
def check_workers():
    from rq import Worker

    workers = Worker.all(connection=queues.redis)
    queue_name = current_app.config["RQ_QUEUE"]
    serving = [w for w in workers if queue_name in w.queue_names()]
    waiting = queues.queue.count
    if not serving:
        return "degraded", f"no worker serves queue {queue_name}; {waiting} jobs waiting"
    return "ok", f"{len(serving)} worker(s); {waiting} jobs waiting"


@check("outbox")
def check_outbox():
    from app.core.relay import outbox_backlog

    backlog = outbox_backlog()
    db.session.rollback()
    limit = current_app.config["OUTBOX_LAG_WARN_SECONDS"]
    detail = f"{backlog['pending']} unsent, oldest {backlog['oldest_age_seconds']:.0f}s"
    return ("degraded" if backlog["oldest_age_seconds"] > limit else "ok"), detail


@check("event lag")
def check_event_lag():
    """The true lag: the oldest business event some handler has not processed yet."""
    from app.core.sweeper import event_lag

    lag = event_lag()
    db.session.rollback()
    limit = current_app.config["EVENT_LAG_WARN_SECONDS"]
    detail = (
        f"{lag['pending']} event(s) not yet processed by all handlers, "
        f"oldest {lag['oldest_age_seconds']:.0f}s"
    )
    return ("degraded" if lag["oldest_age_seconds"] > limit else "ok"), detail


@check("activity")
def check_activity():
    from app.core.activity import read_stats
    from app.extensions import activity

    stats = read_stats(queues.redis)
    lost = stats.get("dropped", 0) + stats.get("failed", 0)
    detail = (
        f"{stats.get('accepted', 0)} tracked, {stats.get('sent', 0)} sent, "
        f"{stats.get('handled', 0)} handled, {stats.get('dropped', 0)} dropped, "
        f"{stats.get('failed', 0)} failed; {activity.pending()} buffered here"
    )
    recent_loss = lost and time.time() - stats.get("last_loss_at", 0) < 300
    return ("degraded" if recent_loss else "ok"), detail
