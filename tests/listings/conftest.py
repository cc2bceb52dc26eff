"""Listings fixtures: one committed flight, hotel and car, and a JPEG maker."""

import io

import pytest
from PIL import Image

from app.extensions import db
from app.listings import services
from tests.listings import factories as f


@pytest.fixture()
def flight(app_ctx, make_provider):
    airline = make_provider("Test Air", kind="airline", code="TA")
    listing = services.create_listing("flight", f.flight_input(provider_id=airline.id), None)
    db.session.commit()
    return listing


@pytest.fixture()
def hotel(app_ctx, make_provider):
    group = make_provider("Harbor Group", kind="hotel")
    listing = services.create_listing("hotel", f.hotel_input(provider_id=group.id), None)
    db.session.commit()
    return listing


@pytest.fixture()
def car(app_ctx, make_provider):
    rental = make_provider("Test Cars", kind="car_rental")
    listing = services.create_listing("car", f.car_input(provider_id=rental.id), None)
    db.session.commit()
    return listing


def jpeg(width=800, height=600, color=(30, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG")
    return out.getvalue()
