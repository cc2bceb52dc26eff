"""Each bad field gets its own message (pure checks, no servers)."""

from datetime import UTC, datetime, timedelta

import pytest

from app.listings.validation import Invalid
from app.search import forms
from tests.search.conftest import DAY, flight_args, iso

TODAY = datetime.now(UTC).date()


def errors_of(check, args):
    with pytest.raises(Invalid) as caught:
        check(args)
    return caught.value.errors


def test_a_good_one_way_and_round_trip():
    query, how = forms.flight_query(flight_args(travelers="3", cabin="business"))
    assert (query.origin.code, query.destination.code, query.depart) == ("SFO", "JFK", DAY)
    assert query.ret is None and query.travelers == 3 and query.cabin == "business"
    assert how.sort == "best" and how.page == 1
    query, _ = forms.flight_query(flight_args(trip="round", **{"return": iso(DAY, 4)}))
    assert query.round_trip and query.ret == DAY + timedelta(days=4)


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"travelers": "0"}, "travelers", "Choose 1 to 9 travelers."),
        ({"travelers": "10"}, "travelers", "Choose 1 to 9 travelers."),
        ({"travelers": "two"}, "travelers", "Choose 1 to 9 travelers."),
        ({"from": "Xyzzyville"}, "from", "don't know a place"),
        ({"to": ""}, "to", "Enter where you fly to"),
        ({"to": "SFO"}, "to", "other than where you fly from"),
        ({"depart": iso(TODAY, -2)}, "depart", "has passed"),
        ({"depart": "12/20/2026"}, "depart", "YYYY-MM-DD"),
        ({"depart": iso(TODAY, 400)}, "depart", "within the next 365 days"),
        ({"trip": "round", "return": iso(DAY, -1)}, "return", "before the departure"),
        ({"trip": "round"}, "return", "Choose the return date."),
        ({"trip": "multi"}, "trip", "one-way or round trip"),
        ({"cabin": "steerage"}, "cabin", "Choose one of"),
        ({"sort": "random"}, "sort", "Choose one of"),
        ({"stops": "3"}, "stops", "Unknown value"),
        ({"dep": "noon"}, "dep", "Unknown value"),
        ({"price_max": "-5"}, "price_max", "amount in dollars"),
        ({"max_hours": "0"}, "max_hours", "1 to 72 hours"),
        ({"page": "0"}, "page", "Choose a page"),
    ],
)
def test_flight_fields(change, field, message):
    errors = errors_of(forms.flight_query, flight_args(**change))
    assert message in errors[field]


def test_every_bad_field_is_reported_at_once():
    errors = errors_of(forms.flight_query, {"from": "", "to": "", "depart": "", "travelers": "10"})
    assert set(errors) == {"from", "to", "depart", "travelers"}


def hotel_args(**change):
    return {"where": "Chicago", "checkin": iso(DAY), "checkout": iso(DAY, 3), **change}


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"checkout": iso(DAY, -1)}, "checkout", "at least one day after check-in"),
        ({"checkout": iso(DAY)}, "checkout", "at least one day after check-in"),
        ({"checkout": iso(DAY, 31)}, "checkout", "at most 30 nights; this one is 31"),
        ({"checkin": iso(TODAY, -1)}, "checkin", "has passed"),
        ({"where": "Atlantis Under The Sea"}, "where", "don't know a place"),
        ({"guests": "0"}, "guests", "Choose 1 to 16 guests."),
        ({"rooms": "9"}, "rooms", "Choose 1 to 8 rooms."),
        ({"guests": "1", "rooms": "2"}, "rooms", "no more rooms than guests"),
        ({"rating": "9"}, "rating", "Choose one of"),
        ({"amenity": "helipad"}, "amenity", "Unknown value"),
    ],
)
def test_hotel_fields(change, field, message):
    assert message in errors_of(forms.hotel_query, hotel_args(**change))[field]


def test_a_good_hotel_query():
    query, how = forms.hotel_query(hotel_args(guests="3", rooms="2", stars="4,5", free_cancel="1"))
    assert query.place.label == "Chicago, IL" and query.nights == 3
    assert how.filters["stars"] == {"4", "5"} and how.filters["free_cancel"] is True


def car_args(**change):
    return {
        "where": "LAX",
        "pickup": f"{iso(DAY)}T10:00",
        "dropoff": f"{iso(DAY, 2)}T12:00",
        **change,
    }


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"dropoff": f"{iso(DAY)}T09:00"}, "dropoff", "after the pickup"),
        ({"dropoff": f"{iso(DAY, 31)}T11:00"}, "dropoff", "at most 30 days"),
        ({"pickup": f"{iso(TODAY, -1)}T10:00"}, "pickup", "has passed"),
        ({"pickup": "tomorrow"}, "pickup", "YYYY-MM-DDTHH:MM"),
        ({"type": "tank"}, "type", "Unknown value"),
        ({"seats": "40"}, "seats", "2 to 15 seats"),
    ],
)
def test_car_fields(change, field, message):
    assert message in errors_of(forms.car_query, car_args(**change))[field]


def test_rental_days_count_every_started_day():
    query, _ = forms.car_query(car_args())
    assert query.days == 3  # 2 days and 2 hours
    query, _ = forms.car_query(car_args(dropoff=f"{iso(DAY, 1)}T10:00"))
    assert query.days == 1
