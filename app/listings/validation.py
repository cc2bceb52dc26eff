"""Checks for listing input, shared by the admin forms and the partner API.

Each `clean_*` takes what was submitted (form fields or JSON, as a mapping)
and returns the values to store, or raises `Invalid` whose `errors` map each
field to a message that says what is wrong and how to fix it. Nested rows
(cabins, room types) report as "cabins.business.fare", "rooms.0.price", etc.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from app.core import validation as common
from app.core.validation import airports
from app.listings.models import (
    BREAKFAST,
    CABINS,
    CANCELLATION,
    CAR_TYPES,
    REFUND_RULES,
    TRANSMISSIONS,
)

FLIGHT_NUMBER = re.compile(r"([A-Z0-9]{2})\s?(\d{1,4})")
MAX_FLIGHT_MINUTES = 20 * 60
AMENITIES = {
    "wifi": "Free Wi-Fi",
    "parking": "Parking",
    "pool": "Pool",
    "gym": "Fitness center",
    "spa": "Spa",
    "restaurant": "Restaurant",
    "bar": "Bar",
    "airport_shuttle": "Airport shuttle",
    "ev_charging": "EV charging",
    "business_center": "Business center",
    "room_service": "Room service",
    "laundry": "Laundry",
    "accessible": "Accessible rooms",
    "kitchenette": "Kitchenette",
}


class Invalid(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class Collector:
    """Runs checks field by field, so one bad field does not hide the others."""

    def __init__(self, data: Any):
        self.data = data if isinstance(data, dict) else {}
        self.errors: dict[str, str] = {}
        self.clean: dict[str, Any] = {}

    def raw(self, name: str, default: Any = None) -> Any:
        value = self.data.get(name, default)
        return value.strip() if isinstance(value, str) else value

    def field(self, name: str, check, *args, required: bool = True, key: str | None = None):
        value = self.raw(name)
        if value in (None, "") and not required:
            self.clean[name] = None
            return None
        try:
            result = check(value, *args)
        except ValueError as exc:
            self.errors[key or name] = str(exc)
            return None
        self.clean[name] = result
        return result

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def done(self) -> dict[str, Any]:
        if self.errors:
            raise Invalid(self.errors)
        return self.clean


# -- single values -----------------------------------------------------------


def text(value: Any, what: str, max_len: int = 160) -> str:
    if not isinstance(value, str):
        raise ValueError(f"Enter the {what}.")
    cleaned = common.clean_text(value)
    if not cleaned:
        raise ValueError(f"Enter the {what}.")
    if len(cleaned) > max_len:
        raise ValueError(f"Keep the {what} to {max_len} characters or fewer.")
    return cleaned


def long_text(value: Any, what: str, max_len: int = 4000) -> str:
    if not isinstance(value, str):
        raise ValueError(f"The {what} must be text.")
    cleaned = value.strip()
    if common.has_control_chars(cleaned.replace("\n", "").replace("\r", "")):
        raise ValueError(f"Remove the invisible control characters from the {what}.")
    if len(cleaned) > max_len:
        raise ValueError(f"Keep the {what} to {max_len} characters or fewer.")
    return cleaned


def money(value: Any, what: str, low: Decimal, high: Decimal) -> Decimal:
    if isinstance(value, bool) or value in (None, ""):
        raise ValueError(f"Enter the {what} in US dollars, e.g. 129.00.")
    try:
        amount = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        raise ValueError(f"The {what} must be an amount in dollars, e.g. 129.00.") from None
    if not amount.is_finite():
        raise ValueError(f"The {what} must be an amount in dollars, e.g. 129.00.")
    if amount < 0:
        raise ValueError(f"The {what} cannot be negative.")
    if amount < low or amount > high:
        raise ValueError(f"The {what} must be between ${low:,.2f} and ${high:,.2f}.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"The {what} can have at most two decimal places (cents).")
    return amount


def whole(value: Any, what: str, low: int, high: int) -> int:
    if isinstance(value, bool) or value in (None, ""):
        raise ValueError(f"Enter the {what}.")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"The {what} must be a whole number.") from None
    if number < low:
        if low == 0:
            raise ValueError(f"The {what} cannot be below zero.")
        raise ValueError(f"The {what} must be at least {low}.")
    if number > high:
        raise ValueError(f"The {what} must be at most {high}.")
    return number


def choice(value: Any, options: dict[str, str], what: str) -> str:
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(options)
        raise ValueError(f"Choose the {what}: one of {listed}.")
    return value


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, "", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on", "y"):
        return True
    raise ValueError("Answer yes or no.")


def clock(value: Any, what: str) -> time:
    try:
        if not isinstance(value, str):  # int 1234 would read as 12:34
            raise ValueError
        return time.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"Enter the {what} as HH:MM, e.g. 15:00.") from None


def coordinate(value: Any, what: str, limit: int) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"The {what} must be a number of degrees, e.g. 37.6189.") from None
    if not number.is_finite() or abs(number) > limit:
        raise ValueError(f"The {what} must be between -{limit} and {limit} degrees.")
    return number.quantize(Decimal("0.000001"))


def local_datetime(value: Any, what: str, tz_name: str | None) -> datetime:
    """A wall-clock time at an airport -> naive UTC. Refuses times DST skips."""
    try:
        if not isinstance(value, str):  # int 20261220 would read as a midnight
            raise ValueError
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"Enter the {what} as a date and time, e.g. 2026-12-20T08:30.") from None
    if naive.tzinfo is not None:
        raise ValueError(f"Give the {what} as the airport's local time, without a zone.")
    if tz_name is None:
        raise ValueError(f"Fix the airport first; the {what} is in its local time.")
    zone = ZoneInfo(tz_name)
    aware = naive.replace(tzinfo=zone)
    round_trip = aware.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise ValueError(f"{naive:%H:%M} does not exist on {naive:%Y-%m-%d} there (clocks jump).")
    return aware.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def flight_number(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Enter the flight number, e.g. UA 1234.")
    match = FLIGHT_NUMBER.fullmatch(value.strip().upper())
    if not match:
        raise ValueError("Write the flight number as the airline code and 1-4 digits: UA 1234.")
    return f"{match.group(1)} {int(match.group(2))}"


def amenities(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    cleaned = []
    for item in items:
        key = str(item).strip().lower().replace(" ", "_").replace("-", "_")
        if not key:
            continue
        if key not in AMENITIES:
            raise ValueError(
                f'"{str(item)[:30]}" is not an amenity we list; use: {", ".join(AMENITIES)}.'
            )
        if key not in cleaned:
            cleaned.append(key)
    return cleaned


# -- listings ---------------------------------------------------------------


def clean_flight(data: Any) -> dict[str, Any]:
    c = Collector(data)
    c.field("flight_number", flight_number)
    origin = c.field("origin", common.airport_code)
    destination = c.field("destination", common.airport_code)
    if origin and destination and origin == destination:
        c.fail("destination", "The destination must differ from the origin.")
    known = airports()
    departs = c.field(
        "departs_local", local_datetime, "departure", known[origin]["tz"] if origin else None
    )
    arrives = c.field(
        "arrives_local",
        local_datetime,
        "arrival",
        known[destination]["tz"] if destination else None,
    )
    if departs and arrives:
        minutes = int((arrives - departs).total_seconds() // 60)
        if minutes <= 0:
            c.fail("arrives_local", "The arrival must be after the departure (in real time).")
        elif minutes > MAX_FLIGHT_MINUTES:
            c.fail(
                "arrives_local", "No scheduled flight takes more than 20 hours; check the dates."
            )
        else:
            c.clean["duration_minutes"] = minutes
        c.clean["departs_at"], c.clean["arrives_at"] = departs, arrives
    c.field("aircraft", text, "aircraft", 40, required=False)
    c.field("carry_on_bags", whole, "number of carry-on bags", 0, 2)
    c.field("checked_bags", whole, "number of included checked bags", 0, 3)
    c.field("checked_bag_fee", money, "checked bag fee", Decimal("0"), Decimal("500"))
    c.field("refund_rule", choice, REFUND_RULES, "refund rule")
    c.field("change_fee", money, "change fee", Decimal("0"), Decimal("1000"))
    cabins = clean_cabins(c)
    c.done()
    for key in ("departs_local", "arrives_local"):
        c.clean.pop(key, None)
    c.clean["cabins"] = cabins
    return c.clean


def clean_cabins(c: Collector) -> list[dict[str, Any]]:
    """Cabins come as {"economy": {"fare":..., "seats_total":..., "seats_available":...}}
    (JSON) or as form fields economy_fare, economy_seats_total, ..."""
    nested = c.raw("cabins") if isinstance(c.raw("cabins"), dict) else {}
    rows = []
    for position, cabin in enumerate(CABINS):
        given = (
            nested.get(cabin)
            if nested
            else {k: c.raw(f"{cabin}_{k}") for k in ("fare", "seats_total", "seats_available")}
        )
        if not isinstance(given, dict) or all(given.get(k) in (None, "") for k in given):
            continue
        label = CABINS[cabin].lower()
        sub = Collector(given)
        sub.field("fare", money, f"{label} fare", Decimal("1"), Decimal("50000"))
        total = sub.field("seats_total", whole, f"number of {label} seats", 0, 900)
        if given.get("seats_available") in (None, ""):
            sub.clean["seats_available"] = total
        else:
            available = sub.field("seats_available", whole, f"{label} seats available", 0, 900)
            if available is not None and total is not None and available > total:
                sub.fail("seats_available", f"More {label} seats available than the cabin has.")
        for field_name, message in sub.errors.items():
            c.fail(f"{cabin}_{field_name}", message)
        if not sub.errors:
            rows.append({"cabin": cabin, "position": position, **sub.clean})
    if not rows and not any(k.split("_")[0] in CABINS for k in c.errors):
        c.fail("cabins", "Offer at least one cabin with a fare and a seat count.")
    return rows


def clean_hotel(data: Any) -> dict[str, Any]:
    c = Collector(data)
    c.field("name", text, "hotel name", 160)
    c.field("description", long_text, "description", required=False)
    c.field("address", common.street_address)
    c.field("city", common.city)
    c.field("state", common.us_state)
    c.field("zip_code", common.zip_code)
    c.field("latitude", coordinate, "latitude", 90, required=False)
    c.field("longitude", coordinate, "longitude", 180, required=False)
    c.field("stars", whole, "star rating", 1, 5)
    c.field("amenities", amenities, required=False)
    c.clean["amenities"] = c.clean.get("amenities") or []
    c.field("check_in_time", clock, "check-in time")
    c.field("check_out_time", clock, "check-out time")
    c.field("cancellation_policy", choice, CANCELLATION, "cancellation policy")
    c.field("pets_allowed", flag, required=False)
    c.clean["pets_allowed"] = bool(c.clean.get("pets_allowed"))
    c.field("breakfast", choice, BREAKFAST, "breakfast option")
    rooms = clean_rooms(c)
    c.done()
    c.clean["rooms"] = rooms
    return c.clean


def clean_rooms(c: Collector) -> list[dict[str, Any]]:
    """Rooms come as a JSON list, or as form fields rooms-0-name, rooms-0-price, ..."""
    given = c.raw("rooms")
    if not isinstance(given, list):
        given = []
        for i in range(20):
            row = {
                k: c.raw(f"rooms-{i}-{k}")
                for k in ("name", "beds", "capacity", "room_count", "price_per_night")
            }
            if any(v not in (None, "") for v in row.values()):
                given.append(row)
    rows, names = [], set()
    for i, row in enumerate(given):
        sub = Collector(row)
        name = sub.field("name", text, "room type name", 80)
        sub.field("beds", text, "bed description", 80)
        sub.field("capacity", whole, "guest capacity", 1, 12)
        sub.field("room_count", whole, "number of rooms", 1, 2000)
        sub.field("price_per_night", money, "price per night", Decimal("1"), Decimal("100000"))
        if name and name.lower() in names:
            sub.fail("name", "Each room type needs its own name.")
        names.add((name or "").lower())
        for field_name, message in sub.errors.items():
            c.fail(f"rooms-{i}-{field_name}", message)
        if not sub.errors:
            rows.append(sub.clean)
    if not given:
        c.fail("rooms", "Add at least one room type with its price and number of rooms.")
    return rows


def clean_car(data: Any, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    c = Collector(data)
    c.field("car_type", choice, CAR_TYPES, "car type")
    c.field("brand", text, "brand", 40)
    c.field("model", text, "model", 60)
    year = c.field("year", whole, "model year", 1990, 9999)
    if year and year > today.year + 1:
        c.errors["year"] = f"{year} is in the future: model years run at most to {today.year + 1}."
    c.field("transmission", choice, TRANSMISSIONS, "transmission")
    c.field("seats", whole, "number of seats", 2, 15)
    c.field("doors", whole, "number of doors", 2, 5)
    c.field("daily_price", money, "daily price", Decimal("1"), Decimal("5000"))
    c.field("pickup_airport", common.airport_code, required=False)
    c.field("pickup_name", text, "pick-up location name", 160)
    c.field("pickup_address", common.street_address)
    c.field("pickup_city", common.city)
    c.field("pickup_state", common.us_state)
    c.field("pickup_zip", common.zip_code)
    c.field("mileage_policy", text, "mileage policy", 80, required=False)
    c.clean["mileage_policy"] = c.clean.get("mileage_policy") or "Unlimited mileage"
    c.field("available", flag, required=False)
    c.clean["available"] = True if c.raw("available") in (None, "") else c.clean.get("available")
    return c.done()


CLEANERS = {"flight": clean_flight, "hotel": clean_hotel, "car": clean_car}
