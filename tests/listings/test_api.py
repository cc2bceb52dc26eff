"""The partner JSON API for listings, with real API keys on the real database."""

import pytest
import sqlalchemy as sa

from app.core.models import OutboxEvent
from app.extensions import db
from app.listings import services
from app.partners.services import create_key
from tests.listings import factories as f


@pytest.fixture()
def partner(make_user, make_provider, client):
    """(headers, provider) for a partner of a new airline."""

    def make(kind="airline", name=None):
        provider = make_provider(name, kind=kind)
        user = make_user("partner", provider=provider)
        _, secret = create_key(user, "tests")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}, provider

    return make


def test_partner_creates_reads_updates_and_deletes_its_flight(client, partner):
    headers, airline = partner()
    r = client.post("/api/v1/listings/flight", json=f.flight_input(), headers=headers)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["provider_id"] == airline.id
    assert body["departs_at"] == "2026-12-20T16:30:00Z"
    assert body["cabins"]["economy"] == {
        "fare": "289.00",
        "seats_total": 180,
        "seats_available": 180,
    }
    url = r.headers["Location"]

    assert client.get(url, headers=headers).get_json()["flight_number"] == "UA 1234"
    r = client.patch(url, json={"cabins": {"economy": {"fare": "249.00", "seats_total": "180"}}},
                     headers=headers)  # fmt: skip
    assert r.status_code == 200 and r.get_json()["changed"] == ["cabins"]
    listed = client.get("/api/v1/listings", headers=headers).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == body["id"]

    assert client.delete(url, headers=headers).status_code == 204
    assert client.get("/api/v1/listings", headers=headers).get_json()["total"] == 0
    db.session.rollback()
    types = db.session.scalars(sa.select(OutboxEvent.type).order_by(OutboxEvent.seq)).all()
    assert types == ["listing.created", "listing.updated", "listing.deleted"]


def test_update_event_carries_old_and_new_price(client, partner):
    import json

    headers, _ = partner("car_rental")
    created = client.post("/api/v1/listings/car", json=f.car_input(), headers=headers).get_json()
    client.patch(f"/api/v1/listings/car/{created['id']}", json={"daily_price": "59.99"},
                 headers=headers)  # fmt: skip
    db.session.rollback()
    row = db.session.scalar(sa.select(OutboxEvent).where(OutboxEvent.type == "listing.updated"))
    data = json.loads(row.envelope)["data"]
    assert data["changed"] == ["daily_price"]
    assert data["price"] == {"old": "64.00", "new": "59.99"}


def test_partner_cannot_touch_another_providers_listing(client, partner):
    mine, _ = partner("car_rental", "Mine Cars")
    theirs_headers, theirs = partner("car_rental", "Their Cars")
    car = services.create_listing("car", f.car_input(provider_id=theirs.id), None)
    db.session.commit()
    url = f"/api/v1/listings/car/{car.id}"
    assert client.get(url, headers=mine).status_code == 404
    assert client.patch(url, json={"daily_price": "1.00"}, headers=mine).status_code == 404
    assert client.delete(url, headers=mine).status_code == 404
    assert client.get(url, headers=theirs_headers).status_code == 200
    db.session.refresh(car)
    assert car.deleted_at is None and str(car.daily_price) == "64.00"


def test_partner_cannot_list_another_kind(client, partner):
    headers, _ = partner("hotel")
    r = client.post("/api/v1/listings/flight", json=f.flight_input(), headers=headers)
    assert r.status_code == 403 and r.mimetype == "application/problem+json"


def test_bad_input_is_422_with_a_message_per_field(client, partner):
    headers, _ = partner("hotel")
    r = client.post(
        "/api/v1/listings/hotel",
        json=f.hotel_input(state="Narnia", zip_code="123", stars=9),
        headers=headers,
    )
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    errors = r.get_json()["errors"]
    assert "is not a US state" in errors["state"]
    assert "5 digits" in errors["zip_code"]
    assert "at most 5" in errors["stars"]


@pytest.mark.parametrize("body", ["not json", "[1, 2]", ""])
def test_malformed_bodies_are_400(client, partner, body):
    headers, _ = partner("car_rental")
    r = client.post("/api/v1/listings/car", data=body, headers={**headers,
                    "Content-Type": "application/json"})  # fmt: skip
    assert r.status_code == 400 and r.mimetype == "application/problem+json"


def test_no_key_no_access(client, app_ctx):
    r = client.get("/api/v1/listings")
    assert r.status_code == 401 and r.mimetype == "application/problem+json"
    r = client.get("/api/v1/listings", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401


def test_partner_uploads_and_removes_a_photo(client, partner):
    import io

    from PIL import Image

    headers, _ = partner("car_rental", "Photo Cars")
    car = client.post("/api/v1/listings/car", json=f.car_input(), headers=headers).get_json()
    image = io.BytesIO()
    Image.new("RGB", (1200, 800), (10, 120, 90)).save(image, "JPEG")
    r = client.post(f"/api/v1/listings/car/{car['id']}/photos", headers=headers,
                    data={"photo": (io.BytesIO(image.getvalue()), "car.jpg"), "caption": "Front"},
                    content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 201, r.get_json()
    photo = r.get_json()
    assert (photo["width"], photo["height"]) == (1200, 800)
    assert client.get(photo["url"]).status_code == 200
    bad = client.post(f"/api/v1/listings/car/{car['id']}/photos", headers=headers,
                      data={"photo": (io.BytesIO(b"GIF89a-broken"), "x.gif")},
                      content_type="multipart/form-data")  # fmt: skip
    assert bad.status_code == 422 and "photo" in bad.get_json()["errors"]
    r = client.delete(f"/api/v1/listings/car/{car['id']}/photos/{photo['id']}", headers=headers)
    assert r.status_code == 204
