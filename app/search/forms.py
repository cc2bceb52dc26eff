"""What a search form or a partner's query string may say, checked field by field.

`flight_query`, `hotel_query` and `car_query` take the request's arguments
(a MultiDict or a plain dict) and return the query plus its refinements
(filters, sort, page), or raise `Invalid` whose `errors` map each field to a
message saying exactly what is wrong. The pages show each message next to
its field (status 422) and the API returns them as problem+json.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from app.core.models import utcnow
from app.listings.models import CABINS, CAR_TYPES, TRANSMISSIONS
from app.listings.validation import AMENITIES, Invalid
from app.search import places
from app.search.places import FLIGHT_KINDS, STAY_KINDS, Place

MAX_TRAVELERS = 9
MAX_GUESTS = 16
MAX_ROOMS = 8
MAX_NIGHTS = 30
MAX_RENTAL_DAYS = 30
MAX_DAYS_AHEAD = 365
MAX_PAGE = 500

# Local clock windows of a departure or an arrival (hours, end excluded).
TIME_WINDOWS = {
    "redeye": ("Red-eye", 0, 5),
    "morning": ("Morning", 5, 12),
    "afternoon": ("Afternoon", 12, 18),
    "evening": ("Evening", 18, 24),
}
FLIGHT_SORTS = {
    "best": "Best",
    "cheapest": "Cheapest",
    "fastest": "Fastest",
    "earliest": "Earliest departure",
    "latest": "Latest departure",
}
HOTEL_SORTS = {
    "recommended": "Recommended",
    "price": "Lowest price",
    "rating": "Guest rating",
    "stars": "Stars",
    "distance": "Distance",
}
CAR_SORTS = {"price": "Lowest price", "rating": "Rating"}
CANCELLATION_FREE = ("free_24h", "free_72h")


@dataclass(frozen=True)
class FlightQuery:
    origin: Place
    destination: Place
    depart: date
    ret: date | None
    travelers: int
    cabin: str

    kind = "flight"

    @property
    def round_trip(self) -> bool:
        return self.ret is not None

    def key(self) -> str:
        return (
            f"{self.origin.key}|{self.destination.key}|{self.depart}|{self.ret}|"
            f"{self.travelers}|{self.cabin}"
        )

    def args(self) -> dict[str, Any]:
        """The query as URL arguments (labels, so a shared link reads well)."""
        args = {
            "trip": "round" if self.ret else "oneway",
            "from": self.origin.label,
            "to": self.destination.label,
            "depart": self.depart.isoformat(),
            "travelers": self.travelers,
            "cabin": self.cabin,
        }
        if self.ret:
            args["return"] = self.ret.isoformat()
        return args

    def shifted(self, days: int) -> FlightQuery:
        """The same trip `days` later (both dates move: the trip keeps its length)."""
        return FlightQuery(
            self.origin,
            self.destination,
            self.depart + timedelta(days=days),
            self.ret + timedelta(days=days) if self.ret else None,
            self.travelers,
            self.cabin,
        )


@dataclass(frozen=True)
class HotelQuery:
    place: Place
    checkin: date
    checkout: date
    guests: int
    rooms: int

    kind = "hotel"

    @property
    def nights(self) -> int:
        return (self.checkout - self.checkin).days

    def key(self) -> str:
        return f"{self.place.key}|{self.checkin}|{self.checkout}|{self.guests}|{self.rooms}"

    def args(self) -> dict[str, Any]:
        return {
            "where": self.place.label,
            "checkin": self.checkin.isoformat(),
            "checkout": self.checkout.isoformat(),
            "guests": self.guests,
            "rooms": self.rooms,
        }


@dataclass(frozen=True)
class CarQuery:
    place: Place
    pickup: datetime  # local wall clock at the pickup place (naive)
    dropoff: datetime
    tz: str

    kind = "car"

    @property
    def days(self) -> int:
        """Rental days: every started 24 hours counts (at least one)."""
        seconds = (self.dropoff - self.pickup).total_seconds()
        return max(1, -(-int(seconds) // 86400))

    def utc_range(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(self.tz)
        return tuple(  # type: ignore[return-value]
            t.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
            for t in (self.pickup, self.dropoff)
        )

    def key(self) -> str:
        return f"{self.place.key}|{self.pickup:%Y%m%d%H%M}|{self.dropoff:%Y%m%d%H%M}"

    def args(self) -> dict[str, Any]:
        return {
            "where": self.place.label,
            "pickup": self.pickup.strftime("%Y-%m-%dT%H:%M"),
            "dropoff": self.dropoff.strftime("%Y-%m-%dT%H:%M"),
        }


@dataclass
class Refine:
    """Filters, sort and page: applied to the (cached) results, never to SQL."""

    sort: str
    page: int = 1
    filters: dict[str, Any] = field(default_factory=dict)

    def args(self) -> dict[str, Any]:
        args: dict[str, Any] = {}
        for name, value in self.filters.items():
            if isinstance(value, (set, frozenset, list, tuple)):
                args[name] = sorted(value)
            elif isinstance(value, bool):
                args[name] = "1" if value else None
            else:
                args[name] = value
        args["sort"] = self.sort
        return {k: v for k, v in args.items() if v not in (None, "", [])}


# -- reading the arguments ------------------------------------------------------


class Args:
    """Uniform access to a MultiDict (forms) or a dict (tests, JSON)."""

    def __init__(self, data):
        self.data = data

    def get(self, name: str) -> str:
        value = self.data.get(name)
        if value is None:
            return ""
        return value.strip() if isinstance(value, str) else str(value)

    def getlist(self, name: str) -> list[str]:
        if hasattr(self.data, "getlist"):
            values = self.data.getlist(name)
        else:
            value = self.data.get(name)
            values = value if isinstance(value, list) else ([] if value is None else [value])
        out = []
        for value in values:
            out.extend(p.strip() for p in str(value).split(",") if p.strip())
        return out


def _place(args: Args, name: str, kinds, errors: dict[str, str], what: str) -> Place | None:
    text = args.get(name)
    if not text:
        errors[name] = f"Enter {what}: a city or an airport."
        return None
    try:
        return places.index().resolve(text, kinds)
    except ValueError as exc:
        errors[name] = str(exc)
        return None


def _count(args: Args, name: str, low: int, high: int, default: int, message: str, errors):
    text = args.get(name)
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        errors[name] = message
        return None
    if not low <= value <= high:
        errors[name] = message
        return None
    return value


def _date(args: Args, name: str, what: str, today: date, errors: dict[str, str]) -> date | None:
    text = args.get(name)
    if not text:
        errors[name] = f"Choose the {what} date."
        return None
    try:
        value = date.fromisoformat(text[:10]) if len(text) == 10 else None
    except ValueError:
        value = None
    if value is None:
        errors[name] = f"Enter the {what} date as YYYY-MM-DD, e.g. {today + timedelta(days=14)}."
        return None
    if value < today:
        errors[name] = f"The {what} date has passed: choose today ({today}) or later."
        return None
    if value > today + timedelta(days=MAX_DAYS_AHEAD):
        errors[name] = f"Choose a {what} date within the next {MAX_DAYS_AHEAD} days."
        return None
    return value


def local_today(place: Place | None) -> date:
    """Today where the trip starts (a traveler in Honolulu is a day behind Tokyo)."""
    tz = place_tz(place) if place else None
    now = utcnow().replace(tzinfo=UTC)
    return (now.astimezone(ZoneInfo(tz)) if tz else now).date()


def place_tz(place: Place) -> str | None:
    return place.tz or None


def _choice(args: Args, name: str, options: dict, default: str, errors: dict[str, str]) -> str:
    value = args.get(name) or default
    if value not in options:
        errors[name] = f"Choose one of: {', '.join(options)}."
        return default
    return value


def _choices(args: Args, name: str, options, errors: dict[str, str]) -> frozenset[str]:
    values = frozenset(args.getlist(name))
    unknown = sorted(values - set(options))
    if unknown:
        errors[name] = f"Unknown value {unknown[0][:20]!r}: choose from {', '.join(options)}."
        return frozenset()
    return values


def _amount(args: Args, name: str, errors: dict[str, str]) -> Decimal | None:
    text = args.get(name).replace("$", "").replace(",", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite() or value < 0 or value > 1_000_000:
        errors[name] = "Enter an amount in dollars, e.g. 250."
        return None
    return value


def _page(args: Args, errors: dict[str, str]) -> int:
    return _count(args, "page", 1, MAX_PAGE, 1, f"Choose a page from 1 to {MAX_PAGE}.", errors) or 1


def _codes(args: Args, name: str, errors: dict[str, str], length=(2, 3)) -> frozenset[str]:
    values = frozenset(v.upper() for v in args.getlist(name))
    for value in values:
        if not (value.isascii() and value.isalnum() and length[0] <= len(value) <= length[1]):
            errors[name] = f"Unknown value {value[:20]!r}: use codes such as UA or SFO."
            return frozenset()
    return values


def _flag(args: Args, name: str) -> bool:
    return args.get(name).lower() in ("1", "true", "on", "yes")


# -- the three searches ------------------------------------------------------------


def flight_query(data) -> tuple[FlightQuery, Refine]:
    """Raises Invalid with a message per bad field."""
    args, errors = Args(data), {}
    trip = args.get("trip") or ("round" if args.get("return") else "oneway")
    if trip not in ("oneway", "round"):
        errors["trip"] = "Choose one-way or round trip."
        trip = "oneway"
    origin = _place(args, "from", FLIGHT_KINDS, errors, "where you fly from")
    destination = _place(args, "to", FLIGHT_KINDS, errors, "where you fly to")
    if origin and destination and set(origin.airports) & set(destination.airports):
        errors["to"] = "Choose a destination other than where you fly from."
    today = local_today(origin)
    depart = _date(args, "depart", "departure", today, errors)
    ret = None
    if trip == "round":
        ret = _date(args, "return", "return", today, errors)
        if depart and ret and ret < depart:
            errors["return"] = "The return date is before the departure: choose a later one."
    travelers = _count(
        args, "travelers", 1, MAX_TRAVELERS, 1, f"Choose 1 to {MAX_TRAVELERS} travelers.", errors
    )
    cabin = _choice(args, "cabin", CABINS, "economy", errors)
    refine = Refine(_choice(args, "sort", FLIGHT_SORTS, "best", errors), _page(args, errors))
    f = refine.filters
    f["stops"] = _choices(args, "stops", ("0", "1"), errors)
    f["airline"] = _codes(args, "airline", errors)
    f["via"] = _codes(args, "via", errors, (3, 3))
    for name in ("dep", "arr", "rdep", "rarr"):
        f[name] = _choices(args, name, TIME_WINDOWS, errors)
    f["price_min"] = _amount(args, "price_min", errors)
    f["price_max"] = _amount(args, "price_max", errors)
    f["max_hours"] = _count(
        args, "max_hours", 1, 72, None, "Choose a maximum duration from 1 to 72 hours.", errors
    )
    if errors:
        raise Invalid(errors)
    return FlightQuery(origin, destination, depart, ret, travelers, cabin), refine


def hotel_query(data) -> tuple[HotelQuery, Refine]:
    args, errors = Args(data), {}
    place = _place(args, "where", STAY_KINDS, errors, "where you are going")
    today = local_today(place)
    checkin = _date(args, "checkin", "check-in", today, errors)
    checkout = _date(args, "checkout", "check-out", today, errors)
    if checkin and checkout:
        nights = (checkout - checkin).days
        if nights < 1:
            errors["checkout"] = "Check-out must be at least one day after check-in."
        elif nights > MAX_NIGHTS:
            errors["checkout"] = (
                f"A stay can be at most {MAX_NIGHTS} nights; this one is {nights}. "
                "Choose an earlier check-out."
            )
    guests = _count(args, "guests", 1, MAX_GUESTS, 2, f"Choose 1 to {MAX_GUESTS} guests.", errors)
    rooms = _count(args, "rooms", 1, MAX_ROOMS, 1, f"Choose 1 to {MAX_ROOMS} rooms.", errors)
    if guests and rooms and rooms > guests:
        errors["rooms"] = "Each room needs a guest: choose no more rooms than guests."
    refine = Refine(_choice(args, "sort", HOTEL_SORTS, "recommended", errors), _page(args, errors))
    f = refine.filters
    f["price_min"] = _amount(args, "price_min", errors)
    f["price_max"] = _amount(args, "price_max", errors)
    f["stars"] = _choices(args, "stars", ("1", "2", "3", "4", "5"), errors)
    f["rating"] = (
        _choice(args, "rating", {"": "", "3": "", "3.5": "", "4": "", "4.5": ""}, "", errors)
        or None
    )
    f["amenity"] = _choices(args, "amenity", AMENITIES, errors)
    f["free_cancel"] = _flag(args, "free_cancel")
    f["pets"] = _flag(args, "pets")
    f["breakfast"] = _flag(args, "breakfast")
    if errors:
        raise Invalid(errors)
    return HotelQuery(place, checkin, checkout, guests, rooms), refine


def _moment(args: Args, name: str, what: str, errors: dict[str, str]) -> datetime | None:
    text = args.get(name).replace(" ", "T")
    if not text:
        errors[name] = f"Choose the {what} date and time."
        return None
    try:
        value = datetime.fromisoformat(text[:16])
    except ValueError:
        value = None
    if value is None or value.tzinfo is not None:
        errors[name] = f"Enter the {what} as YYYY-MM-DDTHH:MM, e.g. 2026-12-20T10:00."
        return None
    return value


def car_query(data) -> tuple[CarQuery, Refine]:
    args, errors = Args(data), {}
    place = _place(args, "where", STAY_KINDS, errors, "where you pick the car up")
    tz = (place_tz(place) if place else None) or "UTC"
    pickup = _moment(args, "pickup", "pickup", errors)
    dropoff = _moment(args, "dropoff", "drop-off", errors)
    now = utcnow().replace(tzinfo=UTC).astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    if pickup and pickup < now - timedelta(minutes=5):
        errors["pickup"] = "The pickup time has passed: choose a later date and time."
    elif pickup and pickup > now + timedelta(days=MAX_DAYS_AHEAD):
        errors["pickup"] = f"Choose a pickup within the next {MAX_DAYS_AHEAD} days."
    if pickup and dropoff:
        if dropoff <= pickup:
            errors["dropoff"] = "The drop-off must be after the pickup."
        elif dropoff - pickup > timedelta(days=MAX_RENTAL_DAYS):
            errors["dropoff"] = f"A rental can last at most {MAX_RENTAL_DAYS} days."
    refine = Refine(_choice(args, "sort", CAR_SORTS, "price", errors), _page(args, errors))
    f = refine.filters
    f["type"] = _choices(args, "type", CAR_TYPES, errors)
    f["company"] = frozenset(args.getlist("company")[:20])
    f["price_min"] = _amount(args, "price_min", errors)
    f["price_max"] = _amount(args, "price_max", errors)
    f["seats"] = _count(args, "seats", 2, 15, None, "Choose 2 to 15 seats.", errors)
    f["transmission"] = _choices(args, "transmission", TRANSMISSIONS, errors)
    if errors:
        raise Invalid(errors)
    return CarQuery(place, pickup, dropoff, tz), refine
