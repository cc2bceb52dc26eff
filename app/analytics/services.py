"""Writes to the analytics collections. Each write is idempotent per event."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import current_app
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from app.extensions import mongo

log = logging.getLogger(__name__)

RAW_EVENTS_TTL_INDEX = "expire_raw_events"


@mongo.declare_indexes
def ensure_indexes() -> None:
    """The raw event log keeps an event EVENTS_TTL_DAYS days (a TTL index on
    `occurred_at`), so it stays bounded however long the app runs.

    The embedded store and MongoDB expire documents; FerretDB 1.24 refuses TTL
    indexes, so there the log is unbounded (docs/decisions.md) and this logs
    it once per process instead of failing the handler.
    """
    events = mongo.db.events
    days = float(current_app.config.get("EVENTS_TTL_DAYS") or 0)
    existing = events.index_information().get(RAW_EVENTS_TTL_INDEX)
    if days <= 0:
        if existing:
            events.drop_index(RAW_EVENTS_TTL_INDEX)
        return
    seconds = int(days * 86400)
    if existing and existing.get("expireAfterSeconds") == seconds:
        return
    try:
        if existing:  # EVENTS_TTL_DAYS changed
            events.drop_index(RAW_EVENTS_TTL_INDEX)
        events.create_index("occurred_at", expireAfterSeconds=seconds, name=RAW_EVENTS_TTL_INDEX)
    except OperationFailure as exc:
        log.warning(
            "the document store refuses a TTL index (%s): the raw event log `events` "
            "is not bounded here; delete old events yourself",
            (exc.details or {}).get("errmsg", exc),
        )


def raw_document(envelope: dict[str, Any]) -> dict[str, Any]:
    """The raw log's copy of an event; the event id is the document id."""
    return {
        "_id": envelope["id"],
        "type": envelope["type"],
        "version": envelope.get("version", 1),
        "key": envelope["key"],
        "actor": envelope.get("actor"),
        "occurred_at": datetime.fromisoformat(envelope["occurred_at"]),
        "data": mongo.safe_keys(envelope.get("data") or {}),
    }


def record_raw_event(envelope: dict[str, Any]) -> bool:
    """Append the event to `events` once; returns True if it was new.

    The event id is the document id, so a second delivery is a no-op.
    """
    try:
        # Insert by id rather than upsert: a primary-key check, which the
        # embedded store answers without scanning the collection.
        mongo.db.events.insert_one(raw_document(envelope))
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
    documents = [raw_document(e) for e in envelopes]
    try:
        return len(mongo.db.events.insert_many(documents, ordered=False).inserted_ids)
    except BulkWriteError as exc:
        # Unordered: every document but the duplicates went in.
        if any(e.get("code") != 11000 for e in exc.details.get("writeErrors", [])):
            raise
        return exc.details.get("nInserted", 0)
    except DuplicateKeyError:  # a store that refuses the whole batch
        return sum(record_raw_event(e) for e in envelopes)
