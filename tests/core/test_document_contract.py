"""The document-store contract: every operation the app makes, on both stores.

Each test runs against FerretDB (MONGO_URL of the test stack, a throwaway
database) and against the embedded store (app/core/embedded.py, in a temporary
folder). A use that only one of them supports fails here, so keep new uses of
`mongo.db` inside what these tests cover (or add a test). Where the stores
differ on purpose the test says so and skips with the reason.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pymongo
import pytest
from bson.errors import InvalidDocument
from pymongo import ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure, WriteError

from app.core.embedded import EmbeddedClient
from tests.conftest import ROOT, RUN_ID

CONTRACT_DB = f"kayak_contract_{RUN_ID}"


@pytest.fixture(scope="module")
def ferretdb():
    client = pymongo.MongoClient(os.environ["MONGO_URL"], serverSelectionTimeoutMS=5000)
    yield client
    client.drop_database(CONTRACT_DB)
    client.close()


@pytest.fixture(params=["ferretdb", "embedded"])
def store(request, tmp_path):
    """(kind, database, how a child process opens the same database)."""
    if request.param == "ferretdb":
        db = request.getfixturevalue("ferretdb")[CONTRACT_DB]
        opener = ["ferretdb", os.environ["MONGO_URL"], CONTRACT_DB]
    else:
        client = EmbeddedClient(str(tmp_path / "docstore"))
        db = client["kayak"]
        opener = ["embedded", str(tmp_path / "docstore"), "kayak"]
    yield request.param, db, opener
    if request.param == "embedded":
        client.close()


@pytest.fixture()
def coll(store):
    """A new collection for one test, dropped afterwards."""
    _, db, _ = store
    collection = db[f"c_{uuid.uuid4().hex[:10]}"]
    yield collection
    db.drop_collection(collection.name)


def names(docs) -> list:
    return [d["_id"] for d in docs]


# -- inserts and _id -----------------------------------------------------------


def test_insert_one_assigns_an_object_id_and_refuses_a_second_id(coll):
    doc = {"a": 1}
    inserted = coll.insert_one(doc).inserted_id
    assert doc["_id"] == inserted  # pymongo sets it on the caller's dict
    assert coll.find_one({"_id": inserted})["a"] == 1
    coll.insert_one({"_id": "review-1", "a": 2})
    with pytest.raises(DuplicateKeyError) as refused:
        coll.insert_one({"_id": "review-1", "a": 3})
    assert refused.value.code == 11000
    assert coll.find_one("review-1")["a"] == 2  # find_one(id) as pymongo


def test_numbers_are_one_id_whatever_their_type(coll):
    coll.insert_one({"_id": 7, "a": 1})
    assert coll.find_one({"_id": 7.0})["a"] == 1
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({"_id": 7.0})
    coll.insert_one({"_id": "7"})  # a string is another id
    assert coll.count_documents({}) == 2


def test_insert_many_unordered_keeps_the_rest_and_names_each_duplicate(coll):
    coll.insert_one({"_id": "b"})
    docs = [{"_id": "a"}, {"_id": "b"}, {"_id": "c"}]
    with pytest.raises(BulkWriteError) as failed:
        coll.insert_many(docs, ordered=False)
    errors = failed.value.details["writeErrors"]
    assert [(e["index"], e["code"]) for e in errors] == [(1, 11000)]
    assert sorted(names(coll.find())) == ["a", "b", "c"]


def test_insert_many_ordered_stops_at_the_first_duplicate(coll):
    coll.insert_one({"_id": 2})
    with pytest.raises(BulkWriteError) as failed:
        coll.insert_many([{"_id": 1}, {"_id": 2}, {"_id": 3}])
    assert failed.value.details["nInserted"] == 1
    assert sorted(names(coll.find())) == [1, 2]


def test_dates_come_back_naive_utc_in_milliseconds(coll):
    aware = datetime(2026, 5, 1, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    coll.insert_one({"_id": 1, "at": aware})
    stored = coll.find_one({"_id": 1})["at"]
    assert stored == datetime(2026, 5, 1, 10, 30, 15, 123000)
    assert stored.tzinfo is None
    # a query with an aware date (or microseconds) finds it as the server does
    assert coll.count_documents({"at": aware}) == 1
    assert coll.count_documents({"at": {"$gte": aware.astimezone(UTC)}}) == 1


# -- unique indexes ------------------------------------------------------------


def test_unique_compound_index_refuses_duplicates(coll):
    name = coll.create_index(
        [("listing_kind", 1), ("listing_id", 1), ("author_id", 1)],
        unique=True,
        name="one_review_per_author",
    )
    assert name == "one_review_per_author"
    info = coll.index_information()
    assert info["one_review_per_author"]["unique"] is True
    assert [tuple(k) for k in info["one_review_per_author"]["key"]] == [
        ("listing_kind", 1),
        ("listing_id", 1),
        ("author_id", 1),
    ]
    coll.insert_one({"listing_kind": "hotel", "listing_id": 1, "author_id": 5})
    with pytest.raises(DuplicateKeyError) as refused:
        coll.insert_one({"listing_kind": "hotel", "listing_id": 1, "author_id": 5, "x": 1})
    assert refused.value.code == 11000
    # any key that differs is another review
    coll.insert_one({"listing_kind": "hotel", "listing_id": 2, "author_id": 5})
    coll.insert_one({"listing_kind": "car", "listing_id": 1, "author_id": 5})
    coll.insert_one({"listing_kind": "hotel", "listing_id": 1, "author_id": 6})
    assert coll.count_documents({}) == 4
    # declaring it again is a no-op, as ensure_indexes does on every seed
    coll.create_index(
        [("listing_kind", 1), ("listing_id", 1), ("author_id", 1)],
        unique=True,
        name="one_review_per_author",
    )


def test_indexes_are_listed_and_dropped(coll):
    """app/analytics/services.py drops and re-declares its TTL index when the
    setting changes."""
    coll.create_index([("grain", 1), ("period", 1)], name="by_period")
    assert set(coll.index_information()) == {"_id_", "by_period"}
    coll.drop_index("by_period")
    assert set(coll.index_information()) == {"_id_"}
    with pytest.raises(OperationFailure):
        coll.drop_index("by_period")


def test_unique_index_also_holds_for_updates_and_upserts(coll):
    coll.create_index("email", unique=True)
    coll.insert_many([{"_id": 1, "email": "a@x"}, {"_id": 2, "email": "b@x"}])
    # FerretDB 1.24 on PostgreSQL answers an update that collides with
    # OperationFailure code 1 (its InternalError), not E11000: catch
    # OperationFailure (DuplicateKeyError's parent) around such updates.
    with pytest.raises(OperationFailure):
        coll.update_one({"_id": 2}, {"$set": {"email": "a@x"}})
    with pytest.raises(OperationFailure):
        coll.update_one({"_id": 3}, {"$set": {"email": "b@x"}}, upsert=True)
    assert coll.find_one({"_id": 2})["email"] == "b@x"
    assert coll.count_documents({}) == 2


def test_unique_index_on_existing_duplicates_is_refused(coll):
    coll.insert_many([{"k": 1}, {"k": 1}])
    with pytest.raises(OperationFailure):  # E11000 on MongoDB, code 1 on FerretDB
        coll.create_index("k", unique=True, name="k_unique")
    assert "k_unique" not in coll.index_information()
    coll.insert_one({"k": 1})  # nothing half-built is left to refuse it


def test_two_processes_racing_one_unique_key_exactly_one_wins(store, coll):
    """Web and worker insert the same keys at the same moment: each key once."""
    coll.create_index([("listing_id", 1), ("author_id", 1)], unique=True)
    results = run_racers(store, coll.name, "unique", 2, 60)
    assert sum(r["duplicates"] for r in results) == 60
    assert sum(r["inserted"] for r in results) == 60
    assert coll.count_documents({}) == 60
    assert len(coll.distinct("listing_id")) == 60


def test_inc_upserts_from_two_processes_lose_no_increment(store, coll):
    kind, _, _ = store
    if kind == "ferretdb":
        pytest.skip("concurrent upserts of one new _id may answer E11000 on a server, by design")
    results = run_racers(store, coll.name, "inc", 2, 150)
    assert [r["errors"] for r in results] == [0, 0]
    assert coll.find_one({"_id": "flight:9"})["views"] == 300


RACER = r"""
import json, os, sys, time
sys.path.insert(0, os.getcwd())
from pymongo.errors import DuplicateKeyError
kind, where, name, collection, mode, count, go = sys.argv[1:8]
if kind == "embedded":
    from app.core.embedded import EmbeddedClient
    coll = EmbeddedClient(where)[name][collection]
else:
    import pymongo
    coll = pymongo.MongoClient(where)[name][collection]
coll.find_one({})  # connect before the start line
while time.time() < float(go):
    time.sleep(0.001)
out = {"inserted": 0, "duplicates": 0, "errors": 0}
for i in range(int(count)):
    try:
        if mode == "unique":
            coll.insert_one({"listing_id": i, "author_id": 1, "pid": os.getpid()})
            out["inserted"] += 1
        else:
            coll.update_one({"_id": "flight:9"}, {"$inc": {"views": 1}}, upsert=True)
    except DuplicateKeyError:
        out["duplicates"] += 1
    except Exception as exc:
        out["errors"] += 1
        print(repr(exc), file=sys.stderr)
print(json.dumps(out))
"""


def run_racers(store, collection: str, mode: str, processes: int, count: int) -> list[dict]:
    import json

    _, _, (kind, where, name) = store
    go = time.time() + 3.0  # every child starts its loop at the same moment
    children = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, kind, where, name, collection, mode, str(count), str(go)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


# -- queries -------------------------------------------------------------------


@pytest.fixture()
def reviews(coll):
    coll.create_index([("listing_kind", 1), ("listing_id", 1), ("created_at", -1)])
    coll.create_index([("author_id", 1), ("created_at", -1)])
    start = datetime(2026, 1, 1)
    coll.insert_many(
        [
            {
                "_id": f"r{i}",
                "listing_kind": "hotel" if i < 8 else "car",
                "listing_id": i % 2,
                "author_id": i,
                "rating": 1 + i % 5,
                "helpful": (i * 7) % 4,
                "created_at": start + timedelta(days=i),
                "helpful_by": [100 + i],
            }
            for i in range(10)
        ]  # fmt: skip
    )
    return coll


def test_find_by_indexed_fields_with_sort_skip_and_limit(reviews):
    query = {"listing_kind": "hotel", "listing_id": 0}
    newest = list(reviews.find(query).sort("created_at", pymongo.DESCENDING))
    assert names(newest) == ["r6", "r4", "r2", "r0"]
    page = reviews.find(query).sort([("created_at", -1)]).skip(1).limit(2)
    assert names(page) == ["r4", "r2"]
    helpful = reviews.find({"listing_kind": "hotel"}).sort(
        [("helpful", pymongo.DESCENDING), ("created_at", pymongo.DESCENDING)]
    )
    assert [(d["helpful"], d["_id"]) for d in helpful][:4] == [
        (3, "r5"), (3, "r1"), (2, "r6"), (2, "r2"),
    ]  # fmt: skip
    assert names(reviews.find({"author_id": 3}).limit(5)) == ["r3"]


def test_query_operators_the_app_uses(reviews):
    assert sorted(names(reviews.find({"author_id": {"$in": [1, "1", 2]}}))) == ["r1", "r2"]
    assert reviews.count_documents({"listing_kind": "car", "listing_id": {"$in": [0, 1]}}) == 2
    assert reviews.count_documents({"rating": {"$gte": 4}}) == 4
    assert reviews.count_documents({"created_at": {"$lt": datetime(2026, 1, 3)}}) == 2
    assert reviews.count_documents({"author_id": {"$ne": 3}}) == 9
    assert reviews.count_documents({"helpful_by": {"$ne": 103}}) == 9  # array membership
    assert reviews.count_documents({"helpful_by": 105}) == 1
    assert reviews.count_documents({"nothing": None}) == 10  # null matches missing
    assert reviews.count_documents({"$or": [{"author_id": 1}, {"rating": 5}]}) == 3
    assert reviews.count_documents({"listing_kind": {"$regex": "^ho"}}) == 8


def test_projection_includes_or_excludes_fields(reviews):
    found = reviews.find_one({"_id": "r3"}, {"listing_kind": 1, "listing_id": 1})
    assert found == {"_id": "r3", "listing_kind": "hotel", "listing_id": 1}
    found = reviews.find_one({"_id": "r3"}, {"_id": 1})
    assert found == {"_id": "r3"}
    rows = list(reviews.find({}, {"_id": 0, "rating": 1}).sort("created_at", -1).limit(2))
    assert rows == [{"rating": 5}, {"rating": 4}]


def test_count_documents_and_estimated_count(reviews):
    assert reviews.count_documents({}) == 10
    assert reviews.count_documents({"listing_kind": "hotel", "listing_id": 1}) == 4
    assert reviews.count_documents({"listing_kind": "boat"}) == 0
    assert reviews.estimated_document_count() == 10


def test_distinct(reviews):
    assert sorted(reviews.distinct("author_id", {"listing_kind": "car"})) == [8, 9]
    assert sorted(reviews.distinct("listing_kind")) == ["car", "hotel"]
    assert reviews.distinct("author_id", {"listing_kind": "boat"}) == []


def test_reads_of_a_collection_never_written(store):
    _, db, _ = store
    empty = db[f"never_{uuid.uuid4().hex[:8]}"]
    assert empty.find_one({"_id": "x"}) is None
    assert list(empty.find({"a": 1}).sort("a", -1).limit(3)) == []
    assert empty.count_documents({}) == 0
    assert empty.delete_many({}).deleted_count == 0
    assert list(empty.aggregate([{"$match": {"a": 1}}, {"$count": "n"}])) == []


# -- updates -------------------------------------------------------------------


def test_update_operators_the_app_uses(coll):
    coll.insert_one({"_id": 1, "n": 1, "tags": ["a"], "gone": True, "nested": {"x": 1}})
    result = coll.update_one(
        {"_id": 1},
        {
            "$set": {"title": "t", "nested.y": 2},
            "$inc": {"n": 2},
            "$unset": {"gone": ""},
            "$push": {"log": "one"},
            "$addToSet": {"tags": {"$each": ["a", "b"]}},
        },
    )
    assert (result.matched_count, result.modified_count, result.upserted_id) == (1, 1, None)
    coll.update_one({"_id": 1}, {"$pull": {"tags": "a"}, "$setOnInsert": {"never": 1}})
    assert coll.find_one({"_id": 1}) == {
        "_id": 1, "n": 3, "tags": ["b"], "nested": {"x": 1, "y": 2}, "title": "t", "log": ["one"],
    }  # fmt: skip
    assert coll.update_one({"_id": 2}, {"$set": {"a": 1}}).matched_count == 0
    assert coll.find_one({"_id": 2}) is None


def test_upserts_with_inc_and_set_on_insert(coll):
    first = coll.update_one(
        {"_id": "hotel:2:2026-11-25"},
        {"$inc": {"views": 1, "by_hour.13": 1}, "$setOnInsert": {"kind": "hotel"}},
        upsert=True,
    )
    assert first.upserted_id == "hotel:2:2026-11-25"
    again = coll.update_one(
        {"_id": "hotel:2:2026-11-25"},
        {"$inc": {"views": 2}, "$setOnInsert": {"kind": "car"}},
        upsert=True,
    )
    assert (again.matched_count, again.modified_count, again.upserted_id) == (1, 1, None)
    assert coll.find_one({"_id": "hotel:2:2026-11-25"}) == {
        "_id": "hotel:2:2026-11-25", "views": 3, "by_hour": {"13": 1}, "kind": "hotel",
    }  # fmt: skip
    # an upsert by other fields copies the equalities into the new document
    made = coll.update_one({"run": "demo"}, {"$set": {"scale": "demo"}}, upsert=True)
    assert coll.find_one({"_id": made.upserted_id}) == {
        "_id": made.upserted_id, "run": "demo", "scale": "demo",
    }  # fmt: skip


def test_update_many_and_replace_one(reviews):
    result = reviews.update_many(
        {"author_id": {"$in": [1, 3]}},
        {"$set": {"author_name": "Former traveler", "author_deleted": True}},
    )
    assert (result.matched_count, result.modified_count) == (2, 2)
    assert reviews.count_documents({"author_deleted": True}) == 2
    assert reviews.update_many({"author_id": 99}, {"$set": {"a": 1}}).matched_count == 0
    reviews.replace_one({"_id": "r0"}, {"replaced": True})
    assert reviews.find_one({"_id": "r0"}) == {"_id": "r0", "replaced": True}


def test_find_one_and_update_as_mark_helpful(reviews):
    def vote(voter):
        return reviews.find_one_and_update(
            {"_id": "r2", "helpful_by": {"$ne": voter}, "author_id": {"$ne": voter}},
            {"$inc": {"helpful": 1}, "$push": {"helpful_by": voter}},
        )

    before = vote(7)
    assert before["helpful"] == 2 and before["listing_kind"] == "hotel"  # the old document
    assert vote(7) is None  # a repeat vote
    assert vote(2) is None  # the author
    assert reviews.find_one({"_id": "r2"})["helpful_by"] == [102, 7]
    after = reviews.find_one_and_update(
        {"_id": "new"}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER
    )
    assert after == {"_id": "new", "n": 1}


def test_deletes(reviews):
    found = reviews.find_one_and_delete({"_id": "r1", "listing_kind": "hotel"})
    assert found["author_id"] == 1
    assert reviews.find_one_and_delete({"_id": "r1"}) is None
    assert reviews.delete_one({"listing_kind": "car"}).deleted_count == 1
    assert reviews.delete_many({"listing_kind": "hotel"}).deleted_count == 7
    assert reviews.count_documents({}) == 1
    assert reviews.delete_many({}).deleted_count == 1


# -- aggregate -----------------------------------------------------------------


def test_aggregate_stages_the_app_uses(reviews):
    total = list(
        reviews.aggregate(
            [
                {"$match": {"listing_kind": "hotel", "listing_id": 0}},
                {"$group": {"_id": None, "total": {"$sum": "$rating"}}},
            ]
        )
    )
    assert total == [{"_id": None, "total": 1 + 3 + 5 + 2}]
    per_kind = list(
        reviews.aggregate(
            [
                {"$match": {"rating": {"$gte": 1}}},
                {"$group": {"_id": "$listing_kind", "n": {"$sum": 1}}},
                {"$sort": {"n": -1}},
                {"$skip": 0},
                {"$limit": 1},
                {"$project": {"n": 1}},  # FerretDB 1.24: no expressions in $project
            ]
        )
    )
    assert per_kind == [{"_id": "hotel", "n": 8}]
    empty = [{"$match": {"listing_kind": "boat"}}, {"$group": {"_id": None, "t": {"$sum": 1}}}]
    assert list(reviews.aggregate(empty)) == []
    assert list(reviews.aggregate([{"$match": {"author_id": 4}}, {"$count": "n"}])) == [{"n": 1}]


# -- TTL -----------------------------------------------------------------------


def test_ttl_index_expires_documents(store, coll):
    kind, db, _ = store
    try:
        coll.create_index("occurred_at", expireAfterSeconds=3600, name="expire_raw_events")
    except OperationFailure as exc:
        assert kind == "ferretdb", exc
        pytest.skip(f"FerretDB 1.24 refuses TTL indexes ({exc.details.get('errmsg')})")
    info = coll.index_information()["expire_raw_events"]
    assert info["expireAfterSeconds"] == 3600
    if kind != "embedded":
        return  # a server's TTL monitor runs once a minute: nothing to wait for here
    now = datetime.now(UTC).replace(tzinfo=None)
    coll.insert_many(
        [
            {"_id": "old", "occurred_at": now - timedelta(hours=2)},
            {"_id": "fresh", "occurred_at": now},
            {"_id": "undated", "occurred_at": "yesterday"},  # not a date: never expires
        ]
    )
    assert sorted(names(coll.find())) == ["fresh", "undated"]
    assert coll.count_documents({}) == 2
    assert coll.find_one({"_id": "old"}) is None
    assert list(coll.aggregate([{"$match": {}}, {"$count": "n"}])) == [{"n": 2}]
    assert coll.sweep_expired() == 1  # the periodic sweep deletes it for good
    coll.insert_one({"_id": "old2", "occurred_at": now - timedelta(hours=3)})
    coll.insert_one({"_id": "next"})  # and so does the next write
    assert coll.sweep_expired() == 0
    # an expired _id can be used again at once
    coll.insert_one({"_id": "old", "occurred_at": now})
    assert coll.count_documents({}) == 4


# -- errors --------------------------------------------------------------------


def test_errors_are_pymongos_classes(coll):
    coll.insert_one({"_id": 1, "a": 1})
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({"_id": 1})
    with pytest.raises(WriteError):
        coll.update_one({"_id": 1}, {"$bogus": {"a": 1}})
    with pytest.raises(WriteError):
        coll.update_one({"_id": 1}, {"$inc": {"a": "not a number"}})
    with pytest.raises(OperationFailure):
        list(coll.find({"a": {"$bogus": 1}}))
    with pytest.raises(ValueError):
        coll.update_one({"_id": 1}, {"a": 2})  # no operator: refused before sending
    with pytest.raises(ValueError):
        coll.replace_one({"_id": 1}, {"$set": {"a": 2}})
    with pytest.raises(InvalidDocument):
        coll.insert_one({"price": Decimal("1.10")})
    with pytest.raises(TypeError):
        coll.insert_one(["not", "a", "document"])
    assert issubclass(DuplicateKeyError, OperationFailure)
    assert coll.find_one({"_id": 1}) == {"_id": 1, "a": 1}


# -- what the app declares -----------------------------------------------------


def test_rollup_reads_by_grain_and_period_range(coll):
    """app/analytics: `$inc` upserts with $setOnInsert, read back by grain and a
    range of periods (strings) through the (grain, period) index."""
    coll.create_index([("grain", 1), ("period", 1)], name="by_period")
    for period, n in (("2026-10-31", 1), ("2026-11-01", 2), ("2026-11-15", 3), ("2026-11", 4)):
        grain = "month" if len(period) == 7 else "day"
        coll.update_one(
            {"_id": f"home|{grain}|{period}"},
            {"$inc": {"n": n}, "$setOnInsert": {"grain": grain, "period": period, "page": "home"}},
            upsert=True,
        )
    found = coll.find(
        {"grain": "day", "period": {"$gte": "2026-11-01", "$lte": "2026-11-30"}, "page": "home"}
    )
    assert sorted((d["period"], d["n"]) for d in found) == [("2026-11-01", 2), ("2026-11-15", 3)]


def test_raw_event_log_declares_its_ttl_where_the_store_has_one(app_ctx, caplog):
    """On FerretDB 1.24 (no TTL indexes) the log stays unbounded, said in the
    log when the indexes are declared (at start-up); the event is recorded either way."""
    from app.analytics import services
    from app.extensions import mongo

    services.ensure_indexes()
    envelope = {
        "id": uuid.uuid4().hex,
        "type": "test.happened",
        "key": "test:1",
        "occurred_at": datetime.now(UTC).isoformat(),
        "data": {"a.b": 1},
    }
    assert services.record_raw_event(envelope) is True
    assert services.record_raw_event(envelope) is False  # a redelivery
    info = mongo.db.events.index_information().get(services.RAW_EVENTS_TTL_INDEX)
    if info is None:
        assert "refuses a TTL index" in caplog.text
    else:
        assert info["expireAfterSeconds"] == 7 * 86400
