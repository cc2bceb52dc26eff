"""Reads for the account pages that come from other stores."""

from __future__ import annotations

import logging

from pymongo.errors import PyMongoError

log = logging.getLogger(__name__)

# Reviews belong to the catalogue (app.listings.reviews); the account pages
# read them through its functions.


def _view(doc: dict) -> dict:
    return {
        "id": str(doc["_id"]),
        "listing": doc.get("listing_title") or "A listing",
        "listing_kind": doc.get("listing_kind", ""),
        "listing_id": doc.get("listing_id"),
        "title": doc.get("title", ""),
        "rating": doc.get("rating"),
        "text": doc.get("text", ""),
        "created_at": doc.get("created_at"),
    }


def reviews_by(user_id: int, limit: int = 50) -> list[dict] | None:
    """The traveler's reviews, newest first; None if the document store is down."""
    from app.listings.reviews import reviews_by_author

    try:
        return [_view(doc) for doc in reviews_by_author(user_id, limit)]
    except PyMongoError:
        log.warning("reviews unavailable", exc_info=True)
        return None


def review_of(user_id: int, review_id: str) -> dict | None:
    """One review by id if `user_id` wrote it; None otherwise (the caller 404s)."""
    from app.listings.reviews import review_by_author

    doc = review_by_author(review_id, user_id)
    return _view(doc) if doc else None
