"""The searches: candidate sets from MySQL (a few indexed range queries per
search), assembled in Python, cached in Redis per query and catalogue version.

Flights: one query fetches the departures leaving the origin airports on the
chosen local day with enough seats in the cabin (index ix_flights_origin_departs);
the ones that land at the destination are nonstops. A second query fetches the
departures into the destination airports from the airports those first legs
reach, inside the window a connection could use (ix_flights_destination_departs);
they join in Python on the connecting airport with a layover of 45 minutes to
6 hours. A round trip searches each direction the same way and pairs the best
options of each (see `pair_slices`).

Hotels: one query for the hotels of a city (ix_hotels_city_state) or around an
airport (ix_hotels_latitude), joined to the room types that fit the party and
have the rooms free. Cars: one query by pickup airport (ix_cars_pickup_airport)
or city (ix_cars_location), available for the whole rental.

Cache: results live under `<prefix>search:<kind>:v<catalogue version>:<query>`
for RESULT_TTL seconds; a catalogue write bumps the version (one INCR), which
retires every key of that kind at once. Redis away: computed every time.
"""

from __future__ import annotations

import bisect
import logging
import math
import pickle
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import redis
import sqlalchemy as sa
from flask import current_app
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.core.validation import airports
from app.extensions import db
from app.listings.models import Car, Flight, FlightCabin, Hotel, Provider, RoomType
from app.listings.queries import version_key
from app.search import availability
from app.search.forms import TIME_WINDOWS, CarQuery, FlightQuery, HotelQuery
from app.search.places import Place, distance_km, index

log = logging.getLogger(__name__)

RESULT_TTL = 600  # seconds; the catalogue version retires keys long before
MIN_LAYOVER = timedelta(minutes=45)
MAX_LAYOVER = timedelta(hours=6)
# "Best" for flights: the price plus what the time and the stops are worth.
HOUR_VALUE = Decimal("35")  # dollars per hour door to door
STOP_VALUE = Decimal("40")  # dollars per connection, on top of its hours
# Round trips: each direction's best options (by the score above, plus the
# best of each stop count, airline, connecting airport and departure window so
# that every filter still has options) are paired: at most PAIR_SIDE x PAIR_SIDE.
PAIR_SIDE = 25
HOTEL_RADIUS_KM = 25  # hotels "at" an airport: within this distance of it
FLEX_DAYS = 3  # the price strip: this many days either side


# -- flights ------------------------------------------------------------------------


@cache
def zone(code: str) -> ZoneInfo:
    return ZoneInfo(airports()[code]["tz"])


def local(moment: datetime, code: str) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(zone(code))


def window_of(moment: datetime) -> str:
    for name, (_label, start, end) in TIME_WINDOWS.items():
        if start <= moment.hour < end:
            return name
    return "evening"


@dataclass(slots=True)
class Leg:
    id: int
    airline: str  # IATA code of the airline (or its provider id)
    airline_name: str
    number: str
    origin: str
    destination: str
    departs: datetime  # UTC
    arrives: datetime
    minutes: int
    fare: Decimal
    seats: int

    @property
    def departs_local(self) -> datetime:
        return local(self.departs, self.origin)

    @property
    def arrives_local(self) -> datetime:
        return local(self.arrives, self.destination)


@dataclass(slots=True)
class Slice:
    """One direction of a trip: a nonstop or a connection."""

    legs: tuple[Leg, ...]
    price: Decimal  # per traveler
    minutes: int
    dep_window: str
    arr_window: str
    airlines: frozenset[str]
    via: tuple[str, ...]
    layovers: tuple[int, ...]  # minutes
    stops: int
    score: Decimal  # "best": the price plus what the time and the stops are worth

    @property
    def departs(self) -> datetime:
        return self.legs[0].departs

    @property
    def departs_local(self) -> datetime:
        return self.legs[0].departs_local

    @property
    def arrives_local(self) -> datetime:
        return self.legs[-1].arrives_local


def make_slice(legs: tuple[Leg, ...]) -> Slice:
    first, last = legs[0], legs[-1]
    layovers = tuple(int((b.departs - a.arrives).total_seconds() // 60) for a, b in pairwise(legs))
    price = sum((leg.fare for leg in legs), Decimal(0))
    minutes = int((last.arrives - first.departs).total_seconds() // 60)
    return Slice(
        legs=legs,
        price=price,
        minutes=minutes,
        dep_window=window_of(first.departs_local),
        arr_window=window_of(last.arrives_local),
        airlines=frozenset(leg.airline for leg in legs),
        via=tuple(leg.destination for leg in legs[:-1]),
        layovers=layovers,
        stops=len(legs) - 1,
        score=price + HOUR_VALUE * minutes / 60 + STOP_VALUE * (len(legs) - 1),
    )


@dataclass(slots=True)
class Trip:
    """A result: one slice (one-way) or an outbound and a return. What filters
    and sorts read is computed once, here."""

    slices: tuple[Slice, ...]
    price: Decimal = field(init=False)
    minutes: int = field(init=False)
    longest: int = field(init=False)  # minutes of the longest direction
    score: Decimal = field(init=False)
    stops: int = field(init=False)
    airlines: frozenset[str] = field(init=False)
    via: frozenset[str] = field(init=False)

    def __post_init__(self):
        self.price = sum((s.price for s in self.slices), Decimal(0))
        self.minutes = sum(s.minutes for s in self.slices)
        self.longest = max(s.minutes for s in self.slices)
        self.score = sum((s.score for s in self.slices), Decimal(0))
        self.stops = max(s.stops for s in self.slices)
        self.airlines = frozenset().union(*(s.airlines for s in self.slices))
        self.via = frozenset(v for s in self.slices for v in s.via)


def _day_range(codes, day: date, days: int = 1) -> tuple[datetime, datetime]:
    """UTC bounds covering local midnight of `day` to midnight `days` later at every airport."""
    starts, ends = [], []
    for code in codes:
        tz = zone(code)
        start = datetime.combine(day, datetime.min.time(), tz)
        end = datetime.combine(day + timedelta(days=days), datetime.min.time(), tz)
        starts.append(start.astimezone(UTC).replace(tzinfo=None))
        ends.append(end.astimezone(UTC).replace(tzinfo=None))
    return min(starts), max(ends)


LEG_COLUMNS = (
    Flight.id,
    Provider.code,
    Provider.name,
    Flight.provider_id,
    Flight.flight_number,
    Flight.origin,
    Flight.destination,
    Flight.departs_at,
    Flight.arrives_at,
    Flight.duration_minutes,
    FlightCabin.fare,
    FlightCabin.seats_available,
)


def _legs(where, cabin: str, travelers: int) -> list[Leg]:
    statement = (
        sa.select(*LEG_COLUMNS)
        .join(FlightCabin, FlightCabin.flight_id == Flight.id)
        .join(Provider, Provider.id == Flight.provider_id)
        .where(*where, Flight.deleted_at.is_(None), availability.cabin_has_seats(cabin, travelers))
    )
    return [
        Leg(
            row[0],
            row[1] or str(row[3]),
            row[2],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            row[10],
            row[11],
        )
        for row in db.session.execute(statement)
    ]


def departures(codes, start: datetime, end: datetime, cabin: str, travelers: int) -> list[Leg]:
    """Flights leaving `codes` in [start, end) UTC with seats for the party."""
    return _legs(
        (Flight.origin.in_(sorted(codes)), Flight.departs_at >= start, Flight.departs_at < end),
        cabin,
        travelers,
    )


def arrivals_from(codes, into, start: datetime, end: datetime, cabin: str, travelers: int):
    """Flights from `codes` into `into` departing in [start, end)."""
    return _legs(
        (
            Flight.destination.in_(sorted(into)),
            Flight.departs_at >= start,
            Flight.departs_at < end,
            Flight.origin.in_(sorted(codes)),
        ),
        cabin,
        travelers,
    )


def search_slices(
    origin: Place, destination: Place, days: list[date], cabin: str, travelers: int
) -> dict[date, list[Slice]]:
    """Every nonstop and one-stop option from `origin` to `destination` leaving on
    each of `days` (local dates at the origin), with seats for the party."""
    codes, into = set(origin.airports), set(destination.airports)
    start, end = _day_range(codes, min(days), (max(days) - min(days)).days + 1)
    wanted = set(days)
    firsts = [
        leg
        for leg in departures(codes, start, end, cabin, travelers)
        if leg.departs_local.date() in wanted
    ]
    found: dict[date, list[Slice]] = {day: [] for day in days}
    hubs: dict[str, list[Leg]] = {}
    for leg in firsts:
        if leg.destination in into:
            found[leg.departs_local.date()].append(make_slice((leg,)))
        elif leg.destination not in codes:
            hubs.setdefault(leg.destination, []).append(leg)
    if hubs:
        earliest = min(leg.arrives for legs in hubs.values() for leg in legs) + MIN_LAYOVER
        latest = max(leg.arrives for legs in hubs.values() for leg in legs) + MAX_LAYOVER
        seconds: dict[str, list[Leg]] = {}
        for leg in arrivals_from(
            hubs, into, earliest, latest + timedelta(minutes=1), cabin, travelers
        ):
            seconds.setdefault(leg.origin, []).append(leg)
        for hub, onward in seconds.items():
            onward.sort(key=lambda leg: leg.departs)
            times = [leg.departs for leg in onward]
            for first in hubs[hub]:
                lo = bisect.bisect_left(times, first.arrives + MIN_LAYOVER)
                hi = bisect.bisect_right(times, first.arrives + MAX_LAYOVER)
                day = first.departs_local.date()
                for second in onward[lo:hi]:
                    found[day].append(make_slice((first, second)))
    return found


def pair_slices(outbound: list[Slice], inbound: list[Slice]) -> list[Trip]:
    """Round trips: the PAIR_SIDE best of each direction, chosen so every filter
    option keeps candidates, paired every way (priced as the sum)."""
    outs, backs = _shortlist(outbound), _shortlist(inbound)
    # A return leaves after the outbound lands (same-day round trips).
    return [
        Trip((a, b)) for a in outs for b in backs if b.departs >= a.legs[-1].arrives + MIN_LAYOVER
    ]


def _shortlist(slices: list[Slice]) -> list[Slice]:
    if len(slices) <= PAIR_SIDE:
        return slices
    ranked = sorted(slices, key=lambda s: s.score)
    chosen: dict[int, Slice] = {}

    def take(items, n):
        for s in items[:n]:
            chosen.setdefault(id(s), s)

    groups: dict[tuple, list[Slice]] = {}
    for s in ranked:
        keys = [("stops", s.stops), ("dep", s.dep_window), ("arr", s.arr_window)]
        keys += [("airline", a) for a in s.airlines] + [("via", v) for v in s.via]
        for key in keys:
            groups.setdefault(key, []).append(s)
    for items in groups.values():
        take(items, 1)
    take(sorted(slices, key=lambda s: s.price), 4)
    take(sorted(slices, key=lambda s: s.minutes), 4)
    for s in ranked:
        if len(chosen) >= PAIR_SIDE:
            break
        chosen.setdefault(id(s), s)
    return sorted(chosen.values(), key=lambda s: s.score)[: max(PAIR_SIDE, 1)]


def flight_results(query: FlightQuery) -> list[Trip]:
    """Every result of a flight search (cached)."""

    def compute():
        out = search_slices(
            query.origin, query.destination, [query.depart], query.cabin, query.travelers
        )[query.depart]
        if not query.round_trip:
            return [Trip((s,)) for s in out]
        back = search_slices(
            query.destination, query.origin, [query.ret], query.cabin, query.travelers
        )[query.ret]
        return pair_slices(out, back)

    return cached("flight", query.key(), compute)


def _fares(where, cabin: str, travelers: int):
    """(origin, destination, departs, arrives, fare) rows: what the strip needs."""
    statement = (
        sa.select(
            Flight.origin, Flight.destination, Flight.departs_at, Flight.arrives_at,
            FlightCabin.fare,
        )
        .join(FlightCabin, FlightCabin.flight_id == Flight.id)
        .where(*where, Flight.deleted_at.is_(None), availability.cabin_has_seats(cabin, travelers))
    )  # fmt: skip
    return db.session.execute(statement).all()


def cheapest_by_day(origin: Place, destination: Place, days: list[date], cabin: str,
                    travelers: int) -> dict[date, Decimal | None]:  # fmt: skip
    """The lowest price of any option `search_slices` would find, per day: the same
    two queries and the same rules, without building the options."""
    codes, into = set(origin.airports), set(destination.airports)
    start, end = _day_range(codes, min(days), (max(days) - min(days)).days + 1)
    wanted = set(days)
    best: dict[date, Decimal | None] = dict.fromkeys(days)
    hubs: dict[str, list[tuple]] = {}
    for o, d, departs, arrives, fare in _fares(
        (Flight.origin.in_(sorted(codes)), Flight.departs_at >= start, Flight.departs_at < end),
        cabin, travelers,
    ):  # fmt: skip
        day = local(departs, o).date()
        if day not in wanted:
            continue
        if d in into:
            if best[day] is None or fare < best[day]:
                best[day] = fare
        elif d not in codes:
            hubs.setdefault(d, []).append((arrives, fare, day))
    if not hubs:
        return best
    arrivals = [a for legs in hubs.values() for a, _, _ in legs]
    onward: dict[str, list[tuple]] = {}
    for o, _d, departs, _a, fare in _fares(
        (
            Flight.destination.in_(sorted(into)),
            Flight.departs_at >= min(arrivals) + MIN_LAYOVER,
            Flight.departs_at <= max(arrivals) + MAX_LAYOVER,
            Flight.origin.in_(sorted(hubs)),
        ),
        cabin, travelers,
    ):  # fmt: skip
        onward.setdefault(o, []).append((departs, fare))
    for hub, seconds in onward.items():
        seconds.sort()
        times = [t for t, _ in seconds]
        for arrives, fare, day in hubs[hub]:
            lo = bisect.bisect_left(times, arrives + MIN_LAYOVER)
            hi = bisect.bisect_right(times, arrives + MAX_LAYOVER)
            if lo < hi:
                total = fare + min(f for _, f in seconds[lo:hi])
                if best[day] is None or total < best[day]:
                    best[day] = total
    return best


def price_strip(query: FlightQuery) -> list[dict]:
    """The cheapest result for FLEX_DAYS either side of the chosen date(s); both
    dates move together on a round trip. Days in the past are left out."""

    def compute():
        today = datetime.now(UTC).date() - timedelta(days=1)
        days = [query.depart + timedelta(days=d) for d in range(-FLEX_DAYS, FLEX_DAYS + 1)]
        days = [d for d in days if d >= today]
        out = cheapest_by_day(query.origin, query.destination, days, query.cabin, query.travelers)
        back = {}
        if query.round_trip:
            shift = query.ret - query.depart
            back_days = [d + shift for d in days]
            found = cheapest_by_day(
                query.destination, query.origin, back_days, query.cabin, query.travelers
            )
            back = {d - shift: found[d] for d in back_days}
        strip = []
        for day in days:
            price = out[day]
            if query.round_trip:
                price = None if price is None or back[day] is None else price + back[day]
            strip.append({"offset": (day - query.depart).days, "date": day, "price": price})
        return strip

    return cached("flight", "strip|" + query.key(), compute)


# -- hotels ------------------------------------------------------------------------


@dataclass(slots=True)
class Stay:
    id: int
    name: str
    city: str
    state: str
    stars: int
    rating: Decimal
    review_count: int
    amenities: frozenset[str]
    cancellation: str
    pets: bool
    breakfast: str
    brand: str
    distance: float | None  # km from the city centre or the airport
    room_name: str
    room_beds: str
    nightly: Decimal  # per room
    total: Decimal  # the whole stay, every room
    recommended: float = 0.0


def hotel_results(query: HotelQuery) -> list[Stay]:
    return cached("hotel", query.key(), lambda: _hotels(query))


def _hotels(query: HotelQuery) -> list[Stay]:
    place = query.place
    fits = sa.and_(
        RoomType.capacity * query.rooms >= query.guests,
        availability.room_type_has_rooms(query.checkin, query.checkout, query.rooms),
    )
    if place.kind == "city":
        where = [Hotel.city == place.name, Hotel.state == place.state]
    else:
        dlat = HOTEL_RADIUS_KM / 111.0
        dlon = dlat / max(0.2, abs(math.cos(math.radians(place.lat))))
        where = [
            Hotel.latitude.between(place.lat - dlat, place.lat + dlat),
            Hotel.longitude.between(place.lon - dlon, place.lon + dlon),
        ]
    # 1. The cheapest room type that fits, per hotel (narrow rows, no JSON).
    rooms = (
        sa.select(
            RoomType.hotel_id, RoomType.name, RoomType.beds, RoomType.price_per_night,
            Hotel.latitude, Hotel.longitude,
        )
        .join(Hotel, Hotel.id == RoomType.hotel_id)
        .where(*where, Hotel.deleted_at.is_(None), fits)
    )  # fmt: skip
    cheapest: dict[int, tuple] = {}
    for hid, room, beds, price, lat, lon in db.session.execute(rooms):
        if hid not in cheapest or price < cheapest[hid][2]:
            cheapest[hid] = (room, beds, price, lat, lon)
    distances: dict[int, float | None] = {}
    for hid, (_room, _beds, _price, lat, lon) in list(cheapest.items()):
        distance = None
        if lat is not None and lon is not None:
            distance = round(distance_km(place.lat, place.lon, float(lat), float(lon)), 1)
            if place.kind != "city" and distance > HOTEL_RADIUS_KM:
                del cheapest[hid]
                continue
        distances[hid] = distance
    if not cheapest:
        return []
    # 2. Those hotels' facts, one row each.
    hotels = (
        sa.select(
            Hotel.id, Hotel.name, Hotel.city, Hotel.state, Hotel.stars, Hotel.rating,
            Hotel.review_count, Hotel.amenities, Hotel.cancellation_policy, Hotel.pets_allowed,
            Hotel.breakfast, Provider.name,
        )
        .join(Provider, Provider.id == Hotel.provider_id)
        .where(Hotel.id.in_(sorted(cheapest)))
    )  # fmt: skip
    best: dict[int, Stay] = {}
    for row in db.session.execute(hotels):
        (
            hid,
            name,
            city,
            state,
            stars,
            rating,
            reviews,
            amenities,
            cancel,
            pets,
            breakfast,
            brand,
        ) = row
        room, beds, price, _lat, _lon = cheapest[hid]
        best[hid] = Stay(
            hid, name, city, state, stars, rating, reviews, frozenset(amenities or ()), cancel,
            pets, breakfast, brand, distances[hid], room, beds, price,
            price * query.rooms * query.nights,
        )  # fmt: skip
    stays = list(best.values())
    _recommend(stays)
    return stays


# Recommended hotels: a weighted blend, each part scaled to 0..1 within the results.
RECOMMENDED_WEIGHTS = {"rating": 0.45, "value": 0.25, "stars": 0.15, "distance": 0.15}
RATING_PRIOR, RATING_PRIOR_REVIEWS = Decimal("3.8"), 5


def _recommend(stays: list[Stay]) -> None:
    if not stays:
        return
    cheapest = min(s.nightly for s in stays)
    far = max((s.distance or 0) for s in stays) or 1.0
    w = RECOMMENDED_WEIGHTS
    for s in stays:
        # A Bayesian average: three 5-star reviews do not beat three hundred 4.6s.
        rating = (s.rating * s.review_count + RATING_PRIOR * RATING_PRIOR_REVIEWS) / (
            s.review_count + RATING_PRIOR_REVIEWS
        )
        s.recommended = round(
            w["rating"] * float(rating) / 5
            + w["value"] * float(cheapest / s.nightly)
            + w["stars"] * s.stars / 5
            + w["distance"] * (1 - (s.distance if s.distance is not None else far) / far),
            4,
        )


# -- cars ----------------------------------------------------------------------------


@dataclass(slots=True)
class Rental:
    id: int
    title: str
    car_type: str
    company: str
    transmission: str
    seats: int
    doors: int
    rating: Decimal
    review_count: int
    pickup_name: str
    pickup_airport: str | None
    mileage: str
    daily: Decimal
    total: Decimal


def car_results(query: CarQuery) -> list[Rental]:
    return cached("car", query.key(), lambda: _cars(query))


def _cars(query: CarQuery) -> list[Rental]:
    place = query.place
    if place.kind == "city":
        in_town = sa.and_(Car.pickup_city == place.name, Car.pickup_state == place.state)
        near = index().airports_near(place)
        where = [sa.or_(in_town, Car.pickup_airport.in_(near)) if near else in_town]
    else:
        where = [Car.pickup_airport.in_(sorted(place.airports))]
    pickup, dropoff = query.utc_range()
    statement = (
        sa.select(
            Car.id,
            Car.year,
            Car.brand,
            Car.model,
            Car.car_type,
            Provider.name,
            Car.transmission,
            Car.seats,
            Car.doors,
            Car.rating,
            Car.review_count,
            Car.pickup_name,
            Car.pickup_airport,
            Car.mileage_policy,
            Car.daily_price,
        )
        .join(Provider, Provider.id == Car.provider_id)
        .where(*where, Car.deleted_at.is_(None), availability.car_is_free(pickup, dropoff))
    )
    return [
        Rental(
            row[0],
            f"{row[1]} {row[2]} {row[3]}",
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            row[10],
            row[11],
            row[12],
            row[13],
            row[14],
            row[14] * query.days,
        )
        for row in db.session.execute(statement)
    ]


# -- the cache ----------------------------------------------------------------------


def result_key(kind: str, version: int, query_key: str) -> str:
    return f"{current_app.config['CACHE_KEY_PREFIX']}search:{kind}:v{version}:{query_key}"


CACHE_PAUSE = 2.0  # seconds without trying Redis after it failed
_paused_until = 0.0


def cache_redis() -> redis.Redis:
    """The search cache's own client: short timeouts and no retries, so a Redis
    outage costs a search at most one quick failure (the shared client retries
    with backoff, seconds per call), then the cache is skipped for CACHE_PAUSE."""
    client = current_app.extensions.get("search.redis")
    if client is None:
        client = redis.Redis.from_url(
            current_app.config["REDIS_URL_RESOLVED"],
            socket_connect_timeout=0.25,
            socket_timeout=0.5,
            retry=Retry(NoBackoff(), 0),
        )
        current_app.extensions["search.redis"] = client
    return client


def _cache_failed(exc: Exception, what: str) -> None:
    global _paused_until
    _paused_until = time.monotonic() + CACHE_PAUSE
    log.warning("search cache unavailable (%s): %s", what, exc)


# One round trip for a warm read: the kind's catalogue version, then the entry
# built on it. (The entry's key is derived in the script, so this needs a single
# Redis, not a cluster.)
READ_SCRIPT = """
local version = redis.call('GET', KEYS[1]) or '0'
return {version, redis.call('GET', ARGV[1] .. version .. ':' .. ARGV[2])}
"""


def cached(kind: str, query_key: str, compute):
    """`compute()` once per query and catalogue version; Redis away: every time."""
    if time.monotonic() < _paused_until:
        return compute()
    client = cache_redis()
    stem = f"{current_app.config['CACHE_KEY_PREFIX']}search:{kind}:v"
    try:
        read = current_app.extensions.get("search.read_script")
        if read is None or read.registered_client is not client:
            read = current_app.extensions["search.read_script"] = client.register_script(
                READ_SCRIPT
            )
        version, raw = read(keys=[version_key(kind)], args=[stem, query_key])
    except redis.RedisError as exc:
        _cache_failed(exc, "read")
        return compute()
    if raw is not None:
        return pickle.loads(raw)
    value = compute()
    key = f"{stem}{int(version)}:{query_key}"
    try:
        client.set(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), ex=RESULT_TTL)
    except redis.RedisError as exc:
        _cache_failed(exc, "write")
    return value
