"""Admin catalogue pages in the browser's shoes: forms, refusals, audit, photos."""

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from app.core.audit import AuditEntry
from app.extensions import db
from app.listings import media, services
from app.listings.models import Car, Flight, Hotel
from tests.listings import factories as f


def form_of(data: dict) -> dict:
    """Nested factory input -> flat form fields, as the admin form posts them."""
    flat = {k: v for k, v in data.items() if k not in ("cabins", "rooms", "amenities")}
    for cabin, row in (data.get("cabins") or {}).items():
        for part, value in row.items():
            flat[f"{cabin}_{part}"] = value
    for i, row in enumerate(data.get("rooms") or []):
        for part, value in row.items():
            flat[f"rooms-{i}-{part}"] = value
    return flat


@pytest.fixture()
def admin(login_as, make_user):
    return login_as(make_user("admin"))


def test_admin_adds_a_flight_hotel_and_car(admin, make_provider):
    airline = make_provider("Pacific Air", kind="airline", code="PA")
    hotels = make_provider("Harbor Group", kind="hotel")
    rental = make_provider("Bay Cars", kind="car_rental")

    r = admin.form("/admin/listings/flight/new", form_of(f.flight_input(provider_id=airline.id)))
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    hotel_form = {**form_of(f.hotel_input(provider_id=hotels.id)), "pets_allowed": "on"}
    r = admin.post(
        "/admin/listings/hotel/new",
        data={"csrf_token": admin.csrf(), **hotel_form, "amenities": ["wifi", "pool"]},
    )
    assert r.status_code == 303
    r = admin.form(
        "/admin/listings/car/new", {**f.car_input(provider_id=rental.id), "available": "on"}
    )
    assert r.status_code == 303

    flight = db.session.scalar(sa.select(Flight))
    assert flight.flight_number == "UA 1234" and len(flight.cabins) == 2
    hotel = db.session.scalar(sa.select(Hotel))
    assert hotel.amenities == ["wifi", "pool"] and hotel.pets_allowed and len(hotel.rooms) == 2
    assert db.session.scalar(sa.select(Car)).available is True
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"flight.create", "hotel.create", "car.create"} <= actions

    listing = admin.get("/admin/listings?kind=hotel&q=Harbor").get_data(as_text=True)
    assert "Harbor View Hotel" in listing


def test_bad_input_is_refused_field_by_field_and_nothing_is_stored(admin, make_provider):
    airline = make_provider("Pacific Air", kind="airline")
    bad = {"origin": "XXQ", "arrives_local": "2026-12-20T07:00", "checked_bag_fee": "-3"}
    data = form_of(f.flight_input(provider_id=airline.id, **bad))
    data["economy_seats_total"] = "-1"
    r = admin.form("/admin/listings/flight/new", data)
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "XXQ is not an airport code we know" in html
    assert "cannot be negative" in html
    assert "number of economy seats cannot be below zero" in html
    assert 'value="UA 1234"' in html  # what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Flight)) == 0


def test_edit_records_before_and_after_in_the_audit_log(admin, make_provider):
    rental = make_provider("Bay Cars", kind="car_rental")
    car = services.create_listing("car", f.car_input(provider_id=rental.id), None)
    db.session.commit()
    r = admin.form(
        f"/admin/listings/car/{car.id}/edit",
        {**f.car_input(daily_price="71.50"), "available": "on"},
    )
    assert r.status_code == 303
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "car.update"))
    assert entry.before_data == {"daily_price": "64.00"}
    assert entry.after_data == {"daily_price": "71.50"}


def test_delete_and_restore(admin, make_provider, client):
    rental = make_provider("Bay Cars", kind="car_rental")
    car = services.create_listing("car", f.car_input(provider_id=rental.id), None)
    db.session.commit()
    assert admin.form(f"/admin/listings/car/{car.id}/delete").status_code == 303
    assert client.get(f"/cars/{car.id}").status_code == 404
    assert "deleted" in admin.get("/admin/listings?kind=car&status=deleted").get_data(as_text=True)
    assert admin.form(f"/admin/listings/car/{car.id}/restore").status_code == 303
    assert client.get(f"/cars/{car.id}").status_code == 200


def test_photo_upload_and_removal(admin, make_provider):
    hotels = make_provider("Harbor Group", kind="hotel")
    hotel = services.create_listing("hotel", f.hotel_input(provider_id=hotels.id), None)
    db.session.commit()
    image = io.BytesIO()
    Image.new("RGB", (2400, 1600), (200, 120, 40)).save(image, "PNG")
    r = admin.post(f"/admin/listings/hotel/{hotel.id}/photos",
                   data={"csrf_token": admin.csrf(), "caption": "Pool at dusk",
                         "photo": (io.BytesIO(image.getvalue()), "pool.png")},
                   content_type="multipart/form-data")  # fmt: skip
    assert r.status_code == 303
    (photo,) = media.photos_of(hotel)
    assert (photo["width"], photo["height"]) == (1600, 1067)
    bad = admin.post(f"/admin/listings/hotel/{hotel.id}/photos",
                     data={"csrf_token": admin.csrf(),
                           "photo": (io.BytesIO(b"%PDF-1.4 not an image"), "menu.pdf")},
                     content_type="multipart/form-data", follow_redirects=True)  # fmt: skip
    assert "couldn&#39;t read this file as an image" in bad.get_data(as_text=True)
    r = admin.form(f"/admin/listings/hotel/{hotel.id}/photos/{photo['_id']}/delete")
    assert r.status_code == 303
    assert media.photos_of(hotel) == []


def test_providers_page_adds_and_refuses_duplicates(admin):
    r = admin.form("/admin/providers", {"kind": "airline", "name": "Pacific Air", "code": "PA"})
    assert r.status_code == 303
    r = admin.form("/admin/providers", {"kind": "airline", "name": "Pacific Air"})
    assert r.status_code == 422 and "already" in r.get_data(as_text=True)
    r = admin.form("/admin/providers", {"kind": "spaceline", "name": "Moon Co"})
    assert "Choose the provider kind" in r.get_data(as_text=True)


@pytest.mark.parametrize("role, status", [("support", 403), ("analyst", 403), ("admin", 200)])
def test_only_listing_managers_open_the_new_listing_form(login_as, make_user, role, status):
    client = login_as(make_user(role))
    assert client.get("/admin/listings/car/new").status_code == status
