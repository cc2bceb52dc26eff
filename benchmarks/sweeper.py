#!/usr/bin/env python3
"""What a round of the delivery sweeper and the event-lag check cost as the
outbox history grows.

Creates its own MySQL database `kayak_bench_sweeper` (dropped at the end),
migrates it, fills `outbox` with --history settled rows (and their ledger
rows) plus --in-flight unsettled ones, and times, over --repeat rounds:
a sweeper round with nothing due (the steady state: every in-flight event is
younger than the grace period), a round that re-dispatches the in-flight
events (their runs are missing; the jobs go to a throwaway RQ queue), and
the `/readyz` event-lag query. Prints milliseconds (median, max) and the
MySQL plan of the sweeper's query.

Usage (with the local stack up: eval "$(scripts/stack.sh env)"):
    .venv/bin/python benchmarks/sweeper.py [--history 200000] [--in-flight 200] [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "kayak_bench_sweeper"


def timed(func, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--history", type=int, default=200_000)
    parser.add_argument("--in-flight", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    server = sa.engine.make_url(
        os.environ.get("DATABASE_URL") or "mysql+pymysql://kayak:kayak@127.0.0.1:13306/kayak"
    )
    admin = sa.create_engine(server.set(database=""))
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{DB_NAME}`"))
        conn.execute(sa.text(f"CREATE DATABASE `{DB_NAME}` CHARACTER SET utf8mb4"))
    run = uuid.uuid4().hex[:8]
    os.environ.update(
        {
            "APP_ENV": "testing",
            "SECRET_KEY": "bench-not-a-secret",
            "KAYAK_INSTANCE_PATH": tempfile.mkdtemp(prefix="sweeper-bench-"),
            "DATABASE_URL": server.set(database=DB_NAME).render_as_string(hide_password=False),
            "MONGO_URL": os.environ.get("MONGO_URL") or "mongodb://127.0.0.1:27018/",
            "MONGO_DB": DB_NAME,
            "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:16379/0",
            "RQ_QUEUE": f"kayak-bench-sweeper-{run}",
            "RQ_ACTIVITY_QUEUE": f"kayak-bench-sweeper-activity-{run}",
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "ERROR",
        }
    )
    from flask_migrate import upgrade

    from app import create_app
    from app.core.models import OutboxEvent, ProcessedEvent, utcnow
    from app.core.sweeper import event_lag, sweep_once
    from app.extensions import db, events, queues

    app = create_app()
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            handlers = [h.name for h in events.handlers_for("system.ping")]
            now = utcnow()
            long_ago = now - timedelta(days=1)
            started = time.perf_counter()
            batch = 5_000
            for offset in range(0, args.history, batch):
                n = min(batch, args.history - offset)
                ids = [str(uuid.uuid4()) for _ in range(n)]
                db.session.execute(
                    sa.insert(OutboxEvent),
                    [
                        {
                            "event_id": i,
                            "type": "system.ping",
                            "key": "bench",
                            "envelope": "{}",
                            "created_at": long_ago,
                            "sent_at": long_ago,
                            "settled_at": long_ago,
                            "attempts": 1,
                            "sweeps": 0,
                        }
                        for i in ids
                    ],
                )
                db.session.execute(
                    sa.insert(ProcessedEvent),
                    [
                        {"event_id": i, "handler": h, "processed_at": long_ago}
                        for i in ids
                        for h in handlers
                    ],
                )
                db.session.commit()
            fill = time.perf_counter() - started
            recent = now - timedelta(seconds=5)
            for _ in range(args.in_flight):
                envelope = events.publish("system.ping", key="bench", data={})
                db.session.flush()
                db.session.execute(
                    sa.update(OutboxEvent)
                    .where(OutboxEvent.event_id == envelope["id"])
                    .values(created_at=recent, sent_at=recent)
                )
            db.session.commit()
            print(
                f"outbox: {args.history:,} settled rows (+ ledger, filled in {fill:.0f}s), "
                f"{args.in_flight} in flight; handlers of system.ping: {len(handlers)}"
            )

            def idle_round():
                sweep_once()
                db.session.remove()

            def lag():
                event_lag()
                db.session.rollback()

            median, worst = timed(idle_round, args.repeat)
            print(
                f"sweeper round, nothing due:        median {median:7.1f} ms, max {worst:7.1f} ms"
            )
            median, worst = timed(lag, args.repeat)
            print(
                f"event-lag query (/readyz):          median {median:7.1f} ms, max {worst:7.1f} ms"
            )

            db.session.execute(
                sa.update(OutboxEvent)
                .where(OutboxEvent.settled_at.is_(None))
                .values(sent_at=now - timedelta(hours=1))
            )
            db.session.commit()
            started = time.perf_counter()
            counts = sweep_once()
            took = (time.perf_counter() - started) * 1000
            print(
                f"sweeper round re-dispatching {counts.get('redispatch', 0)} events: "
                f"{took:.1f} ms ({took / max(counts.get('redispatch', 1), 1):.2f} ms per event)"
            )
            plan = (
                db.session.execute(
                    sa.text(
                        "EXPLAIN SELECT seq FROM outbox WHERE settled_at IS NULL"
                        " AND sent_at IS NOT NULL AND sent_at <= NOW()"
                        " AND (next_sweep_at IS NULL OR next_sweep_at <= NOW())"
                        " ORDER BY seq LIMIT 200"
                    )
                )
                .mappings()
                .all()
            )
            for row in plan:
                print(f"plan: key={row.get('key')} rows={row.get('rows')} extra={row.get('Extra')}")
            queues.queue.empty()
            queues.queue.delete(delete_jobs=True)
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{DB_NAME}`"))
        admin.dispose()


if __name__ == "__main__":
    main()
