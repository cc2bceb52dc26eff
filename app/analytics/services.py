"""Writes to the analytics collections. Each write is idempotent per event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

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
