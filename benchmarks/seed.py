#!/usr/bin/env python3
"""How fast `flask seed --scale full` loads MySQL and MongoDB.

Creates its own MySQL database `kayak_bench` (dropped and recreated at the
start, dropped at the end unless --keep), migrates it with Flask-Migrate,
uses the MongoDB database `kayak_bench`, runs the seed and prints rows per
second per phase and the total time; then runs it again to show the re-run
adds nothing.

Usage (with the local stack up: eval "$(scripts/stack.sh env)"):
    .venv/bin/python benchmarks/seed.py [--scale full|demo] [--seed 1] [--keep] [--no-rerun]

DATABASE_URL, MONGO_URL and REDIS_URL come from the environment (the local
stack's defaults otherwise). Target (issue 4): full scale under 3 minutes.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from load import machine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "kayak_bench"
DEFAULTS = {
    "DATABASE_URL": "mysql+pymysql://kayak:kayak@127.0.0.1:13306/kayak",
    "MONGO_URL": "mongodb://127.0.0.1:27018/",
    "REDIS_URL": "redis://127.0.0.1:16379/0",
}


def server_cpu() -> dict[str, float]:
    """CPU seconds used so far by the local database servers (read from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: dict[str, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            name = fields[0].split("(", 1)[1]
            values = fields[1].split()
        except (OSError, IndexError):
            continue
        if name == "mariadbd" or name == "mysqld" or name.startswith("ferretdb"):
            key = "ferretdb" if name.startswith("ferretdb") else "mariadb"
            used[key] = used.get(key, 0.0) + (int(values[11]) + int(values[12])) / ticks
    return used


def recreate(server_url: str, drop_only: bool = False) -> None:
    engine = sa.create_engine(sa.engine.make_url(server_url).set(database=""))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{BENCH_DB}`"))
        if not drop_only:
            conn.execute(
                sa.text(
                    f"CREATE DATABASE `{BENCH_DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
            )
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="full", choices=["demo", "full"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the kayak_bench databases")
    parser.add_argument("--no-rerun", action="store_true", help="skip the idempotency re-run")
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL") or DEFAULTS["DATABASE_URL"]
    if not server_url.startswith("mysql"):
        parser.error("DATABASE_URL must point at MySQL/MariaDB")
    os.environ.update(
        APP_ENV="development",
        DATABASE_URL=sa.engine.make_url(server_url)
        .set(database=BENCH_DB)
        .render_as_string(hide_password=False),
        MONGO_URL=os.environ.get("MONGO_URL") or DEFAULTS["MONGO_URL"],
        MONGO_DB=BENCH_DB,
        REDIS_URL=os.environ.get("REDIS_URL") or DEFAULTS["REDIS_URL"],
        KAFKA_BOOTSTRAP="",
        LOG_LEVEL="WARNING",
    )
    recreate(server_url)

    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import mongo
    from app.listings import seed

    app = create_app()
    print(f"machine: {machine()}")
    print(f"database: {sa.engine.make_url(os.environ['DATABASE_URL']).render_as_string()}")
    print(f"documents: {os.environ['MONGO_URL']} db {BENCH_DB}")
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            mongo.client.drop_database(BENCH_DB)
            started, cpu_before, servers_before = (
                time.perf_counter(),
                time.process_time(),
                server_cpu(),
            )
            report = seed.run(args.scale, args.seed, progress=sys.stderr.isatty())
            wall = time.perf_counter() - started
            cpu = time.process_time() - cpu_before
            servers = {k: v - servers_before.get(k, 0.0) for k, v in server_cpu().items()}
            print(f"\nflask seed --scale {args.scale} --seed {args.seed}: first run")
            for line in report.lines():
                print("  " + line)
            print(f"  wall time {wall:.1f} s (target for full: under 180 s)")
            busy = ", ".join(f"{k} {v:.1f} s" for k, v in sorted(servers.items()))
            print(f"  CPU: this process {cpu:.1f} s, {busy or 'servers not visible'}")
            flights = sum(p.rows.get("flights", 0) for p in report.phases)
            print(f"  scheduled departures: {flights:,}")
            if not args.no_rerun:
                started = time.perf_counter()
                again = seed.run(args.scale, args.seed, progress=False)
                print(f"\nre-run (idempotent): {again.rows} rows added in "
                      f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    finally:
        if not args.keep:
            with app.app_context():
                from app.extensions import db

                db.engine.dispose()
                mongo.client.drop_database(BENCH_DB)
            recreate(server_url, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
