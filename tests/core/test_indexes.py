"""Every domain's document indexes exist on a fresh store, before any seed."""

import pytest
from pymongo.errors import DuplicateKeyError

from app.extensions import mongo


def test_a_fresh_store_refuses_a_second_review_by_the_same_traveler(app_ctx):
    info = mongo.db.reviews.index_information()
    assert info["one_review_per_author"].get("unique")
    review = {"listing_kind": "hotel", "listing_id": 1, "author_id": 7, "rating": 5}
    mongo.db.reviews.insert_one({"_id": "a", **review})
    with pytest.raises(DuplicateKeyError):
        mongo.db.reviews.insert_one({"_id": "b", **review})


def test_declarations_are_idempotent_and_report_failures(app_ctx):
    assert mongo.ensure_indexes() == []
    assert mongo.ensure_indexes() == []  # a second start-up changes nothing

    def broken():
        raise RuntimeError("store away")

    mongo.declare_indexes(broken)
    try:
        assert mongo.ensure_indexes() == [f"{__name__}.{broken.__qualname__}"]
    finally:
        mongo._declarations.remove(broken)
