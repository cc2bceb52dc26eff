"""Reads of the bookings domain: a traveler's trips, one booking, billing search."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from app.bookings.models import BillingRecord, Booking, BookingItem
from app.core.models import utcnow
from app.extensions import db


def own_booking_or_404(reference: str, user_id: int) -> Booking:
    """The user's booking by reference; 404 when missing or somebody else's."""
    booking = db.session.scalar(
        sa.select(Booking).where(Booking.reference == (reference or "")[:12])
    )
    if booking is None or booking.user_id != user_id:
        abort(404)
    return booking


def trips_of(user_id: int, limit: int = 500) -> dict[str, list[Booking]]:
    """Upcoming, current and past bookings (held ones still count as upcoming)."""
    now = utcnow()
    rows = db.session.scalars(
        sa.select(Booking)
        .options(selectinload(Booking.items))
        .where(Booking.user_id == user_id, Booking.status != "abandoned")
        .order_by(Booking.starts_at.desc())
        .limit(limit)
    ).all()
    groups: dict[str, list[Booking]] = {"current": [], "upcoming": [], "past": []}
    for booking in rows:
        if booking.starts_at <= now < booking.ends_at and booking.status == "confirmed":
            groups["current"].append(booking)
        elif booking.starts_at > now:
            groups["upcoming"].append(booking)
        else:
            groups["past"].append(booking)
    groups["upcoming"].reverse()
    return groups


def bills_of(booking_id: int) -> list[BillingRecord]:
    return db.session.scalars(
        sa.select(BillingRecord)
        .where(BillingRecord.booking_id == booking_id)
        .order_by(BillingRecord.id)
    ).all()


def bookings_of_provider(provider_id: int, status: str | None, limit: int, offset: int):
    has_item = sa.select(BookingItem.id).where(
        BookingItem.booking_id == Booking.id, BookingItem.provider_id == provider_id
    )
    query = sa.select(Booking).where(has_item.exists())
    if status:
        query = query.where(Booking.status == status)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.options(selectinload(Booking.items), selectinload(Booking.travelers))
        .order_by(Booking.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return rows, total


def provider_booking_or_404(reference: str, provider_id: int) -> Booking:
    booking = db.session.scalar(
        sa.select(Booking).where(Booking.reference == (reference or "")[:12])
    )
    if booking is None or all(item.provider_id != provider_id for item in booking.items):
        abort(404)
    return booking


# -- admin billing ---------------------------------------------------------------
@dataclass
class BillingFilters:
    start: datetime | None = None
    end: datetime | None = None
    status: str | None = None
    kind: str | None = None
    user_id: int | None = None
    user_email: str | None = None
    min_total: Decimal | None = None
    max_total: Decimal | None = None


def billing_filters(form) -> tuple[BillingFilters, dict[str, str]]:
    """Filters from the (validated) search form; errors by field name."""
    errors: dict[str, str] = {}
    f = BillingFilters()
    if form.date_from.data:
        f.start = datetime.combine(form.date_from.data, datetime.min.time())
    if form.date_to.data:
        f.end = datetime.combine(form.date_to.data + timedelta(days=1), datetime.min.time())
    month = (form.month.data or "").strip()
    if month:
        try:
            year, mon = (int(x) for x in month.split("-"))
            first = date(year, mon, 1)
        except ValueError:
            errors["month"] = "Enter the month as YYYY-MM, e.g. 2026-11."
        else:
            last = calendar.monthrange(year, mon)[1]
            f.start = max(f.start or datetime.min, datetime.combine(first, datetime.min.time()))
            end = datetime.combine(date(year, mon, last) + timedelta(days=1), datetime.min.time())
            f.end = min(f.end or datetime.max, end)
    f.status = form.status.data or None
    f.kind = form.kind.data or None
    who = (form.user.data or "").strip()
    if who.isdigit():
        f.user_id = int(who) if int(who) < 2**31 else -1
    elif who:
        f.user_email = who.lower()
    for name in ("min_total", "max_total"):
        raw = (getattr(form, name).data or "").strip().replace(",", "")
        if raw:
            try:
                value = Decimal(raw)
                if not value.is_finite() or abs(value) >= Decimal("1e8"):
                    raise InvalidOperation
            except InvalidOperation:
                errors[name] = "Enter an amount such as 120 or 99.50."
            else:
                setattr(f, name, value)
    return f, errors


def billing_query(f: BillingFilters):
    from app.users.models import User

    query = sa.select(BillingRecord)
    if f.start:
        query = query.where(BillingRecord.transaction_date >= f.start)
    if f.end:
        query = query.where(BillingRecord.transaction_date < f.end)
    if f.status:
        query = query.where(BillingRecord.status == f.status)
    if f.kind:
        query = query.where(BillingRecord.booking_kind == f.kind)
    if f.user_id is not None:
        query = query.where(BillingRecord.user_id == f.user_id)
    if f.user_email:
        query = query.where(
            BillingRecord.user_id.in_(sa.select(User.id).where(User.email == f.user_email))
        )
    if f.min_total is not None:
        query = query.where(BillingRecord.total >= f.min_total)
    if f.max_total is not None:
        query = query.where(BillingRecord.total <= f.max_total)
    return query


def search_bills(f: BillingFilters, page: int = 1, per_page: int = 50):
    query = billing_query(f)
    summary = db.session.execute(
        sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(BillingRecord.total), 0)
        ).select_from(query.subquery())
    ).one()
    rows = db.session.scalars(
        query.order_by(BillingRecord.transaction_date.desc(), BillingRecord.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return rows, summary[0], Decimal(summary[1])


def bill_or_404(billing_id: str) -> BillingRecord:
    bill = db.session.scalar(
        sa.select(BillingRecord).where(BillingRecord.billing_id == (billing_id or "")[:16])
    )
    if bill is None:
        abort(404)
    return bill
