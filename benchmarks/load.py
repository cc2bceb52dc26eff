"""Shared harness of the load benchmarks: the full stack on the full seed, the app
under gunicorn, and wrk (Debian's `wrk` package) as the load generator.

- `bench_environment()` points the app at its own databases (`kayak_bench` on
  MySQL and MongoDB, its own Kafka topics and queues), leaving the developer's alone.
- `ensure_seeded(scale)` migrates and seeds them once (`flask seed` is idempotent).
- `Server` runs gunicorn on a free port with that environment.
- `run_wrk(base, paths, clients, seconds)` drives a list of paths round robin and
  returns requests/s and p50/p95/p99 in ms, read from wrk's own latency histogram.

Figures are only comparable within one run: measure what you compare together and
report ratios (e.g. a page's req/s over /healthz's) beside the absolute numbers.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "kayak_bench"
DEFAULTS = {
    "DATABASE_URL": "mysql+pymysql://kayak:kayak@127.0.0.1:13306/kayak",
    "MONGO_URL": "mongodb://127.0.0.1:27018/",
    "REDIS_URL": "redis://127.0.0.1:16379/0",
    "KAFKA_BOOTSTRAP": "127.0.0.1:19092",
}


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.1f} GiB, "
        f"Python {platform.python_version()}, load average {load:.1f} at start"
    )


def bench_environment() -> dict[str, str]:
    """The environment of every bench process (and of this one)."""
    server = os.environ.get("DATABASE_URL") or DEFAULTS["DATABASE_URL"]
    if not server.startswith("mysql"):
        raise SystemExit("DATABASE_URL must point at MySQL/MariaDB (the full stack)")
    redis_url = os.environ.get("REDIS_URL") or DEFAULTS["REDIS_URL"]
    env = {
        "APP_ENV": "development",
        "DATABASE_URL": sa.engine.make_url(server)
        .set(database=BENCH_DB)
        .render_as_string(hide_password=False),
        "MONGO_URL": os.environ.get("MONGO_URL") or DEFAULTS["MONGO_URL"],
        "MONGO_DB": BENCH_DB,
        "REDIS_URL": redis_url.rsplit("/", 1)[0] + "/2",
        "KAFKA_BOOTSTRAP": os.environ.get("KAFKA_BOOTSTRAP") or DEFAULTS["KAFKA_BOOTSTRAP"],
        "KAFKA_TOPIC": "kayak.bench.events",
        "KAFKA_GROUP": "kayak-bench",
        "KAFKA_ACTIVITY_TOPIC": "kayak.bench.activity",
        "KAFKA_ACTIVITY_GROUP": "kayak-bench-activity",
        "RQ_QUEUE": "kayak-bench",
        "RQ_ACTIVITY_QUEUE": "kayak-bench-activity",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": "benchmark-only-not-a-secret",
    }
    os.environ.update(env)
    return env


def make_app():
    from app import create_app

    return create_app()


def ensure_seeded(scale: str = "full", seed: int = 1, reseed: bool = False) -> None:
    """Create, migrate and seed the bench databases unless they already hold the seed."""
    env = bench_environment()
    url = sa.engine.make_url(env["DATABASE_URL"])
    engine = sa.create_engine(url.set(database=""))
    with engine.begin() as conn:
        if reseed:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{BENCH_DB}`"))
        conn.execute(
            sa.text(
                f"CREATE DATABASE IF NOT EXISTS `{BENCH_DB}` "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
        )
    engine.dispose()
    from flask_migrate import upgrade

    from app.extensions import db, mongo
    from app.listings import seed as seeder

    app = make_app()
    with app.app_context():
        if reseed:
            mongo.client.drop_database(BENCH_DB)
        upgrade(directory=str(ROOT / "migrations"))
        flights = db.session.scalar(sa.text("SELECT COUNT(*) FROM flights"))
        wanted = 100_000 if scale == "full" else 1
        if flights < wanted:
            print(f"seeding {BENCH_DB} ({scale}); this takes a minute or two", flush=True)
            started = time.perf_counter()
            seeder.run(scale, seed, progress=sys.stderr.isatty())
            print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
        db.session.remove()
        db.engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn serving wsgi:app with the bench environment."""

    def __init__(self, workers: int = 2, threads: int = 4) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers, self.threads = workers, threads
        self.log = tempfile.NamedTemporaryFile(
            prefix="bench-gunicorn-", suffix=".log", delete=False
        )
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.proc = subprocess.Popen(
            [str(gunicorn), "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
             "--threads", str(self.threads), "--backlog", "2048", "wsgi:app"],
            cwd=ROOT, env={**os.environ, **bench_environment()},
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer; log: {self.log.name}")

    def __exit__(self, *exc) -> None:
        if self.proc:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def get(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as e:
            return e.code


WRK_SCRIPT = """
local paths = {%(paths)s}
local counter = 0
local offset = 0
local threads = {}
function setup(thread)
  thread:set("offset", #threads * %(stride)d)
  table.insert(threads, thread)
end
function init(args)
  counter = offset
end
function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
function done(summary, latency, requests)
  local s = summary
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "errors": %%d, "non2xx": %%d, ' ..
    '"p50": %%.3f, "p95": %%.3f, "p99": %%.3f, "max": %%.3f}\\n',
    s.requests, s.duration, s.errors.connect + s.errors.read + s.errors.write +
    s.errors.timeout, s.errors.status, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def run_wrk(base: str, paths: list[str], clients: int, seconds: float, threads: int = 2) -> dict:
    """Drive `paths` round robin with `clients` connections; returns the figures."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (Debian's package)")
    stride = max(1, len(paths) // threads)
    script = WRK_SCRIPT % {
        "paths": ", ".join(json.dumps(p) for p in paths),
        "stride": stride,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{max(1, round(seconds))}s",
         "--timeout", "10s", "-s", f.name, base],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    os.unlink(f.name)
    figures = json.loads(out.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def report_line(name: str, figures: dict, baseline: dict | None = None) -> str:
    ratio = f"{figures['rps'] / baseline['rps']:6.1%}" if baseline else "   -  "
    bad = figures["errors"] + figures["non2xx"]
    return (
        f"{name:<28} {figures['rps']:8.1f} req/s  {ratio} of /healthz   "
        f"p50 {figures['p50']:7.1f} ms  p95 {figures['p95']:7.1f} ms  "
        f"p99 {figures['p99']:7.1f} ms  ({figures['requests']} requests"
        f"{f', {bad} errors' if bad else ''})"
    )
