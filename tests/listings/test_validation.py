"""Every refusal names the field and says what is wrong (pure checks, no servers)."""

from datetime import date

import pytest

from app.listings.validation import Invalid, clean_car, clean_flight, clean_hotel
from tests.listings import factories as f


def errors_of(cleaner, data, **kwargs):
    with pytest.raises(Invalid) as caught:
        cleaner(data, **kwargs)
    return caught.value.errors


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("origin", "XQZ", "XQZ is not an airport code we know"),
        ("origin", "SF", "3-letter IATA code"),
        ("destination", "SFO", "must differ from the origin"),
        ("flight_number", "United 12", "airline code and 1-4 digits"),
        ("departs_local", "20/12/2026 8am", "as a date and time"),
        ("arrives_local", "2026-12-20T07:00", "arrival must be after the departure"),
        ("arrives_local", "2026-12-22T07:00", "more than 20 hours"),
        ("checked_bag_fee", "-5", "cannot be negative"),
        ("checked_bag_fee", "12.345", "two decimal places"),
        ("checked_bags", "-1", "cannot be below zero"),
        ("refund_rule", "maybe", "one of non_refundable"),
    ],
)
def test_flight_refusals(field, value, message):
    errors = errors_of(clean_flight, f.flight_input(**{field: value}))
    assert message in errors[field]


@pytest.mark.parametrize(
    "cabin, message",
    [
        ({"fare": "-10", "seats_total": "10"}, "cannot be negative"),
        ({"fare": "9999999", "seats_total": "10"}, "between $1.00 and $50,000.00"),
        ({"fare": "abc", "seats_total": "10"}, "amount in dollars"),
        ({"fare": "100", "seats_total": "-3"}, "cannot be below zero"),
        ({"fare": "100", "seats_total": "10", "seats_available": "11"}, "More economy seats"),
    ],
)
def test_cabin_refusals(cabin, message):
    errors = errors_of(clean_flight, f.flight_input(cabins={"economy": cabin}))
    assert any(message in m for m in errors.values()), errors


def test_flight_needs_a_cabin():
    assert "at least one cabin" in errors_of(clean_flight, f.flight_input(cabins={}))["cabins"]


def test_times_that_dst_skips_are_refused():
    data = f.flight_input(departs_local="2027-03-14T02:30", arrives_local="2027-03-14T11:00")
    assert "does not exist" in errors_of(clean_flight, data)["departs_local"]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("state", "Cal", "is not a US state"),
        ("state", "ZZ", "is not a US state"),
        ("zip_code", "9410", "5 digits"),
        ("zip_code", "94105-12", "ZIP+4"),
        ("stars", "6", "at most 5"),
        ("stars", "0", "at least 1"),
        ("latitude", "123", "between -90 and 90"),
        ("check_in_time", "3pm", "HH:MM"),
        ("amenities", ["wifi", "helipad"], "not an amenity"),
        ("name", "", "Enter the hotel name"),
        ("breakfast", "sometimes", "breakfast option"),
    ],
)
def test_hotel_refusals(field, value, message):
    errors = errors_of(clean_hotel, f.hotel_input(**{field: value}))
    assert message in errors[field], errors


def test_hotel_state_by_name_is_stored_as_abbreviation():
    assert clean_hotel(f.hotel_input(state="california"))["state"] == "CA"


@pytest.mark.parametrize(
    "room, message",
    [
        ({"price_per_night": "-1"}, "cannot be negative"),
        ({"room_count": "0"}, "at least 1"),
        ({"capacity": "40"}, "at most 12"),
        ({"name": "Double Queen"}, "its own name"),
    ],
)
def test_room_refusals(room, message):
    rooms = f.hotel_input()["rooms"]
    rooms[0].update(room)
    errors = errors_of(clean_hotel, f.hotel_input(rooms=rooms))
    assert any(message in m for k, m in errors.items() if k.startswith("rooms-")), errors


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("year", "2031", "is in the future"),
        ("year", "1975", "at least 1990"),
        ("daily_price", "-20", "cannot be negative"),
        ("daily_price", "100000", "between $1.00 and $5,000.00"),
        ("car_type", "tank", "one of economy"),
        ("pickup_zip", "ABCDE", "5 digits"),
        ("pickup_state", "Narnia", "is not a US state"),
        ("seats", "1", "at least 2"),
        ("pickup_airport", "QQQ", "not an airport code we know"),
    ],
)
def test_car_refusals(field, value, message):
    errors = errors_of(clean_car, f.car_input(**{field: value}), today=date(2026, 11, 25))
    assert message in errors[field], errors


def test_every_bad_field_is_reported_at_once():
    data = f.car_input(year="2040", daily_price="-1", pickup_zip="1")
    assert set(errors_of(clean_car, data)) == {"year", "daily_price", "pickup_zip"}


def test_non_dict_input_is_refused_field_by_field():
    assert "brand" in errors_of(clean_car, ["not", "a", "dict"])
