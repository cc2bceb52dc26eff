"""Requests the API fuzzer (tests/api/test_openapi_fuzz.py) once answered with a 5xx."""

import pytest

from app.extensions import db
from app.partners.services import create_key


@pytest.fixture()
def headers(make_user, make_provider):
    user = make_user("partner", provider=make_provider("Regression Cars", kind="car_rental"))
    _, secret = create_key(user, "tests")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize(
    "page", ["99999999999999999999", "9" * 5000, "10001", "0", "-3", "two", "", "1.5"]
)
def test_a_page_out_of_range_is_400_not_a_database_error(client, headers, page):
    r = client.get(f"/api/v1/listings?page={page}", headers=headers)
    assert r.status_code == 400, r.get_data(as_text=True)
    assert r.mimetype == "application/problem+json"
    assert "page" in r.get_json()["detail"]


@pytest.mark.parametrize("kind", ["", "flights", "boat"])
def test_an_unknown_kind_is_400_even_when_empty(client, headers, kind):
    r = client.get(f"/api/v1/listings?kind={kind}", headers=headers)
    assert r.status_code == 400 and "kind" in r.get_json()["detail"]


def test_without_a_kind_the_providers_own_kind_is_listed(client, headers):
    r = client.get("/api/v1/listings", headers=headers)
    assert r.status_code == 200 and r.get_json()["kind"] == "car"


@pytest.mark.parametrize("listing_id", ["9" * 30, "9" * 5000])
def test_an_id_too_large_for_any_row_is_a_4xx(client, headers, listing_id):
    """30 digits reach MySQL and find nothing; 5,000 digits are more than Python's int()
    takes, so Werkzeug's converter refuses them before any view (404 or 405)."""
    for method in ("get", "patch", "delete"):
        r = getattr(client, method)(f"/api/v1/listings/car/{listing_id}", headers=headers, json={})
        assert 400 <= r.status_code < 500 and r.mimetype == "application/problem+json"
        if len(listing_id) == 30:
            assert r.status_code == 404
    r = client.delete(f"/api/v1/listings/car/{listing_id}/photos/abc", headers=headers)
    assert 400 <= r.status_code < 500


def test_times_sent_as_numbers_are_refused_not_read_as_clock_times(
    client, make_user, make_provider
):
    """check_in_time 1500 once became 15:00 and departs_local 20261220 a midnight: the
    document says strings, and a number there is a mistake worth a 422."""
    from tests.listings import factories as f

    keys = {}
    for kind, provider_kind in (("hotel", "hotel"), ("flight", "airline")):
        user = make_user("partner", provider=make_provider(kind=provider_kind))
        keys[kind] = {"Authorization": f"Bearer {create_key(user, 'tests')[1]}"}
    db.session.commit()
    r = client.post("/api/v1/listings/hotel", json=f.hotel_input(check_in_time=1500),
                    headers=keys["hotel"])  # fmt: skip
    assert r.status_code == 422 and "HH:MM" in r.get_json()["errors"]["check_in_time"]
    r = client.post("/api/v1/listings/flight", json=f.flight_input(departs_local=20261220),
                    headers=keys["flight"])  # fmt: skip
    assert r.status_code == 422 and "date and time" in r.get_json()["errors"]["departs_local"]


@pytest.mark.parametrize("status", ["", "paid", "HELD"])
def test_a_bookings_status_outside_the_list_is_422_even_when_empty(client, headers, status):
    r = client.get(f"/api/v1/bookings?status={status}", headers=headers)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert "status" in r.get_json()["errors"]
