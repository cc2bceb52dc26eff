"""Rollups maintained at ingestion: small documents counted with `$inc` upserts,
so reports read a few documents by day instead of scanning raw events.

Activity events arrive in batches (app/core/activity.py). Each batch is
counted in memory first, so a batch of 500 views of a dozen pages costs a
dozen upserts. Delivery is at least once; an event id is remembered in Redis
for two days (SET NX), so a redelivered event is not counted twice.

Collections (one document per day, one per month, and key; `n` the count):
- `traffic_daily`: page views and section views/clicks, by page and section;
- `listing_views_daily`: listing page views, by listing (with its provider);
- `searches_daily`: searches by kind and route or place.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from app.extensions import events, mongo, queues

log = logging.getLogger(__name__)

TRAFFIC = "traffic_daily"
LISTING_VIEWS = "listing_views_daily"
SEARCHES = "searches_daily"
SEEN_TTL = 2 * 24 * 3600


@mongo.declare_indexes
def ensure_indexes() -> None:
    """Reports read one grain over a range of periods (and one provider's listings)."""
    for collection in (TRAFFIC, LISTING_VIEWS, SEARCHES):
        mongo.db[collection].create_index([("grain", 1), ("period", 1)], name="by_period")
    mongo.db[LISTING_VIEWS].create_index(
        [("provider_id", 1), ("grain", 1), ("period", 1)], name="by_provider_period"
    )


def _text(value: Any, limit: int = 64) -> str:
    return str(value or "")[:limit]


def search_place(query: dict) -> str:
    """What a search was for: "SFO-JFK" for a flight, the place for a stay or a car."""
    origin, destination = query.get("from"), query.get("to")
    if origin and destination:
        return f"{_text(origin, 40)}-{_text(destination, 40)}".upper()
    return _text(query.get("where") or query.get("place") or "", 80)


def keys_of(envelope: dict) -> list[tuple[str, str, dict]]:
    """(collection, _id, fields set on insert) of every rollup this event counts in:
    each once per day and once per month (`grain`), so a year's report reads
    twelve documents per key and a custom range reads days."""
    day = envelope["occurred_at"][:10]
    out = []
    for grain, period in (("day", day), ("month", day[:7])):
        for collection, key, fields in _keys(envelope):
            out.append(
                (collection, f"{period}|{key}", {"grain": grain, "period": period, **fields})
            )
    return out


def _keys(envelope: dict) -> list[tuple[str, str, dict]]:
    data = envelope.get("data") or {}
    kind = envelope["type"]
    if kind == "page.viewed":
        page = _text(data.get("page"))
        return [(TRAFFIC, f"{page}||view", {"page": page, "section": "", "action": "view"})]
    if kind == "section.viewed":
        page, section = _text(data.get("page")), _text(data.get("section"))
        action = "click" if data.get("action") == "click" else "view"
        fields = {"page": page, "section": section, "action": action}
        return [(TRAFFIC, f"{page}|{section}|{action}", fields)]
    if kind == "listing.viewed":
        listing_kind, listing_id = _text(data.get("kind"), 8), data.get("id")
        fields = {
            "kind": listing_kind,
            "listing_id": listing_id,
            "provider_id": data.get("provider_id"),
        }
        return [(LISTING_VIEWS, f"{listing_kind}|{listing_id}", fields)]
    if kind == "search.performed":
        search_kind = _text(data.get("kind"), 8)
        place = search_place(data.get("query") or {})
        return [
            (SEARCHES, f"{search_kind}|", {"kind": search_kind, "place": ""}),
            (SEARCHES, f"{search_kind}|{place}", {"kind": search_kind, "place": place}),
        ]
    return []


def fresh(envelopes: list[dict], handler: str) -> list[dict]:
    """The envelopes not counted before (Redis remembers ids for two days)."""
    try:
        pipe = queues.redis.pipeline(transaction=False)
        for envelope in envelopes:
            pipe.set(f"kayak:seen:{handler}:{envelope['id']}", 1, nx=True, ex=SEEN_TTL)
        return [e for e, new in zip(envelopes, pipe.execute(), strict=True) if new]
    except Exception as exc:  # without Redis, count rather than lose
        log.warning("rollups cannot check for duplicates: %s", exc)
        return list(envelopes)


def forget(envelopes: list[dict], handler: str) -> None:
    try:
        queues.redis.delete(*[f"kayak:seen:{handler}:{e['id']}" for e in envelopes])
    except Exception:
        pass


def count(envelopes: list[dict]) -> Counter:
    totals: Counter = Counter()
    inserts: dict[tuple[str, str], dict] = {}
    for envelope in envelopes:
        for collection, key, fields in keys_of(envelope):
            totals[(collection, key)] += 1
            inserts[(collection, key)] = fields
    return Counter({(c, k, _frozen(inserts[(c, k)])): n for (c, k), n in totals.items()})


def _frozen(fields: dict) -> tuple:
    return tuple(sorted(fields.items()))


def apply(totals: Counter) -> None:
    for (collection, key, fields), n in totals.items():
        mongo.db[collection].update_one(
            {"_id": key}, {"$inc": {"n": n}, "$setOnInsert": dict(fields)}, upsert=True
        )


def count_batch(envelopes: list[dict], handler: str = "analytics.rollups") -> int:
    """Count a batch into the rollups once per event; returns how many were new."""
    new = fresh(envelopes, handler)
    if not new:
        return 0
    try:
        apply(count(new))
    except Exception:
        forget(new, handler)  # the retry will count them
        raise
    return len(new)


@events.subscribe(
    "page.viewed",
    "section.viewed",
    "listing.viewed",
    "search.performed",
    name="analytics.rollups",
    batch=count_batch,
)
def count_one(envelope: dict) -> int:
    return count_batch([envelope])
