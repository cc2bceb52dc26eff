#!/usr/bin/env python3
"""Search speed (issue 9): server time per query kind, uncached and cached, and
optionally the same searches under load beside /healthz.

On the full stack with the full seed (110k departures, 10k hotels, 10k cars),
in the bench databases of benchmarks/load.py. Usage, with the local stack up:

    eval "$(scripts/stack.sh env)"
    .venv/bin/python benchmarks/search.py [--queries 200] [--scale full|demo]
    .venv/bin/python benchmarks/search.py --load [--clients 50 200] [--seconds 20]

Part 1 (always): 200 varied real queries per kind, each requested twice through
the app in this process (Flask test client: routing, checks, SQL, Redis,
template; no network): the first request is uncached (the search cache is
emptied first, and every query differs), the second is served from Redis.
Kinds: one-way flights between airports joined by a one-stop connection (the
page also computes the 7-day price strip), round trips, hotels, cars. Prints
p50/p95/p99 in ms, and the CPU time of this process for the uncached request
(Python, the driver, the templates; not MariaDB's), which moves much less
than wall time when other work shares the machine. Targets: flights p95 < 100
ms, hotels and cars < 50 ms, cached < 5 ms.

Part 2 (--load): gunicorn (2 workers x 4 threads) and wrk: /healthz, cached
search (the 800 queries of part 1, warm) and uncached search (thousands of
other queries, each requested once) in ONE run, at each client count, with
each figure as a ratio to /healthz.

The activity events of the searches are counted but not sent (a no-op
transport), so the figures are the search's own.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from urllib.parse import urlencode

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


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def make_queries(n: int, seed: int = 11) -> dict[str, list[str]]:
    """Real queries that find results: routes with a one-stop connection, hotel
    cities and airports, car airports and cities, on dates of the schedule."""
    from app.extensions import db
    from app.search import queries as search_queries

    rng = random.Random(seed)
    conn = db.session
    # One-stop routes A -> B -> C that exist on some day (B's onward flight departs
    # 45 min to 6 h after the arrival), plus the date at A.
    firsts = conn.execute(
        sa.text(
            "SELECT f.origin, f.destination, f.departs_at, f.arrives_at FROM flights f "
            "WHERE f.deleted_at IS NULL ORDER BY RAND(:s) LIMIT :n"
        ),
        {"s": seed, "n": n * 6},
    ).all()
    flights = []
    for origin, hub, departs, arrives in firsts:
        onward = (
            conn.execute(
                sa.text(
                    "SELECT destination FROM flights WHERE origin = :hub AND departs_at "
                    "BETWEEN :a AND :b AND destination <> :origin AND deleted_at IS NULL LIMIT 5"
                ),
                {
                    "hub": hub,
                    "a": arrives + timedelta(minutes=45),
                    "b": arrives + timedelta(hours=6),
                    "origin": origin,
                },
            )
            .scalars()
            .all()
        )
        if not onward:
            continue
        day = search_queries.local(departs, origin).date()
        flights.append((origin, rng.choice(onward), day))
        if len(flights) >= n * 2:
            break
    cabins = ["economy"] * 6 + ["premium_economy", "business", "first"]
    one_way, round_trip = [], []
    for origin, destination, day in flights[:n]:
        args = {
            "trip": "oneway",
            "from": origin,
            "to": destination,
            "depart": day.isoformat(),
            "travelers": rng.choice([1, 1, 1, 2, 2, 3, 4]),
            "cabin": rng.choice(cabins),
        }
        one_way.append("/search/flights?" + urlencode(args))
    for origin, destination, day in flights[n : 2 * n] or flights[:n]:
        back = day + timedelta(days=rng.randint(2, 7))
        args = {
            "trip": "round",
            "from": origin,
            "to": destination,
            "depart": day.isoformat(),
            "return": back.isoformat(),
            "travelers": rng.choice([1, 1, 2, 2, 3]),
            "cabin": rng.choice(cabins),
        }
        round_trip.append("/search/flights?" + urlencode(args))
    first_day = conn.execute(sa.text("SELECT MIN(departs_at) FROM flights")).scalar().date()
    span = max(
        1,
        (
            conn.execute(sa.text("SELECT MAX(departs_at) FROM flights")).scalar().date() - first_day
        ).days
        - 10,
    )
    cities = conn.execute(
        sa.text(
            "SELECT city, state, COUNT(*) c FROM hotels WHERE deleted_at IS NULL "
            "GROUP BY city, state ORDER BY c DESC LIMIT 400"
        )
    ).all()
    hotels = []
    for _ in range(n):
        city, state, _count = rng.choice(cities)
        checkin = first_day + timedelta(days=rng.randint(1, span))
        where = (
            f"{city}, {state}"
            if rng.random() < 0.85
            else rng.choice(["SFO", "JFK", "ORD", "LAX", "ATL", "DEN", "SEA", "BOS", "MIA", "DFW"])
        )
        guests = rng.choice([1, 2, 2, 2, 3, 4, 5])
        args = {
            "where": where,
            "checkin": checkin.isoformat(),
            "checkout": (checkin + timedelta(days=rng.randint(1, 7))).isoformat(),
            "guests": guests,
            "rooms": 1 if guests < 5 else 2,
        }
        hotels.append("/search/hotels?" + urlencode(args))
    places = conn.execute(
        sa.text(
            "SELECT pickup_airport, pickup_city, pickup_state FROM cars "
            "WHERE deleted_at IS NULL ORDER BY RAND(:s) LIMIT :n"
        ),
        {"s": seed, "n": n},
    ).all()
    cars = []
    for airport, city, state in places:
        pickup = first_day + timedelta(days=rng.randint(1, span), hours=rng.choice([9, 10, 12]))
        args = {
            "where": airport or f"{city}, {state}",
            "pickup": f"{pickup:%Y-%m-%d}T{pickup:%H}:00",
            "dropoff": f"{pickup + timedelta(days=rng.randint(1, 10)):%Y-%m-%dT%H}:00",
        }
        cars.append("/search/cars?" + urlencode(args))
    return {
        "flight one-way (connections)": one_way,
        "flight round trip": round_trip,
        "hotel": hotels,
        "car": cars,
    }


def clear_search_cache() -> None:
    from flask import current_app

    from app.extensions import queues

    prefix = current_app.config["CACHE_KEY_PREFIX"]
    for key in queues.redis.scan_iter(f"{prefix}search:*", count=1000):
        queues.redis.delete(key)


def server_times(app, kinds: dict[str, list[str]]) -> None:
    client = app.test_client()
    with app.app_context():
        clear_search_cache()
    client.get("/search/places?kind=flights&field=q&q=sfo")  # build the place index
    print(
        f"\n{'query kind':<30} {'n':>4} {'uncached p50':>13} {'p95':>7} {'p99':>7}"
        f" {'cached p50':>11} {'p95':>6} {'p99':>6}  {'uncached cpu p50':>16} {'p95':>6}"
        "  results (median)"
    )
    for name, paths in kinds.items():
        cold, cpu, warm, counts, bad = [], [], [], [], 0
        for path in paths:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            cold.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            start = time.perf_counter()
            again = client.get(path)
            warm.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200 or again.status_code != 200:
                bad += 1
            text = response.get_data(as_text=True)
            marker = text.find('<p class="result-count"')
            if marker >= 0:
                number = text[text.find("<strong>", marker) + 8 : text.find("</strong>", marker)]
                counts.append(int(number.replace(",", "") or 0))
        print(
            f"{name:<30} {len(paths):>4} {pct(cold, 50):>10.1f} ms {pct(cold, 95):>7.1f}"
            f" {pct(cold, 99):>7.1f} {pct(warm, 50):>8.1f} ms {pct(warm, 95):>6.1f}"
            f" {pct(warm, 99):>6.1f}  {pct(cpu, 50):>13.1f} ms {pct(cpu, 95):>6.1f}"
            f"  {statistics.median(counts) if counts else 0:g}"
            f"{f'  ({bad} not 200)' if bad else ''}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=200, help="queries per kind")
    parser.add_argument("--scale", default="full", choices=["full", "demo"])
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--load", action="store_true", help="also run part 2 under gunicorn")
    parser.add_argument("--clients", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    bench_environment()
    ensure_seeded(args.scale, reseed=args.reseed)
    app = make_app()
    from app.extensions import activity, db

    activity.track = lambda *a, **kw: True  # counted by the app in production; not sent here
    with app.app_context():
        kinds = make_queries(args.queries)
        rows = {
            t: db.session.scalar(sa.text(f"SELECT COUNT(*) FROM {t}"))
            for t in ("flights", "hotels", "cars")
        }
        db.session.remove()
    print(f"machine: {machine()}")
    print(f"data: {BENCH_DB} ({args.scale}): " + ", ".join(f"{v:,} {k}" for k, v in rows.items()))
    print("part 1: server time in-process (Flask test client, whole request, no network)")
    server_times(app, kinds)
    if not args.load:
        return 0

    warm_paths = [p for paths in kinds.values() for p in paths]
    with app.app_context():
        extra = make_queries(args.queries * 8, seed=29)
    cold_paths = [p for paths in extra.values() for p in paths if p not in set(warm_paths)]
    random.Random(3).shuffle(cold_paths)
    print(
        f"\npart 2: gunicorn {args.workers} workers x {args.threads} threads; wrk, 2 threads; "
        f"{len(warm_paths)} cached queries, {len(cold_paths)} uncached ones"
    )
    with Server(args.workers, args.threads) as server:
        for path in warm_paths:
            server.get(path)
        run_wrk(server.base, ["/healthz"], 50, 3)
        used = 0
        for clients in args.clients:
            results = {"/healthz": run_wrk(server.base, ["/healthz"], clients, args.seconds)}
            results["cached search"] = run_wrk(server.base, warm_paths, clients, args.seconds)
            results["uncached search"] = run_wrk(
                server.base, cold_paths[used:], clients, args.seconds
            )
            used += results["uncached search"]["requests"]
            print(f"\n{clients} clients")
            for name, figures in results.items():
                baseline = None if name == "/healthz" else results["/healthz"]
                print(report_line(name, figures, baseline))
            if used >= len(cold_paths):
                print("(uncached queries ran out: later figures include cached repeats)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
