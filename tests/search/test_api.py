"""Search for partners under /api/v1/search: API keys, the same checks (422
problem+json), pages and facet counts."""

import pytest

from app.extensions import db
from app.partners.services import create_key
from tests.search.conftest import DAY, flight_args, iso


@pytest.fixture()
def headers(make_user, make_provider):
    user = make_user("partner", provider=make_provider("Partner Travel", kind="airline"))
    _, secret = create_key(user, "search tests")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize("kind", ["flights", "hotels", "cars"])
def test_a_key_is_required(client, app_ctx, kind):
    response = client.get(f"/api/v1/search/{kind}")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    bad = client.get(f"/api/v1/search/{kind}", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_flights_as_json_with_facets_and_pages(client, flight, headers):
    flight("SFO", "JFK", "08:00", "16:30", code="TA", number="100", fare="300.00")
    flight("SFO", "ORD", "06:00", "12:00", code="TB", number="200", fare="100.00")
    flight("ORD", "JFK", "13:00", "16:10", code="TB", number="202", fare="90.00")
    response = client.get(
        "/api/v1/search/flights", query_string=flight_args(travelers="2"), headers=headers
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["total"] == 2 and body["page"] == 1 and body["pages"] == 1
    assert body["query"]["from"] == "San Francisco (SFO)"
    stops = {o["value"]: o["count"] for o in body["facets"]["stops"]}
    assert stops == {"0": 1, "1": 1}
    assert body["facets"]["price"] == {"min": "190.00", "max": "300.00"}
    connection = next(item for item in body["items"] if item["stops"] == 1)
    assert connection["price_per_traveler"] == "190.00" and connection["price_total"] == "380.00"
    (one_way,) = connection["slices"]
    assert one_way["via"] == ["ORD"] and one_way["layover_minutes"] == [60]
    assert [leg["flight_number"] for leg in one_way["legs"]] == ["TB 200", "TB 202"]
    assert one_way["legs"][0]["departs_local"].startswith(f"{iso(DAY)}T06:00:00-08:00")
    filtered = client.get(
        "/api/v1/search/flights",
        headers=headers,
        query_string=flight_args(stops="0", sort="cheapest"),
    ).get_json()
    assert filtered["total"] == 1 and filtered["unfiltered_total"] == 2
    assert filtered["refine"] == {"stops": ["0"], "sort": "cheapest"}


def test_the_same_checks_answer_422_with_errors(client, app_ctx, headers):
    response = client.get(
        "/api/v1/search/flights",
        headers=headers,
        query_string={
            "from": "Nowhere-ville",
            "to": "LAX",
            "depart": "yesterday",
            "travelers": "0",
        },
    )
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert set(errors) == {"from", "depart", "travelers"}
    response = client.get(
        "/api/v1/search/hotels",
        headers=headers,
        query_string={"where": "Chicago", "checkin": iso(DAY), "checkout": iso(DAY, -1)},
    )
    assert response.status_code == 422 and "checkout" in response.get_json()["errors"]
    response = client.get("/api/v1/search/cars", headers=headers, query_string={"where": "SFO"})
    assert set(response.get_json()["errors"]) == {"pickup", "dropoff"}


def test_hotels_and_cars_as_json(client, hotel, car, headers):
    hotel()
    car()
    body = client.get(
        "/api/v1/search/hotels",
        headers=headers,
        query_string={
            "where": "San Francisco, CA",
            "checkin": iso(DAY),
            "checkout": iso(DAY, 2),
            "guests": "3",
        },
    ).get_json()
    (stay,) = body["items"]
    assert stay["room"]["name"] == "Double Queen" and stay["price_per_night"] == "259.00"
    assert stay["price_total"] == "518.00" and stay["nights"] == 2
    assert {o["value"] for o in body["facets"]["amenity"]} >= {"wifi", "gym"}
    body = client.get(
        "/api/v1/search/cars",
        headers=headers,
        query_string={
            "where": "SFO",
            "pickup": f"{iso(DAY)}T10:00",
            "dropoff": f"{iso(DAY, 1)}T12:00",
        },
    ).get_json()
    (rental,) = body["items"]
    assert rental["days"] == 2 and rental["price_total"] == "128.00"
    assert body["facets"]["company"][0]["count"] == 1
