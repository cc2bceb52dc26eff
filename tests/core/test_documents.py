"""The document store on a real MongoDB-protocol server (FerretDB here)."""

import pymongo
import pytest
from pymongo.errors import DuplicateKeyError

from app.extensions import mongo


def test_store_is_a_real_server(app_ctx):
    assert not mongo.embedded
    assert mongo.ping()


def test_insert_and_find_with_filter_and_sort(app_ctx):
    reviews = mongo.db.reviews
    reviews.insert_many(
        [{"listing": "h1", "rating": r, "title": f"stay {r}"} for r in (3, 5, 1, 4)]
        + [{"listing": "h2", "rating": 5, "title": "other"}]
    )
    found = list(
        reviews.find({"listing": "h1", "rating": {"$gte": 3}}, {"_id": 0, "rating": 1}).sort(
            "rating", pymongo.DESCENDING
        )
    )
    assert [d["rating"] for d in found] == [5, 4, 3]
    assert reviews.count_documents({"listing": "h1"}) == 4


def test_unique_index_is_enforced(app_ctx):
    reviews = mongo.db.reviews
    reviews.create_index([("listing", 1), ("author", 1)], unique=True, name="one_per_author")
    assert "one_per_author" in reviews.index_information()
    reviews.insert_one({"listing": "h1", "author": "u1", "rating": 4})
    with pytest.raises(DuplicateKeyError):
        reviews.insert_one({"listing": "h1", "author": "u1", "rating": 2})


def test_inc_upsert_counts(app_ctx):
    rollup = mongo.db.views_per_listing
    for _ in range(3):
        rollup.update_one({"_id": "flight:9"}, {"$inc": {"views": 1}}, upsert=True)
    rollup.update_one({"_id": "hotel:2"}, {"$inc": {"views": 2}}, upsert=True)
    assert rollup.find_one({"_id": "flight:9"})["views"] == 3
    totals = list(rollup.aggregate([{"$group": {"_id": None, "views": {"$sum": "$views"}}}]))
    assert totals[0]["views"] == 5
