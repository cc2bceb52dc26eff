"""Accounts: one `users` table for travelers, admins and partner users.

`kind` says which: a traveler books trips; an admin has an `admin_role`
(app.core.access.ROLE_PERMISSIONS); a partner user acts for one `provider`.
Accounts are never hard-deleted: deleting one anonymises the row (so bookings
and invoices that point at it keep their references) and removes what is
only about the person (cards, photo, loyalty numbers).
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.dialects import mysql

from app.core.models import utcnow
from app.extensions import db

KINDS = {"traveler": "Traveler", "admin": "Administrator", "partner": "Partner"}

# Attributes a booking needs, in the order the profile shows them.
PROFILE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "city",
    "state",
    "zip_code",
)
PREFERENCE_FIELDS = ("home_airport", "cabin_class", "seat_preference")


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.Index("ix_users_kind_last_name", "kind", "last_name"),
        sa.Index("ix_users_city_state", "city", "state"),
    )

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(16), nullable=False, default="traveler")
    admin_role = db.Column(db.String(32))  # admins only; None for everyone else
    provider_id = db.Column(db.Integer, db.ForeignKey("providers.id"), index=True)  # partners

    # Stored lower-cased; binary collation on MySQL so uniqueness is exact, not
    # accent-insensitive as utf8mb4_unicode_ci would make it.
    email = db.Column(
        db.String(254).with_variant(mysql.VARCHAR(254, collation="utf8mb4_bin"), "mysql"),
        nullable=False,
        unique=True,
    )
    password_hash = db.Column(db.String(255))  # None until an invited account sets one
    session_token = db.Column(db.String(32), nullable=False, default=new_session_token)

    first_name = db.Column(db.String(80), nullable=False)
    last_name = db.Column(db.String(80), nullable=False)
    phone = db.Column(db.String(20))  # E.164
    address = db.Column(db.String(200))
    city = db.Column(db.String(100))
    state = db.Column(db.String(2))  # USPS abbreviation
    zip_code = db.Column(db.String(10))
    photo_updated_at = db.Column(db.DateTime)

    home_airport = db.Column(db.String(3))
    cabin_class = db.Column(db.String(24))
    seat_preference = db.Column(db.String(16))

    active = db.Column(db.Boolean, nullable=False, default=True)
    deactivated_at = db.Column(db.DateTime)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    last_sign_in_at = db.Column(db.DateTime)
    deleted_at = db.Column(db.DateTime)

    provider = db.relationship("Provider", lazy="joined")
    cards = db.relationship(
        "PaymentCard",
        back_populates="user",
        order_by="PaymentCard.created_at",
        cascade="all, delete-orphan",
    )
    loyalty_accounts = db.relationship(
        "LoyaltyAccount",
        back_populates="user",
        order_by="LoyaltyAccount.program",
        cascade="all, delete-orphan",
    )

    # -- flask-login ------------------------------------------------------
    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return bool(self.active) and self.deleted_at is None

    # -- convenience ------------------------------------------------------
    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def initials(self) -> str:
        return "".join(part[:1] for part in (self.first_name, self.last_name)).upper() or "?"

    @property
    def is_admin(self) -> bool:
        return self.kind == "admin" and bool(self.admin_role)

    @property
    def status(self) -> str:
        if self.deleted_at:
            return "deleted"
        return "active" if self.active else "deactivated"

    @property
    def profile_complete(self) -> bool:
        return all(getattr(self, name) for name in PROFILE_FIELDS)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.kind}>"


class PaymentCard(db.Model):
    """A saved card: the gateway's token and what a person needs to recognise it.

    The number and the security code are never stored.
    """

    __tablename__ = "payment_cards"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(
        db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token = db.Column(db.String(64), nullable=False, unique=True)
    brand = db.Column(db.String(20), nullable=False)
    last4 = db.Column(db.String(4), nullable=False)
    exp_month = db.Column(db.SmallInteger, nullable=False)
    exp_year = db.Column(db.SmallInteger, nullable=False)
    holder_name = db.Column(db.String(120), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User", back_populates="cards")

    @property
    def brand_label(self) -> str:
        from app.payments.cards import BRANDS

        return BRANDS.get(self.brand, self.brand)

    @property
    def expiry(self) -> str:
        return f"{self.exp_month:02d}/{self.exp_year % 100:02d}"

    def __repr__(self) -> str:
        return f"<PaymentCard {self.id} {self.brand} {self.last4}>"


class LoyaltyAccount(db.Model):
    __tablename__ = "loyalty_accounts"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "program", name="uq_loyalty_accounts_user_program"),
    )

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(
        db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    program = db.Column(db.String(60), nullable=False)
    number = db.Column(db.String(30), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    user = db.relationship("User", back_populates="loyalty_accounts")

    @property
    def masked_number(self) -> str:
        return "•" * max(len(self.number) - 4, 0) + self.number[-4:]


class UserPhoto(db.Model):
    """The profile photo, already cropped and resized to a small square JPEG."""

    __tablename__ = "user_photos"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    content = db.Column(db.LargeBinary(length=2**24 - 1), nullable=False)  # MEDIUMBLOB on MySQL
    content_type = db.Column(db.String(32), nullable=False, default="image/jpeg")
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
