"""Catalogue writes on the real database: validation, events, price history."""

import json
from datetime import datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.core.models import OutboxEvent
from app.extensions import db
from app.listings import queries, services
from app.listings.models import PriceChange
from app.listings.validation import Invalid
from tests.listings import factories as f


def outbox(type_):
    rows = db.session.scalars(sa.select(OutboxEvent).where(OutboxEvent.type == type_)).all()
    return [json.loads(r.envelope) for r in rows]


def test_create_flight_stores_utc_times_cabins_and_prices(app_ctx):
    airline = f.provider("airline", "Test Air", "TA")
    flight = services.create_listing(
        "flight", f.flight_input(provider_id=airline.id), actor="admin:1"
    )
    db.session.commit()
    # 08:30 in San Francisco (PST, UTC-8) and 17:05 in New York (EST, UTC-5).
    assert flight.departs_at == datetime(2026, 12, 20, 16, 30)
    assert flight.arrives_at == datetime(2026, 12, 20, 22, 5)
    assert flight.duration_minutes == 335
    assert flight.provider_id == airline.id
    assert [c.cabin for c in flight.cabins] == ["economy", "business"]
    assert flight.cabins[1].seats_available == 28
    assert queries.headline_price(flight) == Decimal("289.00")
    assert {p.price for p in queries.price_history("flight", flight.id)} == {
        Decimal("289.00"),
        Decimal("1450.00"),
    }
    (event,) = outbox("listing.created")
    assert event["key"] == f"flight:{flight.id}"
    assert event["data"]["price"] == "289.00"


def test_update_publishes_changed_fields_and_old_and_new_price(app_ctx):
    group = f.provider("hotel", "Harbor Group")
    hotel = services.create_listing("hotel", f.hotel_input(provider_id=group.id), actor="admin:1")
    db.session.commit()
    rooms = f.hotel_input()["rooms"]
    rooms[0]["price_per_night"] = "199.00"
    _, changed = services.update_listing(hotel, {"stars": "5", "rooms": rooms}, actor="admin:1")
    db.session.commit()
    assert changed == ["stars", "rooms"]
    (event,) = outbox("listing.updated")
    assert event["data"]["changed"] == ["stars", "rooms"]
    assert event["data"]["price"] == {"old": "219.00", "new": "199.00"}
    history = db.session.scalars(
        sa.select(PriceChange.price)
        .where(PriceChange.listing_id == hotel.id)
        .order_by(PriceChange.id)
    ).all()
    assert history == [Decimal("219.00"), Decimal("259.00"), Decimal("199.00")]


def test_update_without_changes_publishes_nothing(app_ctx):
    cars = f.provider("car_rental", "Test Cars")
    car = services.create_listing("car", f.car_input(provider_id=cars.id), actor=None)
    db.session.commit()
    _, changed = services.update_listing(car, {"brand": "Toyota"}, actor=None)
    db.session.commit()
    assert changed == []
    assert outbox("listing.updated") == []


def test_soft_delete_keeps_the_row_and_publishes(app_ctx):
    cars = f.provider("car_rental", "Test Cars")
    car = services.create_listing("car", f.car_input(provider_id=cars.id), actor=None)
    db.session.commit()
    services.delete_listing(car, actor="admin:1")
    db.session.commit()
    assert car.deleted_at is not None
    assert queries.get_listing("car", car.id, include_deleted=True) is car
    with pytest.raises(Exception, match="404"):
        queries.get_listing("car", car.id)
    assert len(outbox("listing.deleted")) == 1


def test_catalogue_version_is_bumped_by_writes(app_ctx):
    cars = f.provider("car_rental", "Test Cars")
    before = queries.catalogue_version("car")
    services.create_listing("car", f.car_input(provider_id=cars.id), actor=None)
    assert queries.catalogue_version("car") == before + 1


def test_listing_must_belong_to_a_provider_of_the_right_kind(app_ctx):
    hotel_group = f.provider("hotel", "Harbor Group")
    with pytest.raises(Invalid) as caught:
        services.create_listing("flight", {**f.flight_input(), "provider_id": hotel_group.id}, None)
    assert "must belong to a provider that is a airline" in caught.value.errors["provider_id"]


def test_duplicate_provider_names_are_refused(app_ctx):
    f.provider("airline", "Test Air")
    with pytest.raises(Invalid, match="already"):
        f.provider("airline", "Test Air")
