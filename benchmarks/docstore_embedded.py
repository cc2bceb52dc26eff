#!/usr/bin/env python3
"""The embedded document store (app/core/embedded.py) on the document workload.

The same reviews-like workload as benchmarks/docstore.py (the app's three
review indexes, 5 reviews per listing): insert_many, find_one by `_id`, find by
listing with sort + limit 10 (the review page), count_documents by listing, a
`$inc` upsert by `_id` (the "helpful" vote) and the `$match` + `$group` of
refresh_rating; and, to show the limit, a count on a field with no index (a
full scan). Prints p50 and p95 per operation in milliseconds.

Usage:
    .venv/bin/python benchmarks/docstore_embedded.py                 # 1,000 and 60,000
    .venv/bin/python benchmarks/docstore_embedded.py --sizes 1000 --reps 50

Each size runs in a fresh store in a temporary directory (removed afterwards).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.core.embedded import EmbeddedClient  # noqa: E402

KINDS = ("flight", "hotel", "car")
REVIEWS_PER_LISTING = 5
BATCH = 1000


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
            "author_id": i,
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


def run_size(db, n: int, reps: int, seed: int) -> dict[str, list[float]]:
    rng = random.Random(seed)
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
    res["find_one by _id"] = [timed(lambda i=i: reviews.find_one({"_id": i})) for i in ids]
    res["find listing, sort, limit 10"] = [
        timed(lambda q=q: list(reviews.find(q).sort("created_at", -1).limit(10))) for q in listings
    ]
    res["count_documents listing"] = [
        timed(lambda q=q: reviews.count_documents(q)) for q in listings
    ]
    res["$inc upsert by _id"] = [
        timed(lambda i=i: reviews.update_one({"_id": i}, {"$inc": {"helpful": 1}}, upsert=True))
        for i in ids
    ]
    res["aggregate $match+$group"] = [
        timed(
            lambda q=q: list(
                reviews.aggregate(
                    [{"$match": q}, {"$group": {"_id": None, "total": {"$sum": "$rating"}}}]
                )
            )
        )
        for q in listings
    ]
    # The limit to know: a filter no declared index serves reads every document.
    res["count unindexed field (scan)"] = [
        timed(lambda r=r: reviews.count_documents({"rating": r})) for r in range(1, 6)
    ]
    assert reviews.count_documents({}) == n, "document count after the run"
    return res


def _writer(path: str, worker: int, count: int, start: float, out) -> None:
    coll = EmbeddedClient(path)["bench"].counters
    coll.find_one({"_id": "warm-up"})
    while time.time() < start:
        time.sleep(0.001)
    began = time.time()
    for i in range(count):
        coll.update_one({"_id": f"{worker}:{i % 100}"}, {"$inc": {"n": 1}}, upsert=True)
    out.put((began, time.time()))


def writers(processes: int, count: int) -> float:
    """`$inc` upserts per second, all processes together (one writer at a time)."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="docstore-embedded-") as tmp:
        EmbeddedClient(tmp)["bench"].counters.insert_one({"_id": "warm-up"})
        start, out = time.time() + 3.0, ctx.Queue()
        procs = [
            ctx.Process(target=_writer, args=(tmp, w, count, start, out)) for w in range(processes)
        ]
        for p in procs:
            p.start()
        spans = [out.get(timeout=600) for _ in procs]
        for p in procs:
            p.join()
        elapsed = max(end for _, end in spans) - min(began for began, _ in spans)
        total = sum(d["n"] for d in EmbeddedClient(tmp)["bench"].counters.find({"n": {"$gt": 0}}))
        assert total == processes * count, "lost increments"
    return total / elapsed


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 60000])
    ap.add_argument("--reps", type=int, default=200, help="samples per read/update op")
    ap.add_argument("--writers", type=int, default=2, help="processes in the write test")
    ap.add_argument("--writes", type=int, default=2000, help="upserts per writer process")
    args = ap.parse_args()
    print(f"# {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, embedded store (SQLite)")
    print(f"{'docs':>6}  {'operation':<30} {'p50 ms':>8} {'p95 ms':>8} {'runs':>5}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="docstore-embedded-") as tmp:
            client = EmbeddedClient(tmp)
            try:
                for op, values in run_size(client["bench"], n, args.reps, seed=n).items():
                    print(
                        f"{n:>6}  {op:<30} {percentile(values, 50):>8.2f} "
                        f"{percentile(values, 95):>8.2f} {len(values):>5}",
                        flush=True,
                    )
            finally:
                client.close()
    rate = writers(args.writers, args.writes)
    print(f"{args.writers} processes x {args.writes} $inc upserts: {rate:,.0f} writes/s in all")


if __name__ == "__main__":
    main()
