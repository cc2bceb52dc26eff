"""The filter groups and sorts of each search kind (see refine.py for how
they apply and count)."""

from __future__ import annotations

from app.core.validation import airports
from app.listings.models import CAR_TYPES, TRANSMISSIONS
from app.listings.validation import AMENITIES
from app.search.forms import TIME_WINDOWS, Refine
from app.search.refine import Group, Refined, refine

PER_PAGE = {"flight": 15, "hotel": 15, "car": 15}
WINDOW_LABELS = {
    name: f"{label} ({start:02d}–{end:02d})" for name, (label, start, end) in TIME_WINDOWS.items()
}
STOP_LABELS = {"0": "Nonstop", "1": "1 stop"}
HOUR_OPTIONS = ("4", "6", "8", "12", "16", "24")


def _airline_options(trips) -> dict[str, str]:
    names = {}
    for trip in trips:
        for s in trip.slices:
            for leg in s.legs:
                names.setdefault(leg.airline, leg.airline_name)
    return dict(sorted(names.items(), key=lambda kv: kv[1]))


def _via_options(trips) -> dict[str, str]:
    known = airports()
    codes = {v for trip in trips for v in trip.via}
    return {c: f"{known[c]['city']} ({c})" if c in known else c for c in sorted(codes)}


def flight_groups(round_trip: bool) -> list[Group]:
    groups = [
        Group("stops", "one", lambda t: str(t.stops), STOP_LABELS),
        Group("airline", "subset", lambda t: t.airlines, _airline_options),
        Group("dep", "one", lambda t: t.slices[0].dep_window, WINDOW_LABELS),
        Group("arr", "one", lambda t: t.slices[0].arr_window, WINDOW_LABELS),
        Group("via", "subset", lambda t: t.via, _via_options),
        Group(
            "max_hours", "max", lambda t: t.longest / 60, {h: f"Up to {h} h" for h in HOUR_OPTIONS}
        ),
        Group("price", "range", lambda t: t.price),
    ]
    if round_trip:
        groups[4:4] = [
            Group("rdep", "one", lambda t: t.slices[1].dep_window, WINDOW_LABELS),
            Group("rarr", "one", lambda t: t.slices[1].arr_window, WINDOW_LABELS),
        ]
    return groups


FLIGHT_SORT_KEYS = {
    "best": lambda t: (t.score, t.price),
    "cheapest": lambda t: (t.price, t.minutes),
    "fastest": lambda t: (t.minutes, t.price),
    "earliest": lambda t: (t.slices[0].departs, t.score),
    "latest": lambda t: (-t.slices[0].departs.timestamp(), t.score),
}


def refine_flights(trips, how: Refine, round_trip: bool) -> Refined:
    chosen = dict(how.filters)
    chosen["price"] = (chosen.pop("price_min", None), chosen.pop("price_max", None))
    if chosen.get("max_hours") is not None:
        chosen["max_hours"] = int(chosen["max_hours"])
    return refine(
        trips,
        flight_groups(round_trip),
        chosen,
        FLIGHT_SORT_KEYS[how.sort],
        how.page,
        PER_PAGE["flight"],
    )


RATING_OPTIONS = {
    "4.5": "4.5+ excellent",
    "4": "4+ very good",
    "3.5": "3.5+ good",
    "3": "3+ pleasant",
}
STAR_OPTIONS = {str(n): "★" * n for n in range(5, 0, -1)}


def hotel_groups() -> list[Group]:
    return [
        Group("price", "range", lambda s: s.nightly),
        Group("stars", "one", lambda s: str(s.stars), STAR_OPTIONS),
        Group("rating", "min", lambda s: s.rating, RATING_OPTIONS),
        Group("amenity", "has", lambda s: s.amenities, AMENITIES),
        Group("free_cancel", "flag", lambda s: s.cancellation in ("free_24h", "free_72h")),
        Group("pets", "flag", lambda s: s.pets),
        Group("breakfast", "flag", lambda s: s.breakfast == "included"),
    ]


HOTEL_SORT_KEYS = {
    "recommended": (lambda s: (-s.recommended, s.nightly), False),
    "price": (lambda s: (s.nightly, -s.rating), False),
    "rating": (lambda s: (-s.rating, -s.review_count, s.nightly), False),
    "stars": (lambda s: (-s.stars, -s.rating, s.nightly), False),
    "distance": (lambda s: (s.distance is None, s.distance or 0, s.nightly), False),
}


def refine_hotels(stays, how: Refine) -> Refined:
    from decimal import Decimal

    chosen = dict(how.filters)
    chosen["price"] = (chosen.pop("price_min", None), chosen.pop("price_max", None))
    if chosen.get("rating"):
        chosen["rating"] = Decimal(chosen["rating"])
    key, reverse = HOTEL_SORT_KEYS[how.sort]
    return refine(stays, hotel_groups(), chosen, key, how.page, PER_PAGE["hotel"], reverse)


SEAT_OPTIONS = {"4": "4+ seats", "5": "5+ seats", "7": "7+ seats"}


def _companies(rentals) -> dict[str, str]:
    return {name: name for name in sorted({r.company for r in rentals})}


def car_groups() -> list[Group]:
    return [
        Group("type", "one", lambda r: r.car_type, CAR_TYPES),
        Group("company", "one", lambda r: r.company, _companies),
        Group("price", "range", lambda r: r.daily),
        Group("seats", "min", lambda r: r.seats, SEAT_OPTIONS),
        Group("transmission", "one", lambda r: r.transmission, TRANSMISSIONS),
    ]


CAR_SORT_KEYS = {
    "price": lambda r: (r.daily, -r.rating),
    "rating": lambda r: (-r.rating, -r.review_count, r.daily),
}


def refine_cars(rentals, how: Refine) -> Refined:
    chosen = dict(how.filters)
    chosen["price"] = (chosen.pop("price_min", None), chosen.pop("price_max", None))
    return refine(rentals, car_groups(), chosen, CAR_SORT_KEYS[how.sort], how.page, PER_PAGE["car"])
