#!/usr/bin/env python3
"""The outage-and-kill run of issue 15, on the full local stack, repeated.

Each run has its own MySQL and MongoDB database, Kafka topic and group, RQ
queues, and its own worker, relay and consumer processes, and does what an
operator did when the issue was filed:

    50 `flask events ping`; Kafka stopped for --kafka-down-seconds (60) while
    240 more are published; Kafka started; 130 more; a burst of 100 and the
    worker killed with SIGKILL half a second later; a new worker; 20 more.

then waits until every event is in the raw log (MongoDB `events`), or
--settle-timeout runs out, and prints one line per run: published vs
arrived, how many events the delivery sweeper had to re-dispatch (runs a
killed worker lost), dead letters, and how long the last event took.

Usage (with the local stack up: eval "$(scripts/stack.sh env)"):
    .venv/bin/python benchmarks/outage_kill.py [--runs 10] [--kafka-down-seconds 60]
        [--grace 20] [--settle-timeout 300]

It stops and starts the stack's Kafka (scripts/stack.sh down/up kafka), which
disturbs anything else using it for that long; Kafka is always started again.
--grace sets EVENT_SWEEP_GRACE_SECONDS of the run's relay (production default
90 s) so that a run does not wait a minute and a half for the sweeper.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = {
    "DATABASE_URL": "mysql+pymysql://kayak:kayak@127.0.0.1:13306/kayak",
    "MONGO_URL": "mongodb://127.0.0.1:27018/",
    "REDIS_URL": "redis://127.0.0.1:16379/0",
    "KAFKA_BOOTSTRAP": "127.0.0.1:19092",
}


def server(name: str) -> str:
    return os.environ.get(name) or DEFAULTS[name]


def stack(*args: str) -> None:
    subprocess.run(
        [str(ROOT / "scripts" / "stack.sh"), *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=300,
    )


class Run:
    def __init__(self, args) -> None:
        self.args = args
        self.id = uuid.uuid4().hex[:8]
        self.db_name = f"kayak_outage_{self.id}"
        self.server_url = sa.engine.make_url(server("DATABASE_URL"))
        self.log_dir = Path(tempfile.mkdtemp(prefix=f"outage-{self.id}-"))
        self.env = {
            **os.environ,
            "APP_ENV": "testing",
            "SECRET_KEY": "outage-benchmark-not-a-secret",
            "KAYAK_INSTANCE_PATH": str(self.log_dir),
            "DATABASE_URL": self.server_url.set(database=self.db_name).render_as_string(
                hide_password=False
            ),
            "MONGO_URL": server("MONGO_URL"),
            "MONGO_DB": self.db_name,
            "REDIS_URL": server("REDIS_URL"),
            "KAFKA_BOOTSTRAP": server("KAFKA_BOOTSTRAP"),
            "KAFKA_TOPIC": f"kayak.outage.{self.id}",
            "KAFKA_GROUP": f"kayak-outage-{self.id}",
            "RQ_QUEUE": f"kayak-outage-{self.id}",
            "KAFKA_ACTIVITY_TOPIC": f"kayak.outage-activity.{self.id}",
            "KAFKA_ACTIVITY_GROUP": f"kayak-outage-activity-{self.id}",
            "RQ_ACTIVITY_QUEUE": f"kayak-outage-activity-{self.id}",
            "EVENT_SWEEP_GRACE_SECONDS": str(args.grace),
            "EVENT_SWEEP_INTERVAL_SECONDS": "2",
            "LOG_FORMAT": "text",
            "FLASK_APP": "wsgi.py",
        }
        self.procs: dict[str, subprocess.Popen] = {}
        self.published = 0
        self.workers = 0

    # -- processes ---------------------------------------------------------
    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")
        proc = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.procs[name] = proc
        return proc

    def start_worker(self) -> None:
        self.workers += 1
        self.start("worker", "-m", "workers.worker", "--name", f"outage-{self.id}-{self.workers}")

    def flask(self, *args: str) -> str:
        for _attempt in range(3):
            out = subprocess.run(
                [str(ROOT / ".venv" / "bin" / "flask"), *args],
                cwd=ROOT,
                env=self.env,
                capture_output=True,
                timeout=120,
            )
            if out.returncode == 0:
                return out.stdout.decode()
            print(f"  flask {' '.join(args)} failed: {out.stderr.decode()[-500:]}", flush=True)
            time.sleep(2)
        raise RuntimeError(f"flask {' '.join(args)} kept failing")

    def ping(self, count: int) -> None:
        self.flask("events", "ping", "--count", str(count))
        self.published += count

    # -- stores ------------------------------------------------------------
    def admin_engine(self):
        return sa.create_engine(self.server_url.set(database=""))

    def create(self) -> None:
        engine = self.admin_engine()
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{self.db_name}`"))
            conn.execute(sa.text(f"CREATE DATABASE `{self.db_name}` CHARACTER SET utf8mb4"))
        engine.dispose()
        self.flask("db", "upgrade")

    def counts(self) -> dict:
        import pymongo

        client = pymongo.MongoClient(server("MONGO_URL"), serverSelectionTimeoutMS=5000)
        arrived = client[self.db_name].events.count_documents({"type": "system.ping"})
        client.close()
        engine = sa.create_engine(self.env["DATABASE_URL"])
        with engine.connect() as conn:
            swept = conn.execute(sa.text("SELECT COUNT(*) FROM outbox WHERE sweeps > 0")).scalar()
            unsettled = conn.execute(
                sa.text("SELECT COUNT(*) FROM outbox WHERE settled_at IS NULL")
            ).scalar()
            dead = conn.execute(sa.text("SELECT COUNT(*) FROM dead_letters")).scalar()
        engine.dispose()
        return {"arrived": arrived, "swept": swept, "unsettled": unsettled, "dead": dead}

    def cleanup(self) -> None:
        import pymongo
        import redis

        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        engine = self.admin_engine()
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{self.db_name}`"))
        engine.dispose()
        client = pymongo.MongoClient(server("MONGO_URL"), serverSelectionTimeoutMS=5000)
        client.drop_database(self.db_name)
        client.close()
        r = redis.Redis.from_url(server("REDIS_URL"))
        for pattern in (f"rq:*outage-{self.id}*", f"rq:*{self.env['RQ_QUEUE']}*"):
            for key in r.scan_iter(pattern):
                r.delete(key)

    # -- the run -------------------------------------------------------------
    def go(self) -> dict:
        args = self.args
        self.create()
        self.start_worker()
        self.start("relay", "-m", "workers.relay")
        self.start("consumer", "-m", "workers.consumer")
        self.ping(50)

        stack("down", "kafka")
        down_at = time.monotonic()
        try:
            self.ping(240)
            time.sleep(max(0.0, args.kafka_down_seconds - (time.monotonic() - down_at)))
        finally:
            stack("up", "kafka")
        self.ping(130)

        self.ping(100)
        time.sleep(0.5)
        worker = self.procs["worker"]
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        self.start_worker()
        self.ping(20)

        finished_at = time.monotonic()
        deadline = finished_at + args.settle_timeout
        while True:
            counts = self.counts()
            if counts["arrived"] >= self.published and counts["unsettled"] == 0:
                break
            if time.monotonic() > deadline:
                break
            time.sleep(1.0)
        counts["published"] = self.published
        log = (self.log_dir / "worker.log").read_text(errors="replace")
        counts["requeued"] = log.count("requeued ")
        counts["last_event_after_s"] = round(time.monotonic() - finished_at, 1)
        return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--kafka-down-seconds", type=float, default=60.0)
    parser.add_argument("--grace", type=float, default=20.0)
    parser.add_argument("--settle-timeout", type=float, default=300.0)
    args = parser.parse_args()
    print(
        f"outage-and-kill: {args.runs} run(s), Kafka down {args.kafka_down_seconds:.0f}s, "
        f"sweeper grace {args.grace:.0f}s"
    )
    lost_total = 0
    for n in range(1, args.runs + 1):
        run = Run(args)
        try:
            c = run.go()
        finally:
            try:
                run.cleanup()
            except Exception as exc:  # report, but keep the other runs going
                print(f"  cleanup of run {n} failed: {exc}")
        lost = c["published"] - c["arrived"]
        lost_total += max(lost, 0)
        print(
            f"run {n}: published {c['published']}, arrived {c['arrived']}, "
            f"re-dispatched by the sweeper {c['swept']}, requeued by the new worker "
            f"{c['requeued']}, dead letters {c['dead']}, "
            f"unsettled {c['unsettled']}, all in {c['last_event_after_s']}s after the last ping "
            f"(logs: {run.log_dir})",
            flush=True,
        )
    print(f"lost in total: {lost_total}")


if __name__ == "__main__":
    main()
