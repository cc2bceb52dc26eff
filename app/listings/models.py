"""Relational truth of the catalogue: providers, flights, hotels, cars, prices.

Times are stored as naive UTC (`utcnow()`); a flight's local times come from
its airports' time zones, so nothing is ambiguous around DST changes.
Money is `Numeric(10, 2)` and Decimal in Python. Listings are deleted softly
(`deleted_at`), so bookings and history keep their references.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.core.models import BigId, utcnow
from app.extensions import db

PROVIDER_KINDS = {
    "airline": "Airline",
    "hotel": "Hotel brand or independent hotel",
    "car_rental": "Car rental company",
}
CABINS = {
    "economy": "Economy",
    "premium_economy": "Premium economy",
    "business": "Business",
    "first": "First",
}
REFUND_RULES = {
    "non_refundable": "Non-refundable",
    "refundable_fee": "Refundable for a fee",
    "refundable": "Fully refundable",
}
CAR_TYPES = {
    "economy": "Economy",
    "compact": "Compact",
    "sedan": "Sedan",
    "suv": "SUV",
    "luxury": "Luxury",
    "van": "Van",
}
TRANSMISSIONS = {"automatic": "Automatic", "manual": "Manual"}
BREAKFAST = {"included": "Included", "available": "Available for a fee", "none": "Not offered"}
CANCELLATION = {
    "free_24h": "Free cancellation up to 24 hours before check-in",
    "free_72h": "Free cancellation up to 3 days before check-in",
    "non_refundable": "Non-refundable",
}
LISTING_KINDS = ("flight", "hotel", "car")

Money = sa.Numeric(10, 2)
Rating = sa.Numeric(2, 1)


class Provider(db.Model):
    """An airline, hotel brand or rental company; every listing belongs to one."""

    __tablename__ = "providers"
    __table_args__ = (sa.UniqueConstraint("kind", "name", name="uq_providers_kind_name"),)

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(16), nullable=False, index=True)
    name = db.Column(db.String(120), nullable=False)
    code = db.Column(db.String(8))  # IATA airline code, brand code
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    deleted_at = db.Column(db.DateTime)

    @property
    def kind_label(self) -> str:
        return PROVIDER_KINDS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<Provider {self.id} {self.kind} {self.name!r}>"


class ListingMixin:
    """Columns every listing has: owner, rating, soft delete, timestamps."""

    rating = db.Column(Rating, nullable=False, default=Decimal("0.0"))
    review_count = db.Column(db.Integer, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    deleted_at = db.Column(db.DateTime)
    seed_key = db.Column(db.String(64), unique=True)  # set by `flask seed`: reruns skip

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class Flight(ListingMixin, db.Model):
    """One scheduled departure of a flight number."""

    __tablename__ = "flights"
    __table_args__ = (
        sa.Index("ix_flights_route_departure", "origin", "destination", "departs_at"),
        sa.Index("ix_flights_provider", "provider_id", "departs_at"),
    )
    kind = "flight"

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    provider_id = db.Column(db.Integer, db.ForeignKey("providers.id"), nullable=False)
    flight_number = db.Column(db.String(8), nullable=False)  # "UA 1234"
    origin = db.Column(db.String(3), nullable=False)  # IATA
    destination = db.Column(db.String(3), nullable=False)
    departs_at = db.Column(db.DateTime, nullable=False)  # UTC
    arrives_at = db.Column(db.DateTime, nullable=False)  # UTC
    duration_minutes = db.Column(db.Integer, nullable=False)
    aircraft = db.Column(db.String(40))
    carry_on_bags = db.Column(db.Integer, nullable=False, default=1)
    checked_bags = db.Column(db.Integer, nullable=False, default=0)
    checked_bag_fee = db.Column(Money, nullable=False, default=Decimal("35.00"))
    refund_rule = db.Column(db.String(16), nullable=False, default="non_refundable")
    change_fee = db.Column(Money, nullable=False, default=Decimal("0.00"))

    provider = db.relationship(Provider, lazy="joined")
    cabins = db.relationship(
        "FlightCabin",
        back_populates="flight",
        order_by="FlightCabin.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def title(self) -> str:
        return f"{self.flight_number} {self.origin} → {self.destination}"

    def local_departure(self, airports) -> datetime:
        return to_local(self.departs_at, airports[self.origin]["tz"])

    def local_arrival(self, airports) -> datetime:
        return to_local(self.arrives_at, airports[self.destination]["tz"])

    def lowest_fare(self) -> Decimal | None:
        fares = [c.fare for c in self.cabins if c.seats_available > 0]
        return min(fares) if fares else None


class FlightCabin(db.Model):
    """A cabin of one departure: its own fare and seat inventory."""

    __tablename__ = "flight_cabins"
    __table_args__ = (
        sa.UniqueConstraint("flight_id", "cabin", name="uq_flight_cabins_flight_cabin"),
        sa.CheckConstraint("seats_available >= 0", name="seats_not_negative"),
        sa.CheckConstraint("seats_available <= seats_total", name="seats_within_total"),
    )

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    flight_id = db.Column(BigId, db.ForeignKey("flights.id"), nullable=False)
    cabin = db.Column(db.String(16), nullable=False)
    position = db.Column(db.SmallInteger, nullable=False, default=0)
    fare = db.Column(Money, nullable=False)
    seats_total = db.Column(db.Integer, nullable=False)
    seats_available = db.Column(db.Integer, nullable=False)

    flight = db.relationship(Flight, back_populates="cabins")

    @property
    def label(self) -> str:
        return CABINS.get(self.cabin, self.cabin)


class Hotel(ListingMixin, db.Model):
    __tablename__ = "hotels"
    __table_args__ = (sa.Index("ix_hotels_city_state", "city", "state"),)
    kind = "hotel"

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    provider_id = db.Column(db.Integer, db.ForeignKey("providers.id"), nullable=False)
    name = db.Column(db.String(160), nullable=False)
    description = db.Column(db.Text)
    address = db.Column(db.String(200), nullable=False)
    city = db.Column(db.String(100), nullable=False)
    state = db.Column(db.String(2), nullable=False)  # USPS abbreviation
    zip_code = db.Column(db.String(10), nullable=False)
    latitude = db.Column(sa.Numeric(9, 6))
    longitude = db.Column(sa.Numeric(9, 6))
    stars = db.Column(db.SmallInteger, nullable=False)
    amenities = db.Column(db.JSON, nullable=False, default=list)
    check_in_time = db.Column(db.Time, nullable=False)
    check_out_time = db.Column(db.Time, nullable=False)
    cancellation_policy = db.Column(db.String(16), nullable=False, default="free_24h")
    pets_allowed = db.Column(db.Boolean, nullable=False, default=False)
    breakfast = db.Column(db.String(16), nullable=False, default="none")

    provider = db.relationship(Provider, lazy="joined")
    rooms = db.relationship(
        "RoomType",
        back_populates="hotel",
        order_by="RoomType.price_per_night",
        cascade="all, delete-orphan",
        lazy="selectin",
    )

    @property
    def title(self) -> str:
        return self.name

    def lowest_price(self) -> Decimal | None:
        prices = [r.price_per_night for r in self.rooms]
        return min(prices) if prices else None


class RoomType(db.Model):
    __tablename__ = "room_types"
    __table_args__ = (sa.UniqueConstraint("hotel_id", "name", name="uq_room_types_hotel_name"),)

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    hotel_id = db.Column(BigId, db.ForeignKey("hotels.id"), nullable=False)
    name = db.Column(db.String(80), nullable=False)
    beds = db.Column(db.String(80), nullable=False, default="1 queen bed")
    capacity = db.Column(db.SmallInteger, nullable=False)
    room_count = db.Column(db.Integer, nullable=False)
    price_per_night = db.Column(Money, nullable=False)

    hotel = db.relationship(Hotel, back_populates="rooms")


class Car(ListingMixin, db.Model):
    """One vehicle; bookable for date ranges that do not overlap."""

    __tablename__ = "cars"
    __table_args__ = (sa.Index("ix_cars_location", "pickup_city", "pickup_state", "car_type"),)
    kind = "car"

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    provider_id = db.Column(db.Integer, db.ForeignKey("providers.id"), nullable=False)
    car_type = db.Column(db.String(16), nullable=False)
    brand = db.Column(db.String(40), nullable=False)
    model = db.Column(db.String(60), nullable=False)
    year = db.Column(db.SmallInteger, nullable=False)
    transmission = db.Column(db.String(16), nullable=False, default="automatic")
    seats = db.Column(db.SmallInteger, nullable=False)
    doors = db.Column(db.SmallInteger, nullable=False, default=4)
    daily_price = db.Column(Money, nullable=False)
    pickup_airport = db.Column(db.String(3))  # IATA when picked up at an airport
    pickup_name = db.Column(db.String(160), nullable=False)
    pickup_address = db.Column(db.String(200), nullable=False)
    pickup_city = db.Column(db.String(100), nullable=False)
    pickup_state = db.Column(db.String(2), nullable=False)
    pickup_zip = db.Column(db.String(10), nullable=False)
    mileage_policy = db.Column(db.String(80), nullable=False, default="Unlimited mileage")
    available = db.Column(db.Boolean, nullable=False, default=True)

    provider = db.relationship(Provider, lazy="joined")

    @property
    def title(self) -> str:
        return f"{self.year} {self.brand} {self.model}"


class PriceChange(db.Model):
    """Every price a priced item ever had (fare, nightly rate, daily rate)."""

    __tablename__ = "price_history"
    __table_args__ = (
        sa.Index("ix_price_history_item", "item_kind", "item_id", "recorded_at"),
        sa.Index("ix_price_history_listing", "listing_kind", "listing_id", "recorded_at"),
    )

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    listing_kind = db.Column(db.String(8), nullable=False)  # flight | hotel | car
    listing_id = db.Column(BigId, nullable=False)
    item_kind = db.Column(db.String(12), nullable=False)  # cabin | room | car
    item_id = db.Column(BigId, nullable=False)
    price = db.Column(Money, nullable=False)
    recorded_at = db.Column(db.DateTime, nullable=False, default=utcnow)


MODELS = {"flight": Flight, "hotel": Hotel, "car": Car}


def to_local(moment: datetime, tz_name: str) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(tz_name))
