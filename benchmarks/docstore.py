#!/usr/bin/env python3
"""The document store's common operations on FerretDB, backend against backend.

A reviews-like collection (the app's three indexes, see app/listings/reviews.py
ensure_indexes) at each size: insert_many, find by `_id`, find by listing with
sort + limit (the review page), count_documents by listing, a `$inc` upsert by
`_id` (the "helpful" vote), and the one-accumulator `$group` of refresh_rating.
Prints the median (p50) and p90 per operation, in milliseconds.

Usage (local stack up):
    eval "$(scripts/stack.sh env)"
    .venv/bin/python benchmarks/docstore.py                     # postgresql, then sqlite
    .venv/bin/python benchmarks/docstore.py --target postgresql --sizes 1000
    .venv/bin/python benchmarks/docstore.py --target mongodb://127.0.0.1:27019/

Targets: `postgresql` is the stack's FerretDB ($MONGO_URL, default :27018);
`sqlite` starts the stack's FerretDB binary ($FERRETDB_BIN, default the one
scripts/stack.sh built) on a free port with the SQLite backend in a temporary
directory, and stops it afterwards; anything else is a MongoDB URL. Each
target gets its own database, `kayak_bench_docstore`, dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pymongo

STACK_DIR = Path(os.environ.get("KAYAK_STACK_DIR") or Path.home() / ".cache" / "kayak-stack")
FERRET_BIN = Path(
    os.environ.get("FERRETDB_BIN") or STACK_DIR / "ferretdb" / "bin" / "ferretdb-kayak"
)
DB_NAME = "kayak_bench_docstore"
KINDS = ("flight", "hotel", "car")
REVIEWS_PER_LISTING = 5  # the full seed has 3 to 6
BATCH = 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sqlite_ferretdb(workdir: str) -> tuple[subprocess.Popen, str]:
    if not FERRET_BIN.exists():
        sys.exit(f"{FERRET_BIN} is missing: run scripts/stack.sh up ferretdb first")
    port = free_port()
    proc = subprocess.Popen(
        [str(FERRET_BIN), "-listen", f"127.0.0.1:{port}", "-sqlite-dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(workdir, "ferretdb.log"), "w"),  # noqa: SIM115
    )
    url = f"mongodb://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            pymongo.MongoClient(url, serverSelectionTimeoutMS=500).admin.command("ping")
            return proc, url
        except pymongo.errors.PyMongoError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                sys.exit(f"FerretDB (sqlite) did not start; see {workdir}/ferretdb.log")
            time.sleep(0.2)


def ensure_indexes(reviews) -> None:
    """The same indexes as app/listings/reviews.py ensure_indexes."""
    reviews.create_index(
        [("listing_kind", 1), ("listing_id", 1), ("author_id", 1)],
        unique=True,
        name="one_review_per_author",
    )
    reviews.create_index(
        [("listing_kind", 1), ("listing_id", 1), ("created_at", -1)], name="by_listing_newest"
    )
    reviews.create_index([("author_id", 1), ("created_at", -1)], name="by_author")


def make_reviews(n: int, rng: random.Random) -> list[dict]:
    listings = max(1, n // REVIEWS_PER_LISTING)
    start = datetime(2026, 1, 1)
    text = (
        "Booked this for a work trip and it was a great choice. The location is perfect, "
        "walking distance to restaurants and shops. Already planning our next stay."
    )
    return [
        {
            "_id": uuid.UUID(int=rng.getrandbits(128)).hex,
            "listing_kind": KINDS[i % 3],
            "listing_id": rng.randrange(listings // 3 + 1),
            "listing_title": f"Listing {i % 997}",
            "author_id": i,  # unique, so one_review_per_author never refuses
            "author_name": "Joe O.",
            "rating": rng.randint(1, 5),
            "title": "Highly recommend",
            "text": text,
            "trip_date": start + timedelta(days=rng.randrange(300)),
            "created_at": start + timedelta(minutes=rng.randrange(500_000)),
            "helpful": 0,
        }
        for i in range(n)
    ]


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def repeat(fn, args: list, budget_s: float, min_runs: int = 5) -> list[float]:
    """Run fn(arg) for each arg until the list or the time budget runs out."""
    out: list[float] = []
    t0 = time.monotonic()
    for a in args:
        out.append(timed(lambda a=a: fn(a)))
        if len(out) >= min_runs and time.monotonic() - t0 > budget_s:
            break
    return out


def run_size(db, n: int, reps: int, budget_s: float, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed)
    db.drop_collection("reviews")
    reviews = db.reviews
    ensure_indexes(reviews)
    docs = make_reviews(n, rng)
    res: dict[str, list[float]] = {}

    res[f"insert_many ({BATCH}/batch)"] = [
        timed(lambda b=b: reviews.insert_many(docs[b : b + BATCH], ordered=False))
        for b in range(0, n, BATCH)
    ]
    ids = [d["_id"] for d in rng.sample(docs, min(reps, n))]
    listings = [
        {"listing_kind": d["listing_kind"], "listing_id": d["listing_id"]}
        for d in rng.sample(docs, min(reps, n))
    ]
    res["find_one by _id"] = repeat(lambda i: reviews.find_one({"_id": i}), ids, budget_s)
    res["find listing, sort, limit 10"] = repeat(
        lambda q: list(reviews.find(q).sort("created_at", pymongo.DESCENDING).limit(10)),
        listings,
        budget_s,
    )
    res["count_documents listing"] = repeat(reviews.count_documents, listings, budget_s)
    res["$inc upsert by _id"] = repeat(
        lambda i: reviews.update_one({"_id": i}, {"$inc": {"helpful": 1}}, upsert=True),
        ids,
        budget_s,
    )
    res["aggregate $match+$group"] = repeat(
        lambda q: list(
            reviews.aggregate(
                [{"$match": q}, {"$group": {"_id": None, "total": {"$sum": "$rating"}}}]
            )
        ),
        listings,
        budget_s,
    )
    # a sanity check that the runs did real work
    assert reviews.count_documents({}) == n, "document count after the run"
    return res


def p(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--target", action="append", help="postgresql | sqlite | mongodb://...")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 60000])
    ap.add_argument("--reps", type=int, default=30, help="samples per read/update op")
    ap.add_argument("--budget", type=float, default=20.0, help="seconds per op (min 5 runs)")
    args = ap.parse_args()
    targets = args.target or ["postgresql", "sqlite"]

    print(f"# {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, pymongo {pymongo.version}")
    print(f"{'target':<15} {'docs':>6}  {'operation':<30} {'p50 ms':>9} {'p90 ms':>9} {'runs':>5}")
    for target in targets:
        proc, tmp = None, None
        if target == "sqlite":
            tmp = tempfile.TemporaryDirectory(prefix="docstore-sqlite-")
            proc, url = start_sqlite_ferretdb(tmp.name)
        elif target == "postgresql":
            url = os.environ.get("MONGO_URL") or "mongodb://127.0.0.1:27018/"
        else:
            url = target
        label = target.split("://")[-1].strip("/")
        client = pymongo.MongoClient(url, serverSelectionTimeoutMS=5000)
        try:
            for n in args.sizes:
                res = run_size(client[DB_NAME], n, args.reps, args.budget, seed=n)
                for op, values in res.items():
                    print(
                        f"{label:<15} {n:>6}  {op:<30} {p(values, 50):>9.2f} "
                        f"{p(values, 90):>9.2f} {len(values):>5}",
                        flush=True,
                    )
        finally:
            client.drop_database(DB_NAME)
            client.close()
            if proc:
                proc.terminate()
                proc.wait(10)
            if tmp:
                tmp.cleanup()


if __name__ == "__main__":
    main()
