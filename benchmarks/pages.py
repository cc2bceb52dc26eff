#!/usr/bin/env python3
"""Listing pages under load: warm, cold and /healthz of the same app, in one run.

On the full stack with the full seed (issue 8: a warm listing page at least 50%
of the /healthz rate). Usage, with the local stack up:

    eval "$(scripts/stack.sh env)"
    .venv/bin/python benchmarks/pages.py [--clients 50] [--seconds 20] [--reseed]

- warm: a mix of 200 listing ids (flights, hotels, cars, the most reviewed first),
  each requested once before the run so its parts are in Redis;
- cold: listing ids never requested in this run (each one's first request: the
  reviews, photos and chart come from MongoDB and MySQL);
- /healthz: the same app, the same load generator, the same clients.
"""

from __future__ import annotations

import argparse
import random
import sys

import sqlalchemy as sa
from load import (
    BENCH_DB,
    Server,
    bench_environment,
    ensure_seeded,
    machine,
    make_app,
    report_line,
    run_wrk,
)


def listing_paths(warm: int, cold: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """`warm` ids (a third of each kind, busiest first) and `cold` other ids."""
    from app.extensions import db, queues

    app = make_app()
    rng = random.Random(seed)
    with app.app_context():
        queues.redis.flushdb()  # the bench's own Redis db: every page starts cold
        paths = {}
        for kind, table in (("flights", "flights"), ("hotels", "hotels"), ("cars", "cars")):
            ids = list(
                db.session.scalars(
                    sa.text(
                        f"SELECT id FROM {table} WHERE deleted_at IS NULL "
                        "ORDER BY review_count DESC, id LIMIT 20000"
                    )
                )
            )
            paths[kind] = [f"/{kind}/{i}" for i in ids]
        db.session.remove()
    per_kind = warm // 3 + 1
    warm_paths = [p for kind in paths.values() for p in kind[:per_kind]][:warm]
    rest = [p for kind in paths.values() for p in kind[per_kind:]]
    rng.shuffle(rest)
    return warm_paths, rest[:cold]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--cold-seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--scale", default="full", choices=["full", "demo"])
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    bench_environment()
    ensure_seeded(args.scale, reseed=args.reseed)
    warm, cold = listing_paths(200, 20_000)
    print(f"machine: {machine()}")
    print(
        f"app: gunicorn {args.workers} workers x {args.threads} threads, full stack, "
        f"databases {BENCH_DB}; load: wrk, {args.clients} connections, 2 threads"
    )
    with Server(args.workers, args.threads) as server:
        for path in warm:  # warm every part of the 200 pages
            status = server.get(path)
            if status != 200:
                print(f"{path} answered {status}", file=sys.stderr)
        run_wrk(server.base, ["/healthz"], args.clients, 3)  # let both workers settle
        # The machine is shared: interleave the phases and compare medians, so a
        # burst of someone else's work hits both sides alike.
        rounds: dict[str, list[dict]] = {"/healthz": [], "warm listing page (200)": []}
        for _ in range(args.rounds):
            rounds["/healthz"].append(
                run_wrk(server.base, ["/healthz"], args.clients, args.seconds)
            )
            rounds["warm listing page (200)"].append(
                run_wrk(server.base, warm, args.clients, args.seconds)
            )
        cold_figures = run_wrk(server.base, cold, args.clients, args.cold_seconds)
    results = {name: median_round(runs) for name, runs in rounds.items()}
    results["cold listing page"] = cold_figures
    baseline = results["/healthz"]
    print(f"\nmedian of {args.rounds} interleaved rounds of {args.seconds:.0f} s each:")
    for name, figures in results.items():
        print(report_line(name, figures, None if name == "/healthz" else baseline))
    print("each round (req/s):")
    for name, runs in rounds.items():
        print(f"  {name:<26} " + "  ".join(f"{r['rps']:.0f}" for r in runs))
    warm_ratio = results["warm listing page (200)"]["rps"] / baseline["rps"]
    print(f"\nwarm listing page / healthz: {warm_ratio:.1%} (target: at least 50%)")
    return 0


def median_round(runs: list[dict]) -> dict:
    """The round with the median request rate (its latencies come with it)."""
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


if __name__ == "__main__":
    sys.exit(main())
