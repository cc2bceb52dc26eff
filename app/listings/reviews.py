"""Reviews (MongoDB `reviews`): who may review, writing one, reading them,
and keeping each listing's rating and review count in step with them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pymongo
from pymongo.errors import DuplicateKeyError

from app.core.models import utcnow
from app.extensions import db, mongo
from app.listings import queries
from app.listings.validation import Collector, Invalid, long_text, text, whole

SORTS = {
    "newest": [("created_at", pymongo.DESCENDING)],
    "helpful": [("helpful", pymongo.DESCENDING), ("created_at", pymongo.DESCENDING)],
}
PAGE_SIZE = 10


def collection():
    return mongo.db.reviews


@mongo.declare_indexes
def ensure_indexes() -> None:
    reviews = collection()
    reviews.create_index(
        [("listing_kind", 1), ("listing_id", 1), ("author_id", 1)],
        unique=True,
        name="one_review_per_author",
    )
    reviews.create_index(
        [("listing_kind", 1), ("listing_id", 1), ("created_at", -1)], name="by_listing_newest"
    )
    reviews.create_index([("author_id", 1), ("created_at", -1)], name="by_author")


def may_review(listing, author_id: int, authors: set | None = None) -> tuple[bool, str]:
    """The one rule for who may review a listing (bookings will tighten it to
    one review per completed booking). `authors`, when the page has them
    cached, saves the look-up; the unique index has the last word anyway."""
    if listing.deleted_at is not None:
        return False, "This listing is no longer offered."
    if authors is not None:
        exists = author_id in authors
    else:
        exists = collection().find_one(
            {"listing_kind": listing.kind, "listing_id": listing.id, "author_id": author_id},
            {"_id": 1},
        )
    if exists:
        return False, "You have already reviewed this listing."
    return True, ""


def clean_review(data: Any, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    c = Collector(data)
    c.field("rating", whole, "rating", 1, 5)
    c.field("title", text, "title", 120)
    c.field("text", long_text, "review", 4000)
    if c.clean.get("text") is not None and len(c.clean["text"]) < 20:
        c.errors["text"] = "Write at least 20 characters so others learn something."
    trip = c.raw("trip_date")
    if trip in (None, ""):
        c.fail("trip_date", "Enter the month of your trip or stay.")
    else:
        try:
            trip_date = date.fromisoformat(str(trip) + ("-01" if len(str(trip)) == 7 else ""))
            if trip_date > today:
                c.fail("trip_date", "The trip date cannot be in the future.")
            c.clean["trip_date"] = trip_date
        except ValueError:
            c.fail("trip_date", "Enter the trip date as YYYY-MM, e.g. 2026-08.")
    return c.done()


def add_review(listing, author_id: int, author_name: str, data: Any) -> dict:
    """Validate and store a review, then refresh the listing's rating.

    Raises Invalid (a message per field, or "listing" when not allowed).
    """
    clean = clean_review(data)
    allowed, reason = may_review(listing, author_id)
    if not allowed:
        raise Invalid({"listing": reason})
    document = {
        "_id": uuid.uuid4().hex,
        "listing_kind": listing.kind,
        "listing_id": listing.id,
        "listing_title": listing.title,
        "author_id": author_id,
        "author_name": author_name,
        "rating": clean["rating"],
        "title": clean["title"],
        "text": clean["text"],
        "trip_date": datetime.combine(clean["trip_date"], datetime.min.time()),
        "created_at": utcnow(),
        "helpful": 0,
    }
    try:
        collection().insert_one(document)
    except DuplicateKeyError:
        raise Invalid({"listing": "You have already reviewed this listing."}) from None
    refresh_rating(listing)
    queries.bump_listing(listing.kind, listing.id)
    return document


def refresh_rating(listing) -> None:
    """Recompute from the reviews themselves, so a retry or a lost update heals."""
    match = {"listing_kind": listing.kind, "listing_id": listing.id}
    count = collection().count_documents(match)
    # One accumulator per $group: FerretDB 1.24 returns 0 for every accumulator
    # after the first in the same stage.
    rows = list(
        collection().aggregate(
            [{"$match": match}, {"$group": {"_id": None, "total": {"$sum": "$rating"}}}]
        )
    )
    total = rows[0]["total"] if rows else 0
    listing.rating = (
        (Decimal(total) / count).quantize(Decimal("0.1"), ROUND_HALF_UP) if count else Decimal("0")
    )
    listing.review_count = count
    db.session.flush()


def reviews_for(listing, sort: str = "newest", page: int = 1) -> tuple[list[dict], int]:
    query = {"listing_kind": listing.kind, "listing_id": listing.id}
    total = collection().count_documents(query)
    cursor = (
        collection()
        .find(query)
        .sort(SORTS.get(sort, SORTS["newest"]))
        .skip((max(page, 1) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return list(cursor), total


def authors_of(listing) -> set[int]:
    """Who has reviewed this listing (for the review form's may/may-not)."""
    return set(
        collection().distinct("author_id", {"listing_kind": listing.kind, "listing_id": listing.id})
    )


def mark_helpful(review_id: str, voter_id: int) -> bool:
    """Count a traveler's "helpful" once; returns False for a repeat vote."""
    found = collection().find_one_and_update(
        {"_id": review_id, "helpful_by": {"$ne": voter_id}, "author_id": {"$ne": voter_id}},
        {"$inc": {"helpful": 1}, "$push": {"helpful_by": voter_id}},
    )  # no projection: FerretDB 1.24's findAndModify does not take one
    if found is None:
        return False
    queries.bump_listing(found["listing_kind"], found["listing_id"])
    return True


def forget_author(author_id: int) -> int:
    """A deleted traveler's reviews keep their text and rating but no longer name
    their author. Idempotent; returns how many listings' pages were refreshed."""
    match = {"author_id": {"$in": [author_id, str(author_id)]}}
    listings = {
        (r.get("listing_kind"), r.get("listing_id"))
        for r in collection().find(match, {"listing_kind": 1, "listing_id": 1})
    }
    listings.discard((None, None))
    collection().update_many(
        match, {"$set": {"author_name": "Former traveler", "author_deleted": True}}
    )
    for kind, listing_id in listings:
        queries.bump_listing(kind, listing_id)
    return len(listings)


def reviews_by_author(author_id: int, limit: int = 50) -> list[dict]:
    """A traveler's reviews, newest first (their account page lists them)."""
    return list(
        collection()
        .find({"author_id": author_id})
        .sort("created_at", pymongo.DESCENDING)
        .limit(limit)
    )


def review_by_author(review_id: str, author_id: int) -> dict | None:
    """One review if `author_id` wrote it, else None (callers answer 404)."""
    if not isinstance(review_id, str) or not review_id or len(review_id) > 64:
        return None
    return collection().find_one({"_id": review_id, "author_id": author_id})
