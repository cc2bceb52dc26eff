"""Reads of the catalogue, and the cache versions that invalidate them.

Cached pages and searches carry the catalogue version of their listing kind
in their key; a write bumps the version (one INCR), which retires every key
built on the old one. A listing page's document-store parts (first review
page, photos) and its price chart also carry a per-listing version, bumped
by the review, vote and photo writes of that one listing. A cache outage
never fails a read.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app
from werkzeug.exceptions import NotFound

from app.extensions import db, queues
from app.listings.models import MODELS, PriceChange

log = logging.getLogger(__name__)


def version_key(kind: str) -> str:
    return f"{current_app.config['CACHE_KEY_PREFIX']}catalogue-version:{kind}"


def catalogue_version(kind: str) -> int:
    try:
        return int(queues.redis.get(version_key(kind)) or 0)
    except Exception as exc:  # the cache is optional
        log.warning("cache unavailable for catalogue version: %s", exc)
        return -1


def bump_version(kind: str) -> None:
    _memo.forget(kind)
    try:
        queues.redis.incr(version_key(kind))
    except Exception as exc:
        log.warning("could not bump the %s catalogue version: %s", kind, exc)


def listing_version_key(kind: str, listing_id: int) -> str:
    return f"{current_app.config['CACHE_KEY_PREFIX']}listing-version:{kind}:{listing_id}"


def bump_listing(kind: str, listing_id: int) -> None:
    """Retire the cached parts of one listing's page (reviews, votes, photos changed)."""
    _memo.forget(kind, listing_id)
    try:
        queues.redis.incr(listing_version_key(kind, listing_id))
    except Exception as exc:
        log.warning("could not bump the version of %s %s: %s", kind, listing_id, exc)


PART_TTL = 6 * 3600  # a safety net: versions retire keys long before


def _stem(kind: str, listing_id: int) -> str:
    """The key prefix of one listing's cached parts: both versions and today's date
    (the price chart runs to today). Raises when Redis is away."""
    catalogue, own = queues.redis.mget(version_key(kind), listing_version_key(kind, listing_id))
    return (
        f"{current_app.config['CACHE_KEY_PREFIX']}listing-part:{kind}:{listing_id}:"
        f"{int(catalogue or 0)}.{int(own or 0)}:{date.today().isoformat()}:"
    )


def listing_parts(listing, loaders: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """The named parts of a listing page, from Redis when warm, else from `loaders`.

    Two round trips when warm (the versions, then every part at once), whatever
    the number of parts; a miss loads that part and stores it. Redis away: every
    part is loaded, nothing fails.
    """
    try:
        stem = _stem(listing.kind, listing.id)
        names = list(loaders)
        stored = queues.redis.mget([stem + name for name in names])
    except Exception as exc:
        log.warning("listing cache unavailable: %s", exc)
        return {name: load() for name, load in loaders.items()}
    parts, missing = {}, {}
    for name, raw in zip(names, stored, strict=True):
        if raw is None:
            parts[name] = missing[name] = loaders[name]()
        else:
            parts[name] = pickle.loads(raw)
    if missing:
        try:
            pipe = queues.redis.pipeline(transaction=False)
            for name, value in missing.items():
                pipe.set(stem + name, pickle.dumps(value), ex=PART_TTL)
            pipe.execute()
        except Exception as exc:
            log.warning("could not store listing parts: %s", exc)
    return parts


def _page_key(kind: str, listing_id: int, variant: str) -> str:
    return f"{current_app.config['CACHE_KEY_PREFIX']}listing-page:{kind}:{listing_id}:{variant}"


class PageMemo:
    """The hottest shared pages, kept in this process for a fraction of a second.

    A page read from Redis is kept with the versions it was checked against;
    for `seconds` after that check it is served from memory, with no Redis
    round trip. A write in this process forgets the listing's entries at once;
    a write in another process shows here within `seconds` (a quarter of a
    second by default, LISTING_PAGE_MEMO_SECONDS; 0 turns the memo off).
    """

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._pages: OrderedDict[tuple, tuple[float, tuple, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, now: float):
        with self._lock:
            entry = self._pages.get(key)
            if entry is None or entry[0] < now:
                return None
            self._pages.move_to_end(key)
            return entry[1], entry[2]

    def put(self, key: tuple, until: float, stamp: tuple, value: Any) -> None:
        with self._lock:
            self._pages[key] = (until, stamp, value)
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def forget(self, kind: str, listing_id: int | None = None) -> None:
        with self._lock:
            for key in [k for k in self._pages if k[0] == kind and listing_id in (None, k[1])]:
                del self._pages[key]


_memo = PageMemo()


def cached_page(kind: str, listing_id: int, variant: str) -> tuple[tuple | None, Any]:
    """(stamp, value) of a whole page cached for anonymous visitors; value None on a miss.

    One round trip: the page is stored with the versions (and date) it was built
    on, read together with the current ones, and only served when they agree.
    The stamp is None when Redis is away (then nothing is stored either).
    A page checked within the last LISTING_PAGE_MEMO_SECONDS comes from memory.
    """
    memo_key, now = (kind, listing_id, variant), time.monotonic()
    memo_seconds = current_app.config["LISTING_PAGE_MEMO_SECONDS"]
    if memo_seconds > 0:
        remembered = _memo.get(memo_key, now)
        if remembered is not None:
            return remembered
    try:
        catalogue, own, raw = queues.redis.mget(
            version_key(kind),
            listing_version_key(kind, listing_id),
            _page_key(kind, listing_id, variant),
        )
    except Exception as exc:
        log.warning("listing cache unavailable: %s", exc)
        return None, None
    stamp = (int(catalogue or 0), int(own or 0), date.today().isoformat())
    if raw is not None:
        built_on, value = pickle.loads(raw)
        if built_on == stamp:
            if memo_seconds > 0:
                _memo.put(memo_key, now + memo_seconds, stamp, value)
            return stamp, value
    return stamp, None


def store_page(kind: str, listing_id: int, variant: str, stamp: tuple | None, value: Any) -> None:
    if stamp is None:
        return
    try:
        queues.redis.set(
            _page_key(kind, listing_id, variant), pickle.dumps((stamp, value)), ex=PART_TTL
        )
    except Exception as exc:
        log.warning("could not store a listing page: %s", exc)


def get_listing(kind: str, listing_id, include_deleted: bool = False):
    """The listing or 404 (deleted ones are 404 unless asked for)."""
    model = MODELS.get(kind)
    if model is None:
        raise NotFound()
    try:
        listing = db.session.get(model, int(listing_id))
    except (TypeError, ValueError):
        listing = None
    if listing is None or (listing.deleted_at is not None and not include_deleted):
        raise NotFound(f"No such {kind}.")
    return listing


def headline_price(listing) -> Decimal | None:
    """What a traveler sees first: lowest open fare, cheapest room, daily rate."""
    if listing.kind == "flight":
        return listing.lowest_fare()
    if listing.kind == "hotel":
        return listing.lowest_price()
    return listing.daily_price


def latest_prices(kind: str, listing_id: int) -> dict[tuple[str, int], Decimal]:
    rows = db.session.execute(
        sa.select(PriceChange.item_kind, PriceChange.item_id, PriceChange.price)
        .where(PriceChange.listing_kind == kind, PriceChange.listing_id == listing_id)
        .order_by(PriceChange.recorded_at, PriceChange.id)
    )
    return {(item_kind, item_id): price for item_kind, item_id, price in rows}


def price_history(kind: str, listing_id: int, limit: int = 500) -> list[PriceChange]:
    return list(
        db.session.scalars(
            sa.select(PriceChange)
            .where(PriceChange.listing_kind == kind, PriceChange.listing_id == listing_id)
            .order_by(PriceChange.recorded_at, PriceChange.id)
            .limit(limit)
        )
    )


def get_provider(provider_id: int):
    """The provider or 404."""
    from app.listings.models import Provider

    provider = db.session.get(Provider, provider_id)
    if provider is None:
        raise NotFound("No such provider.")
    return provider


def listings_of_provider(provider_id: int, limit: int = 2000) -> list:
    """A provider's live listings of its kind (flights of an airline, and so on)."""
    out = []
    for model in MODELS.values():
        out.extend(
            db.session.scalars(
                sa.select(model)
                .where(model.provider_id == provider_id, model.deleted_at.is_(None))
                .order_by(model.id)
                .limit(limit)
            )
        )
    return out
