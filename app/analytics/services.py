"""Writes to the analytics collections. Each write is idempotent per event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.errors import BulkWriteError, DuplicateKeyError

from app.extensions import mongo


def record_raw_event(envelope: dict[str, Any]) -> bool:
    """Append the event to `events` once; returns True if it was new.

    The event id is the document id, so a second delivery is a no-op.
    """
    document = {
        "type": envelope["type"],
        "version": envelope.get("version", 1),
        "key": envelope["key"],
        "actor": envelope.get("actor"),
        "occurred_at": datetime.fromisoformat(envelope["occurred_at"]),
        "data": mongo.safe_keys(envelope.get("data") or {}),
    }
    try:
        # Insert by id rather than upsert: a primary-key check, which the
        # embedded store answers without scanning the collection.
        mongo.db.events.insert_one({"_id": envelope["id"], **document})
    except DuplicateKeyError:
        return False
    return True


def record_raw_events(envelopes: list[dict[str, Any]]) -> int:
    """A batch of activity events into `events` in one write; returns how many were new.

    Ordered=False keeps going past an id already stored (a redelivery); if the
    store refuses the batch as a whole, each event goes in on its own.
    """
    if not envelopes:
        return 0
    documents = [
        {
            "_id": e["id"],
            "type": e["type"],
            "version": e.get("version", 1),
            "key": e["key"],
            "actor": e.get("actor"),
            "occurred_at": datetime.fromisoformat(e["occurred_at"]),
            "data": mongo.safe_keys(e.get("data") or {}),
        }
        for e in envelopes
    ]
    try:
        return len(mongo.db.events.insert_many(documents, ordered=False).inserted_ids)
    except BulkWriteError as exc:
        # Unordered: every document but the duplicates went in.
        if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
            raise
        return exc.details.get("nInserted", 0)
    except DuplicateKeyError:  # a store that refuses the whole batch
        return sum(record_raw_event(e) for e in envelopes)
