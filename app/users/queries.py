"""Reads for the account pages that come from other stores."""

from __future__ import annotations

import logging
from datetime import datetime

from bson import ObjectId
from bson.errors import InvalidId
from pymongo.errors import PyMongoError

from app.extensions import mongo

log = logging.getLogger(__name__)

# Reviews are written by the catalogue (MongoDB `reviews`); a review belongs to
# its author through `author_id`, the users.id (stored as a number or a string).


def _author(user_id: int) -> dict:
    return {"author_id": {"$in": [user_id, str(user_id)]}}


def _view(doc: dict) -> dict:
    created = doc.get("created_at")
    return {
        "id": str(doc["_id"]),
        "listing": doc.get("listing_name") or doc.get("listing_title") or "A listing",
        "listing_kind": doc.get("listing_kind") or doc.get("listing_type") or "",
        "title": doc.get("title") or "",
        "rating": doc.get("rating"),
        "text": doc.get("text") or doc.get("body") or "",
        "created_at": created if isinstance(created, datetime) else None,
    }


def reviews_by(user_id: int, limit: int = 50) -> list[dict] | None:
    """The traveler's reviews, newest first; None if the document store is down."""
    try:
        cursor = mongo.db.reviews.find(_author(user_id)).sort("created_at", -1).limit(limit)
        return [_view(doc) for doc in cursor]
    except PyMongoError:
        log.warning("reviews unavailable", exc_info=True)
        return None


def review_of(user_id: int, review_id: str) -> dict | None:
    """One review by id if `user_id` wrote it; None otherwise (the caller 404s)."""
    if not review_id or len(review_id) > 64:
        return None
    ids: list = [review_id]
    try:
        ids.append(ObjectId(review_id))
    except (InvalidId, TypeError):
        pass
    doc = mongo.db.reviews.find_one({"_id": {"$in": ids}, **_author(user_id)})
    return _view(doc) if doc else None
