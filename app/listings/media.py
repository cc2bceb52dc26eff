"""Listing photos: checked, resized, stored as files, described in `listing_media`."""

from __future__ import annotations

import uuid

import pymongo

from app.core import images
from app.core.models import utcnow
from app.extensions import mongo
from app.listings import queries
from app.listings.validation import Invalid

MAX_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
MAX_PHOTOS = 24


def collection():
    return mongo.db.listing_media


@mongo.declare_indexes
def ensure_indexes() -> None:
    collection().create_index(
        [("listing_kind", 1), ("listing_id", 1), ("position", 1)], name="by_listing"
    )


def photos_of(listing) -> list[dict]:
    return list(
        collection()
        .find({"listing_kind": listing.kind, "listing_id": listing.id})
        .sort([("position", pymongo.ASCENDING), ("created_at", pymongo.ASCENDING)])
    )


def add_photo(listing, data: bytes, filename: str, caption: str, actor) -> dict:
    """Check, resize and store one photo. Raises Invalid({"photo": message})."""
    if len(data) > MAX_BYTES:
        raise Invalid({"photo": "This file is over 10 MB; upload a smaller image."})
    existing = collection().count_documents(
        {"listing_kind": listing.kind, "listing_id": listing.id}
    )
    if existing >= MAX_PHOTOS:
        raise Invalid(
            {"photo": f"A listing can have at most {MAX_PHOTOS} photos; remove one first."}
        )
    try:
        jpeg, width, height = images.within(data, MAX_SIDE)
    except ValueError as exc:
        raise Invalid({"photo": str(exc)}) from None
    caption = " ".join((caption or "").split())[:140]
    file_id = mongo.put_file(
        jpeg,
        filename=f"{listing.kind}-{listing.id}-{uuid.uuid4().hex[:8]}.jpg",
        content_type="image/jpeg",
        listing_kind=listing.kind,
        listing_id=listing.id,
    )
    document = {
        "_id": uuid.uuid4().hex,
        "listing_kind": listing.kind,
        "listing_id": listing.id,
        "file_id": file_id,
        "width": width,
        "height": height,
        "bytes": len(jpeg),
        "caption": caption,
        "original_name": (filename or "")[:200],
        "position": existing,
        "uploaded_by": None if actor is None else str(actor),
        "created_at": utcnow(),
    }
    collection().insert_one(document)
    queries.bump_listing(listing.kind, listing.id)
    return document


def remove_photo(listing, photo_id: str) -> bool:
    found = collection().find_one_and_delete(
        {"_id": photo_id, "listing_kind": listing.kind, "listing_id": listing.id}
    )
    if found:
        mongo.delete_file(found["file_id"])
        queries.bump_listing(listing.kind, listing.id)
    return found is not None
