"""Embedded mode: the app with no servers at all, as `make run` starts it."""

import json
import os
import socket
import subprocess
import sys
import urllib.request

import pytest

from tests.conftest import ROOT, Process, wait_for

SERVER_VARS = ("DATABASE_URL", "MONGO_URL", "REDIS_URL", "KAFKA_BOOTSTRAP", "MONGO_DB")


@pytest.fixture()
def embedded_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in SERVER_VARS}
    env.update(APP_ENV="development", KAYAK_INSTANCE_PATH=str(tmp_path / "instance"),
               FLASK_APP="wsgi.py", LOG_FORMAT="text", RQ_QUEUE="kayak")  # fmt: skip
    env.pop("SECRET_KEY", None)
    yield env
    # Stop the embedded Redis this test started.
    subprocess.run(
        [sys.executable, "-c",
         "from app import create_app; from app.core.embedded import stop_embedded_redis; "
         "stop_embedded_redis(create_app())"],
        cwd=ROOT, env=env, check=False, timeout=30,
    )  # fmt: skip


def flask(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except OSError:
        return None


def run_in_app(env, code: str) -> str:
    """Run `code` in an app context of the embedded app; returns its stdout."""
    script = (
        "from app import create_app\nfrom app.extensions import mongo\n"
        "app = create_app()\napp.app_context().push()\n" + code
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_app_runs_with_no_servers_and_is_ready(embedded_env, tmp_path):
    flask(embedded_env, "db", "upgrade")
    instance = tmp_path / "instance"
    assert (instance / "kayak.db").exists()
    port = free_port()
    procs = [
        Process("worker", ["-m", "workers.worker"], tmp_path, embedded_env),
        Process("relay", ["-m", "workers.relay"], tmp_path, embedded_env),
        Process("web", ["-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "wsgi:app"], tmp_path,
                embedded_env),
    ]  # fmt: skip
    for proc in procs:
        proc.start()
    try:
        base = f"http://127.0.0.1:{port}"

        def ready():
            answer = get_json(f"{base}/readyz")
            return answer if answer and answer[1]["checks"]["workers"]["status"] == "ok" else None

        status, body = wait_for(ready, 60, message=lambda: "\n".join(p.log_tail() for p in procs))
        assert status == 200 and body["status"] == "ok", body
        for name, check in body["checks"].items():
            assert check["status"] == "ok", (name, check)
        assert body["checks"]["database"]["detail"] == "sqlite"
        assert "embedded" in body["checks"]["documents"]["detail"]
        assert "embedded" in body["checks"]["broker"]["detail"]

        with urllib.request.urlopen(f"{base}/", timeout=5) as response:
            assert response.status == 200
            assert b"Search hundreds of travel sites" in response.read()

        # An event goes outbox -> relay -> RQ -> handler -> embedded document store.
        event_id = flask(embedded_env, "events", "ping").strip()
        count_script = (
            "from app import create_app; from app.extensions import mongo; "
            f"app = create_app(); app.app_context().push(); "
            f"print(mongo.db.events.count_documents({{'_id': '{event_id}'}}))"
        )

        def stored():
            out = subprocess.run(
                [sys.executable, "-c", count_script],
                cwd=ROOT,
                env=embedded_env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            return out.stdout.strip().endswith("1")

        wait_for(stored, 60, interval=1, message=lambda: procs[0].log_tail())
        # The raw event log is bounded: its TTL index came with the first event.
        ttl = run_in_app(
            embedded_env,
            "print(mongo.db.events.index_information()['expire_raw_events']['expireAfterSeconds'])",
        )
        assert ttl.strip().splitlines()[-1] == str(7 * 86400)
        assert (instance / "docstore").is_dir()
        assert (instance / "redis" / "redis.sock").exists()
    finally:
        for proc in procs:
            proc.stop()


SECOND_REVIEW = """
import json
from app.extensions import db
from app.listings import queries, reviews
from app.listings.validation import Invalid

seeded = mongo.db.reviews.find_one({})
listing = queries.get_listing(seeded["listing_kind"], seeded["listing_id"])
author = seeded["author_id"]
review = {"rating": "2", "title": "Again", "trip_date": "2026-01",
          "text": "A second review of the same stay, which must be refused."}

def attempt():
    try:
        reviews.add_review(listing, author, "Someone", review)
        db.session.commit()
        return "accepted"
    except Invalid as exc:
        db.session.rollback()
        return exc.errors.get("listing", str(exc.errors))

page_rule = attempt()  # what the review form's check refuses
# Past that check, as a second request racing the first would get: only the
# unique index (listing, author) stands in the way.
reviews.may_review = lambda *args, **kwargs: (True, "")
race = attempt()
count = mongo.db.reviews.count_documents(
    {"listing_kind": listing.kind, "listing_id": listing.id, "author_id": author})
print(json.dumps({"page_rule": page_rule, "race": race, "count": count,
                  "indexes": sorted(mongo.db.reviews.index_information())}))
"""


def test_a_second_review_by_the_same_traveler_is_refused(embedded_env):
    """As on the full stack: `make run`'s seed declares the reviews' indexes, and
    the unique one refuses a second review even when the form's check is passed."""
    flask(embedded_env, "db", "upgrade")
    flask(embedded_env, "seed", "--scale", "demo")  # as `make run` does
    result = json.loads(run_in_app(embedded_env, SECOND_REVIEW).strip().splitlines()[-1])
    assert "one_review_per_author" in result["indexes"]
    assert result["page_rule"] == "You have already reviewed this listing."
    assert result["race"] == "You have already reviewed this listing."
    assert result["count"] == 1


# -- the embedded document store's own mechanics (tests/core/test_document_contract.py
#    holds what it shares with FerretDB) ----------------------------------------


@pytest.fixture()
def docstore(tmp_path):
    from app.core.embedded import EmbeddedClient

    client = EmbeddedClient(str(tmp_path / "docstore"))
    yield client["kayak"]
    client.close()


def test_reads_by_id_and_by_declared_indexes_use_an_index(docstore):
    reviews = docstore.reviews
    reviews.create_index([("listing_kind", 1), ("listing_id", 1), ("created_at", -1)], name="nl")
    reviews.create_index([("author_id", 1), ("created_at", -1)], name="by_author")
    reviews.insert_one({"_id": "r1", "listing_kind": "hotel", "listing_id": 1, "author_id": 2})
    assert "(id=?)" in reviews.explain({"_id": "r1"})
    assert "USING INDEX c.reviews.nl" in reviews.explain({"listing_kind": "hotel", "listing_id": 1})
    assert "USING INDEX c.reviews.by_author" in reviews.explain({"author_id": {"$in": [1, 2]}})
    ranged = reviews.explain({"listing_kind": "hotel", "listing_id": {"$gte": 1, "$lt": 9}})
    assert "USING INDEX c.reviews.nl" in ranged
    assert reviews.explain({"rating": 5}).startswith("SCAN")  # no index: the documented limit


def test_values_that_index_keys_cannot_order_are_still_found(docstore):
    coll = docstore.things
    coll.create_index("tags")
    coll.create_index("meta.kind")
    coll.insert_many(
        [
            {"_id": 1, "tags": ["a", "b"], "meta": {"kind": "x"}},
            {"_id": 2, "tags": "a", "meta": [{"kind": "x"}, {"kind": "y"}]},
            {"_id": 3, "tags": {"sub": 1}, "meta": {"kind": "y"}},
            {"_id": 4},
        ]
    )
    assert sorted(d["_id"] for d in coll.find({"tags": "a"})) == [1, 2]
    assert [d["_id"] for d in coll.find({"tags": {"$in": ["b"]}})] == [1]
    assert [d["_id"] for d in coll.find({"tags": {"sub": 1}})] == [3]
    assert sorted(d["_id"] for d in coll.find({"meta.kind": "y"})) == [2, 3]
    assert [d["_id"] for d in coll.find({"tags": None})] == [4]
    assert sorted(d["_id"] for d in coll.find({"tags": {"$gte": "a"}})) == [1, 2]


def test_unique_keys_compare_like_mongodb(docstore):
    coll = docstore.keys
    coll.create_index("k", unique=True)
    for value in (1, "1", True, None, datetime_of(2026, 1, 1), 2.5, "b"):
        coll.insert_one({"k": value})
    from pymongo.errors import DuplicateKeyError

    for value in (1.0, "1", True, datetime_of(2026, 1, 1, 0, 0, 0, 400), 2.5):
        with pytest.raises(DuplicateKeyError):
            coll.insert_one({"k": value})
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({})  # missing is null, as on MongoDB (FerretDB accepts it)
    # arrays are not checked (no multikey unique indexes) and never collide
    coll.insert_many([{"k": ["x"]}, {"k": ["x"]}])
    assert coll.count_documents({"k": {"$gt": 0}}) == 2  # numbers only: 1 and 2.5
    # strings only: "1" and "b", and both ["x"] (an array matches by its elements)
    assert coll.count_documents({"k": {"$gt": ""}}) == 4


def datetime_of(*parts):
    from datetime import datetime

    return datetime(*parts)


def test_an_index_made_by_another_process_is_seen_at_once(tmp_path):
    """Each process caches the schema; a new index elsewhere must not let this one
    write rows without its keys (which would let a duplicate in)."""
    from pymongo.errors import DuplicateKeyError

    from app.core.embedded import EmbeddedClient

    web = EmbeddedClient(str(tmp_path))["kayak"].reviews
    worker = EmbeddedClient(str(tmp_path))["kayak"].reviews
    web.insert_one({"a": 1, "b": 1})
    assert web.count_documents({"a": 1}) == 1  # web has read the schema
    worker.create_index([("a", 1), ("b", 1)], unique=True)
    with pytest.raises(DuplicateKeyError):
        web.insert_one({"a": 1, "b": 1})
    assert "USING INDEX" in web.explain({"a": 1, "b": 1})


def test_index_declarations_conflict_and_drop_as_on_mongodb(docstore):
    from pymongo.errors import OperationFailure

    coll = docstore.events
    assert coll.create_index("at", expireAfterSeconds=60, name="ttl") == "ttl"
    assert coll.create_index("at", expireAfterSeconds=60, name="ttl") == "ttl"  # same: no-op
    with pytest.raises(OperationFailure) as conflict:
        coll.create_index("at", expireAfterSeconds=120, name="ttl")
    assert conflict.value.code == 85
    coll.drop_index("ttl")
    assert coll.create_index("at", expireAfterSeconds=120, name="ttl") == "ttl"
    assert coll.index_information()["ttl"]["expireAfterSeconds"] == 120
    with pytest.raises(OperationFailure):
        coll.create_index("at", sparse=True, name="other")  # not supported: said, not ignored


def test_threads_of_one_process_share_the_store_safely(docstore):
    """gunicorn runs 4 threads per worker: each has its own connection."""
    import threading

    counters = docstore.counters
    counters.create_index("k", unique=True)
    errors = []

    def work(n):
        try:
            for i in range(100):
                counters.update_one({"_id": "views"}, {"$inc": {"n": 1}}, upsert=True)
                counters.update_one({"_id": f"t{n}:{i}"}, {"$set": {"k": f"{n}:{i}"}}, upsert=True)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert counters.find_one({"_id": "views"})["n"] == 400
    assert counters.count_documents({"k": {"$exists": True}}) == 400
