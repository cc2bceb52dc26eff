"""Bookings, their inventory, payments, refunds and billing records.

Inventory truth lives in three places, each changed only inside a booking's
own transaction (app/bookings/services.py):

- flight seats: `flight_cabins.seats_available` (catalogue table), decremented
  by a conditional UPDATE ... WHERE seats_available >= n;
- hotel rooms: `room_nights`, one row per room type per night, created on
  demand with booked = 0, incremented by UPDATE ... WHERE booked + n <= room_count;
- cars: `car_reservations`, [pickup_at, dropoff_at) ranges per car, inserted
  after locking the car row (SELECT ... FOR UPDATE) and checking for overlap.

Money is Numeric(10, 2) and Decimal in Python; every amount carries its currency.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.core.models import BigId, utcnow
from app.extensions import db

Money = sa.Numeric(10, 2)

STATUSES = {
    "held": "Held, awaiting payment",
    "confirmed": "Confirmed",
    "cancelled": "Cancelled",
    "abandoned": "Not completed (hold expired)",
}
KINDS = {"flight": "Flight", "hotel": "Hotel", "car": "Car rental"}


class Booking(db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_bookings_user_idempotency"),
        sa.Index("ix_bookings_user_created", "user_id", "created_at"),
        sa.Index("ix_bookings_status_hold", "status", "hold_expires_at"),
        sa.Index("ix_bookings_provider_created", "provider_id", "created_at"),
    )

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    reference = db.Column(db.String(12), nullable=False, unique=True)  # "KY-7F3K9Q"
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    kind = db.Column(db.String(8), nullable=False)  # flight | hotel | car
    provider_id = db.Column(db.Integer, db.ForeignKey("providers.id"), nullable=False)
    listing_id = db.Column(BigId, nullable=False)  # the first (or only) listing booked
    title = db.Column(db.String(200), nullable=False)
    status = db.Column(db.String(12), nullable=False, default="held")
    idempotency_key = db.Column(db.String(64), nullable=False)
    currency = db.Column(db.String(3), nullable=False, default="USD")
    subtotal = db.Column(Money, nullable=False)
    taxes = db.Column(Money, nullable=False)
    fees = db.Column(Money, nullable=False)
    total = db.Column(Money, nullable=False)
    rules = db.Column(db.JSON, nullable=False, default=dict)  # cancellation/change rules at booking
    lines = db.Column(db.JSON, nullable=False, default=list)  # itemised price lines (strings)
    contact_email = db.Column(db.String(254), nullable=False)
    contact_phone = db.Column(db.String(20))
    starts_at = db.Column(db.DateTime, nullable=False)  # departure / check-in / pickup (UTC)
    ends_at = db.Column(db.DateTime, nullable=False)
    hold_expires_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    confirmed_at = db.Column(db.DateTime)
    cancelled_at = db.Column(db.DateTime)
    abandoned_at = db.Column(db.DateTime)
    refund_total = db.Column(Money, nullable=False, default=0)

    # Loaded when used (lists load them with selectinload: app/bookings/queries.py).
    items = db.relationship(
        "BookingItem", back_populates="booking", order_by="BookingItem.position"
    )
    travelers = db.relationship("BookingTraveler", order_by="BookingTraveler.position")

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<Booking {self.reference} {self.kind} {self.status}>"


class BookingItem(db.Model):
    """One reserved thing: a flight leg (cabin + seats), a hotel stay (room type +
    rooms + dates) or a car rental (car + pickup/dropoff)."""

    __tablename__ = "booking_items"
    __table_args__ = (
        sa.Index("ix_booking_items_booking", "booking_id", "position"),
        sa.Index("ix_booking_items_provider", "provider_id", "booking_id"),
    )

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    booking_id = db.Column(BigId, db.ForeignKey("bookings.id"), nullable=False)
    position = db.Column(db.SmallInteger, nullable=False, default=0)
    kind = db.Column(db.String(8), nullable=False)
    provider_id = db.Column(db.Integer, db.ForeignKey("providers.id"), nullable=False)
    description = db.Column(db.String(200), nullable=False)
    # flight leg
    flight_id = db.Column(BigId, db.ForeignKey("flights.id"))
    cabin_id = db.Column(BigId, db.ForeignKey("flight_cabins.id"))
    cabin = db.Column(db.String(16))
    seats = db.Column(db.Integer)
    # hotel stay
    hotel_id = db.Column(BigId, db.ForeignKey("hotels.id"))
    room_type_id = db.Column(BigId, db.ForeignKey("room_types.id"))
    rooms = db.Column(db.Integer)
    guests = db.Column(db.Integer)
    check_in = db.Column(db.Date)
    check_out = db.Column(db.Date)
    # car rental
    car_id = db.Column(BigId, db.ForeignKey("cars.id"))
    pickup_at = db.Column(db.DateTime)
    dropoff_at = db.Column(db.DateTime)
    # price of this item
    unit_price = db.Column(Money, nullable=False)
    quantity = db.Column(db.Integer, nullable=False)  # travelers, room-nights or days
    amount = db.Column(Money, nullable=False)
    starts_at = db.Column(db.DateTime, nullable=False)
    ends_at = db.Column(db.DateTime, nullable=False)

    booking = db.relationship(Booking, back_populates="items")


class BookingTraveler(db.Model):
    """A passenger (flights) or guest (hotels) or driver (cars)."""

    __tablename__ = "booking_travelers"

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    booking_id = db.Column(BigId, db.ForeignKey("bookings.id"), nullable=False, index=True)
    position = db.Column(db.SmallInteger, nullable=False, default=0)
    first_name = db.Column(db.String(80), nullable=False)
    last_name = db.Column(db.String(80), nullable=False)
    date_of_birth = db.Column(db.Date)
    email = db.Column(db.String(254))
    phone = db.Column(db.String(20))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class RoomNight(db.Model):
    """Rooms of one room type taken on one night (booked <= room_count is kept by
    the conditional UPDATE that reserves them). Rows are created on demand."""

    __tablename__ = "room_nights"
    __table_args__ = (
        sa.UniqueConstraint("room_type_id", "night", name="uq_room_nights_room_type_night"),
        sa.CheckConstraint("booked >= 0", name="booked_not_negative"),
    )

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    room_type_id = db.Column(BigId, db.ForeignKey("room_types.id"), nullable=False)
    night = db.Column(db.Date, nullable=False)
    booked = db.Column(db.Integer, nullable=False, default=0)


class CarReservation(db.Model):
    """A car taken for [pickup_at, dropoff_at); `active` false once released."""

    __tablename__ = "car_reservations"
    __table_args__ = (sa.Index("ix_car_reservations_car", "car_id", "active", "pickup_at"),)

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    car_id = db.Column(BigId, db.ForeignKey("cars.id"), nullable=False)
    booking_id = db.Column(BigId, db.ForeignKey("bookings.id"), nullable=False, index=True)
    pickup_at = db.Column(db.DateTime, nullable=False)
    dropoff_at = db.Column(db.DateTime, nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    booking = db.relationship(Booking)


class Payment(db.Model):
    """One attempt to charge a card for a booking. Written as `pending` and
    committed before the gateway is called, so a crash in between leaves a
    trace the reconciliation job settles."""

    __tablename__ = "payments"
    __table_args__ = (sa.Index("ix_payments_status_created", "status", "created_at"),)

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    booking_id = db.Column(BigId, db.ForeignKey("bookings.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    idempotency_key = db.Column(db.String(80), nullable=False, unique=True)
    status = db.Column(db.String(12), nullable=False, default="pending")
    # pending | succeeded | declined | failed | refunded
    token = db.Column(db.String(64), nullable=False)
    brand = db.Column(db.String(20), nullable=False)
    last4 = db.Column(db.String(4), nullable=False)
    amount = db.Column(Money, nullable=False)
    currency = db.Column(db.String(3), nullable=False)
    charge_id = db.Column(db.String(64))
    error_code = db.Column(db.String(40))
    message = db.Column(db.String(200))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Refund(db.Model):
    __tablename__ = "refunds"

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    booking_id = db.Column(BigId, db.ForeignKey("bookings.id"), nullable=False, index=True)
    payment_id = db.Column(BigId, db.ForeignKey("payments.id"), nullable=False, unique=True)
    amount = db.Column(Money, nullable=False)
    currency = db.Column(db.String(3), nullable=False)
    status = db.Column(db.String(12), nullable=False, default="succeeded")
    reason = db.Column(db.String(200), nullable=False)
    gateway_refund_id = db.Column(db.String(64))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class BillingRecord(db.Model):
    """One bill per payment and per refund (refunds carry negative amounts)."""

    __tablename__ = "billing_records"
    __table_args__ = (
        sa.Index("ix_billing_transaction_date", "transaction_date"),
        sa.Index("ix_billing_user_date", "user_id", "transaction_date"),
        sa.Index("ix_billing_status_date", "status", "transaction_date"),
        sa.Index("ix_billing_kind_date", "booking_kind", "transaction_date"),
    )

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    billing_id = db.Column(db.String(16), nullable=False, unique=True)  # "BL-..."
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    booking_id = db.Column(BigId, db.ForeignKey("bookings.id"), nullable=False, index=True)
    booking_kind = db.Column(db.String(8), nullable=False)
    record_type = db.Column(db.String(8), nullable=False)  # payment | refund
    payment_id = db.Column(BigId, db.ForeignKey("payments.id"))
    refund_id = db.Column(BigId, db.ForeignKey("refunds.id"))
    transaction_date = db.Column(db.DateTime, nullable=False, default=utcnow)
    currency = db.Column(db.String(3), nullable=False)
    subtotal = db.Column(Money, nullable=False)
    taxes = db.Column(Money, nullable=False)
    fees = db.Column(Money, nullable=False)
    total = db.Column(Money, nullable=False)
    payment_brand = db.Column(db.String(20), nullable=False)
    payment_last4 = db.Column(db.String(4), nullable=False)
    status = db.Column(db.String(12), nullable=False)  # paid | refunded
    invoice = db.Column(db.JSON, nullable=False, default=dict)  # billed to, lines, reference

    booking = db.relationship(Booking, lazy="joined")
