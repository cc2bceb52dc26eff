"""Bookings: quote, hold, pay, confirm, cancel, expire and reconcile.

Every write happens here, in one transaction per step, with its events
published through the outbox in that same transaction. Inventory is reserved
with conditional UPDATEs (seats, room nights) or after locking the car row, so
two travelers can never both get the last seat, room or car (docs/bookings.md).
The gateway is called between two committed transactions: a `pending` payment
row first, then the outcome, so a crash in between leaves a trace that
`reconcile` settles.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import current_app

from app.bookings.models import (
    BillingRecord,
    Booking,
    BookingItem,
    BookingTraveler,
    CarReservation,
    Payment,
    Refund,
    RoomNight,
)
from app.core.models import utcnow
from app.extensions import db, events
from app.listings.models import (
    CANCELLATION,
    REFUND_RULES,
    Car,
    Flight,
    FlightCabin,
    Hotel,
    RoomType,
)
from app.listings.queries import bump_version
from app.payments.gateway import GatewayDeclined, GatewayError, GatewayRetry, get_gateway

log = logging.getLogger(__name__)

CURRENCY = "USD"
CENT = Decimal("0.01")
# Taxes and fees, itemised on every quote (docs/bookings.md).
FLIGHT_TAX_RATE = Decimal("0.075")  # US federal excise tax on the fare
FLIGHT_SECURITY_FEE = Decimal("5.60")  # per traveler per leg
HOTEL_TAX_RATE = Decimal("0.12")  # occupancy tax on the room rate
HOTEL_SERVICE_FEE = Decimal("3.00")  # per room per night
CAR_TAX_RATE = Decimal("0.10")  # rental tax on the daily rate
CAR_AIRPORT_FEE = Decimal("4.50")  # per day, airport pickups only
MAX_TRAVELERS, MAX_ROOMS, MAX_NIGHTS, MAX_DAYS, MAX_LEGS = 9, 9, 30, 30, 4
MIN_CONNECTION = timedelta(minutes=30)
RECONCILE_AFTER = timedelta(minutes=2)
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# -- errors -----------------------------------------------------------------
class BookingError(Exception):
    """A request the traveler can fix; `field` names the input when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class SoldOut(BookingError):
    def __init__(self, message: str = "Just sold out: someone booked the last one a moment ago."):
        super().__init__(message)


class PriceChanged(BookingError):
    def __init__(self, old: Decimal, new: Decimal):
        super().__init__(
            f"The price changed from {CURRENCY} {old:,.2f} to {CURRENCY} {new:,.2f} since you "
            "looked. Check the new total before you continue."
        )
        self.old, self.new = old, new


class NotPayable(BookingError):
    pass


class PaymentDeclined(BookingError):
    pass


class PaymentFailed(BookingError):
    pass


class NotCancellable(BookingError):
    pass


# -- what the traveler asks for ------------------------------------------------
@dataclass
class BookingRequest:
    kind: str
    flight_ids: list[int] = field(default_factory=list)
    cabin: str | None = None
    travelers: int = 1
    hotel_id: int | None = None
    room_type_id: int | None = None
    check_in: date | None = None
    check_out: date | None = None
    rooms: int = 1
    guests: int = 1
    car_id: int | None = None
    pickup_at: datetime | None = None
    dropoff_at: datetime | None = None

    def args(self) -> dict[str, object]:
        """The query arguments that ask for this again (bookings.start)."""
        if self.kind == "flight":
            return {"flight": self.flight_ids, "cabin": self.cabin, "travelers": self.travelers}
        if self.kind == "hotel":
            return {
                "room_type": self.room_type_id,
                "check_in": self.check_in.isoformat(),
                "check_out": self.check_out.isoformat(),
                "rooms": self.rooms,
                "guests": self.guests,
            }
        return {
            "pickup": self.pickup_at.strftime("%Y-%m-%dT%H:%M"),
            "dropoff": self.dropoff_at.strftime("%Y-%m-%dT%H:%M"),
        }

    @property
    def people(self) -> int:
        """How many traveler names the booking takes."""
        return self.travelers if self.kind == "flight" else 1


def _int(raw, name: str, label: str, low: int, high: int, default: int | None = None) -> int:
    if raw in (None, "") and default is not None:
        return default
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise BookingError(f"Enter the number of {label} as a whole number.", name) from None
    if not low <= value <= high:
        raise BookingError(f"The number of {label} must be between {low} and {high}.", name)
    return value


def _id(raw, name: str, label: str) -> int:
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise BookingError(f"Choose the {label}.", name) from None
    if not 1 <= value < 2**62:
        raise BookingError(f"Choose the {label}.", name)
    return value


def _date(raw, name: str, label: str) -> date:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise BookingError(f"Enter the {label} as a date, e.g. 2026-12-20.", name) from None


def _moment(raw, name: str, label: str) -> datetime:
    try:
        value = datetime.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise BookingError(f"Enter the {label} as a date and time.", name) from None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(second=0, microsecond=0)


def parse_request(kind: str, listing_id: int, args) -> BookingRequest:
    """Read bookings.start's query (a MultiDict). Raises BookingError naming the field."""
    if kind not in ("flight", "hotel", "car"):
        raise BookingError("Choose a flight, a hotel or a car.")
    if kind == "flight":
        raw_ids = [listing_id, *args.getlist("flight")]
        ids: list[int] = []
        for raw in raw_ids:
            value = _id(raw, "flight", "flight")
            if value not in ids:
                ids.append(value)
        if len(ids) > MAX_LEGS:
            raise BookingError(f"An itinerary has at most {MAX_LEGS} flights.", "flight")
        cabin = (args.get("cabin") or "economy").strip()
        travelers = _int(args.get("travelers"), "travelers", "travelers", 1, MAX_TRAVELERS, 1)
        return BookingRequest("flight", flight_ids=ids, cabin=cabin, travelers=travelers)
    if kind == "hotel":
        room_type = args.get("room_type")
        request = BookingRequest(
            "hotel",
            hotel_id=listing_id,
            room_type_id=_id(room_type, "room_type", "room type") if room_type else None,
            check_in=_date(args.get("check_in"), "check_in", "check-in date"),
            check_out=_date(args.get("check_out"), "check_out", "check-out date"),
            rooms=_int(args.get("rooms"), "rooms", "rooms", 1, MAX_ROOMS, 1),
            guests=_int(args.get("guests"), "guests", "guests", 1, 4 * MAX_ROOMS, 1),
        )
        nights = (request.check_out - request.check_in).days
        if nights < 1:
            raise BookingError("The check-out date must be after the check-in date.", "check_out")
        if nights > MAX_NIGHTS:
            raise BookingError(f"A stay can be at most {MAX_NIGHTS} nights.", "check_out")
        if request.check_in < utcnow().date():
            raise BookingError("The check-in date is in the past.", "check_in")
        return request
    request = BookingRequest(
        "car",
        car_id=listing_id,
        pickup_at=_moment(args.get("pickup"), "pickup", "pick-up time"),
        dropoff_at=_moment(args.get("dropoff"), "dropoff", "drop-off time"),
    )
    if request.dropoff_at <= request.pickup_at:
        raise BookingError("The drop-off must be after the pick-up.", "dropoff")
    if request.dropoff_at - request.pickup_at > timedelta(days=MAX_DAYS):
        raise BookingError(f"A rental can be at most {MAX_DAYS} days.", "dropoff")
    if request.pickup_at < utcnow():
        raise BookingError("The pick-up time is in the past.", "pickup")
    return request


# -- the price ----------------------------------------------------------------
@dataclass
class ItemQuote:
    kind: str
    provider_id: int
    description: str
    unit_price: Decimal
    quantity: int
    amount: Decimal
    starts_at: datetime
    ends_at: datetime
    values: dict  # the inventory columns of BookingItem


@dataclass
class Quote:
    request: BookingRequest
    kind: str
    provider_id: int
    listing_id: int
    title: str
    items: list[ItemQuote]
    lines: list[tuple[str, Decimal]]  # itemised: fares/rates, each tax, each fee
    subtotal: Decimal
    taxes: Decimal
    fees: Decimal
    total: Decimal
    rules: dict[str, str]
    currency: str = CURRENCY

    @property
    def starts_at(self) -> datetime:
        return min(i.starts_at for i in self.items)

    @property
    def ends_at(self) -> datetime:
        return max(i.ends_at for i in self.items)


def _live(model, listing_id: int, what: str):
    listing = db.session.get(model, listing_id)
    if listing is None or listing.deleted_at is not None:
        raise BookingError(f"This {what} is no longer offered.")
    return listing


def quote(request: BookingRequest, now: datetime | None = None) -> Quote:
    """The full price from the listing as it is now. Raises BookingError / SoldOut."""
    now = now or utcnow()
    if request.kind == "flight":
        return _quote_flight(request, now)
    if request.kind == "hotel":
        return _quote_hotel(request, now)
    return _quote_car(request, now)


def _quote_flight(request: BookingRequest, now: datetime) -> Quote:
    legs = sorted(
        (_live(Flight, i, "flight") for i in request.flight_ids), key=lambda f: f.departs_at
    )
    for earlier, later in zip(legs, legs[1:], strict=False):
        if later.origin != earlier.destination:
            raise BookingError(
                f"{later.flight_number} leaves from {later.origin}, not {earlier.destination} "
                f"where {earlier.flight_number} lands.",
                "flight",
            )
        if later.departs_at < earlier.arrives_at + MIN_CONNECTION:
            raise BookingError(
                f"{later.flight_number} leaves too soon after {earlier.flight_number} lands.",
                "flight",
            )
    if legs[0].departs_at <= now:
        raise BookingError("This flight has already left.", "flight")
    n = request.travelers
    items, fares = [], Decimal("0")
    for leg in legs:
        cabin = next((c for c in leg.cabins if c.cabin == request.cabin), None)
        if cabin is None:
            raise BookingError(f"{leg.flight_number} has no {request.cabin} cabin.", "cabin")
        if cabin.seats_available < n:
            raise SoldOut(
                f"{leg.flight_number} has {cabin.seats_available} {cabin.label.lower()} seat"
                f"{'s' if cabin.seats_available != 1 else ''} left, fewer than {n}."
            )
        amount = cents(cabin.fare * n)
        fares += amount
        items.append(
            ItemQuote(
                "flight",
                leg.provider_id,
                f"{leg.flight_number} {leg.origin} → {leg.destination}, {cabin.label}",
                cabin.fare,
                n,
                amount,
                leg.departs_at,
                leg.arrives_at,
                {"flight_id": leg.id, "cabin_id": cabin.id, "cabin": cabin.cabin, "seats": n},
            )
        )
    tax = cents(fares * FLIGHT_TAX_RATE)
    fee = cents(FLIGHT_SECURITY_FEE * n * len(legs))
    lines = [(f"{i.description}: {i.quantity} × {i.unit_price:,.2f}", i.amount) for i in items]
    lines += [("Federal excise tax (7.5%)", tax), ("Security fee", fee)]
    first = legs[0]
    rule = REFUND_RULES.get(first.refund_rule, first.refund_rule)
    rules = {
        "refund_rule": first.refund_rule,
        "cancellation": rule
        + (
            f" (fee {CURRENCY} {first.change_fee:,.2f})"
            if first.refund_rule == "refundable_fee"
            else ""
        )
        + "; cancel before departure.",
        "change": f"Changes cost {CURRENCY} {first.change_fee:,.2f} per traveler "
        "plus any fare difference."
        if first.change_fee
        else "Changes are free; any fare difference applies.",
        "change_fee": str(first.change_fee),
    }
    title = " · ".join(f"{leg.flight_number} {leg.origin}→{leg.destination}" for leg in legs)
    return Quote(
        request, "flight", first.provider_id, first.id, title[:200], items, lines,
        fares, tax, fee, fares + tax + fee, rules,
    )  # fmt: skip


def _quote_hotel(request: BookingRequest, now: datetime) -> Quote:
    hotel = _live(Hotel, request.hotel_id, "hotel")
    if not hotel.rooms:
        raise BookingError("This hotel has no rooms to book.")
    room = next((r for r in hotel.rooms if r.id == request.room_type_id), None)
    if room is None:
        if request.room_type_id is not None:
            raise BookingError("Choose one of this hotel's room types.", "room_type")
        room = hotel.rooms[0]
        request.room_type_id = room.id
    if request.guests > room.capacity * request.rooms:
        raise BookingError(
            f"{request.rooms} {room.name} room{'s' if request.rooms != 1 else ''} sleep "
            f"{room.capacity * request.rooms} at most; add rooms or choose a larger room.",
            "guests",
        )
    nights = (request.check_out - request.check_in).days
    free = rooms_free(room, request.check_in, request.check_out)
    if free < request.rooms:
        raise SoldOut(
            f"Only {free} {room.name} room{'s' if free != 1 else ''} left for these dates."
            if free
            else f"The {room.name} rooms are sold out for these dates."
        )
    starts = datetime.combine(request.check_in, hotel.check_in_time)
    ends = datetime.combine(request.check_out, hotel.check_out_time)
    quantity = request.rooms * nights
    amount = cents(room.price_per_night * quantity)
    tax = cents(amount * HOTEL_TAX_RATE)
    fee = cents(HOTEL_SERVICE_FEE * quantity)
    item = ItemQuote(
        "hotel",
        hotel.provider_id,
        f"{hotel.name}: {room.name}, {request.rooms} room{'s' if request.rooms != 1 else ''} × "
        f"{nights} night{'s' if nights != 1 else ''}",
        room.price_per_night,
        quantity,
        amount,
        starts,
        ends,
        {
            "hotel_id": hotel.id,
            "room_type_id": room.id,
            "rooms": request.rooms,
            "guests": request.guests,
            "check_in": request.check_in,
            "check_out": request.check_out,
        },
    )
    lines = [
        (
            f"{room.name}: {quantity} room-night{'s' if quantity != 1 else ''} × "
            f"{room.price_per_night:,.2f}",
            amount,
        ),
        ("Occupancy tax (12%)", tax),
        ("Service fee", fee),
    ]  # fmt: skip
    rules = {
        "refund_rule": hotel.cancellation_policy,
        "cancellation": CANCELLATION.get(hotel.cancellation_policy, hotel.cancellation_policy)
        + ".",
        "change": "Change dates by cancelling and booking again under the same rules.",
    }
    return Quote(
        request, "hotel", hotel.provider_id, hotel.id, f"{hotel.name}, {hotel.city}"[:200],
        [item], lines, amount, tax, fee, amount + tax + fee, rules,
    )  # fmt: skip


def rental_days(pickup: datetime, dropoff: datetime) -> int:
    seconds = (dropoff - pickup).total_seconds()
    return max(1, -(-int(seconds) // 86400))


def _quote_car(request: BookingRequest, now: datetime) -> Quote:
    car = _live(Car, request.car_id, "car")
    if not car.available or not car_is_free(car.id, request.pickup_at, request.dropoff_at):
        raise SoldOut("This car is already booked for some of these dates.")
    days = rental_days(request.pickup_at, request.dropoff_at)
    amount = cents(car.daily_price * days)
    tax = cents(amount * CAR_TAX_RATE)
    fee = cents(CAR_AIRPORT_FEE * days) if car.pickup_airport else Decimal("0.00")
    item = ItemQuote(
        "car",
        car.provider_id,
        f"{car.title} from {car.pickup_name}",
        car.daily_price,
        days,
        amount,
        request.pickup_at,
        request.dropoff_at,
        {"car_id": car.id, "pickup_at": request.pickup_at, "dropoff_at": request.dropoff_at},
    )
    lines = [
        (f"{car.title}: {days} day{'s' if days != 1 else ''} × {car.daily_price:,.2f}", amount)
    ]
    lines.append(("Rental tax (10%)", tax))
    if car.pickup_airport:
        lines.append(("Airport facility fee", fee))
    rules = {
        "refund_rule": "free_until_pickup",
        "cancellation": "Free cancellation until the pick-up time; no refund after it.",
        "change": "Change times by cancelling and booking again.",
    }
    return Quote(
        request, "car", car.provider_id, car.id, car.title, [item], lines,
        amount, tax, fee, amount + tax + fee, rules,
    )  # fmt: skip


# -- inventory reads (the same truth the hold writes) ------------------------------
def nights_of(check_in: date, check_out: date) -> list[date]:
    return [check_in + timedelta(days=i) for i in range((check_out - check_in).days)]


def rooms_free(room: RoomType, check_in: date, check_out: date) -> int:
    busiest = db.session.scalar(
        sa.select(sa.func.max(RoomNight.booked)).where(
            RoomNight.room_type_id == room.id,
            RoomNight.night >= check_in,
            RoomNight.night < check_out,
        )
    )
    return max(0, room.room_count - (busiest or 0))


def overlapping(car_id, pickup: datetime, dropoff: datetime):
    return sa.select(CarReservation.id).where(
        CarReservation.car_id == car_id,
        CarReservation.active.is_(True),
        CarReservation.pickup_at < dropoff,
        CarReservation.dropoff_at > pickup,
    )


def car_is_free(car_id: int, pickup: datetime, dropoff: datetime) -> bool:
    return db.session.scalar(overlapping(car_id, pickup, dropoff).limit(1)) is None


# -- hold -----------------------------------------------------------------------
@dataclass
class TravelerInput:
    first_name: str
    last_name: str
    date_of_birth: date | None = None
    email: str | None = None
    phone: str | None = None


def new_reference() -> str:
    return "KY-" + "".join(secrets.choice(_REF_ALPHABET) for _ in range(6))


def _ensure_room_nights(room_type_id: int, nights: list[date]) -> None:
    """Create the missing night rows (booked = 0) in their own short transaction
    (committed here), so the booking transaction only ever UPDATEs existing rows."""
    table = RoomNight.__table__
    rows = [{"room_type_id": room_type_id, "night": n, "booked": 0} for n in nights]
    prefix = "IGNORE" if db.session.get_bind().dialect.name == "mysql" else "OR IGNORE"
    db.session.execute(table.insert().prefix_with(prefix), rows)
    db.session.commit()


def _reserve(quote_: Quote, booking: Booking) -> None:
    """Take the inventory in the current transaction, or raise SoldOut."""
    if quote_.kind == "flight":
        for item in sorted(quote_.items, key=lambda i: i.values["cabin_id"]):
            n = item.values["seats"]
            taken = db.session.execute(
                sa.update(FlightCabin)
                .where(FlightCabin.id == item.values["cabin_id"], FlightCabin.seats_available >= n)
                .values(seats_available=FlightCabin.seats_available - n)
                .execution_options(synchronize_session=False)
            ).rowcount
            if taken != 1:
                raise SoldOut(f"Just sold out: {item.description.split(',')[0]} has no seats left.")
    elif quote_.kind == "hotel":
        values = quote_.items[0].values
        nights = nights_of(values["check_in"], values["check_out"])
        n = values["rooms"]
        room_count = db.session.scalar(
            sa.select(RoomType.room_count).where(RoomType.id == values["room_type_id"])
        )
        taken = db.session.execute(
            sa.update(RoomNight)
            .where(
                RoomNight.room_type_id == values["room_type_id"],
                RoomNight.night.in_(nights),
                RoomNight.booked + n <= room_count,
            )
            .values(booked=RoomNight.booked + n)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken != len(nights):
            raise SoldOut("Just sold out: the last rooms of this type went for one of your nights.")
    else:
        values = quote_.items[0].values
        car = db.session.execute(
            sa.select(Car.id, Car.available, Car.deleted_at)
            .where(Car.id == values["car_id"])
            .with_for_update()
        ).one()
        if not car.available or car.deleted_at is not None:
            raise SoldOut("This car is no longer available.")
        # A locking read: sees every committed reservation, not an old snapshot.
        clash = db.session.scalar(
            overlapping(car.id, values["pickup_at"], values["dropoff_at"])
            .limit(1)
            .with_for_update()
        )
        if clash is not None:
            raise SoldOut("Just sold out: this car was booked for these dates a moment ago.")
        db.session.add(
            CarReservation(
                car_id=car.id,
                booking=booking,
                pickup_at=values["pickup_at"],
                dropoff_at=values["dropoff_at"],
            )
        )


def _is_retryable(exc: sa.exc.DBAPIError) -> bool:
    code = getattr(exc.orig, "args", [None])[0]
    return code in (1213, 1205)  # MySQL deadlock, lock wait timeout


def hold(
    user,
    request: BookingRequest,
    travelers: list[TravelerInput],
    contact_email: str,
    contact_phone: str | None,
    idempotency_key: str,
    expected_total: Decimal | None = None,
) -> Booking:
    """Reserve the inventory and create a held booking, all or nothing.

    The same (user, idempotency_key) returns the booking made the first time.
    Raises SoldOut, PriceChanged or BookingError; nothing is kept then.
    """
    idempotency_key = (idempotency_key or "")[:64]
    if not idempotency_key:
        raise BookingError("This form has expired; start again.")
    existing = _by_key(user.id, idempotency_key)
    if existing is not None:
        return existing
    if len(travelers) != request.people:
        raise BookingError(f"Enter the details of {request.people} traveler(s).")
    for attempt in range(4):
        try:
            return _hold_once(user, request, travelers, contact_email, contact_phone,
                              idempotency_key, expected_total)  # fmt: skip
        except sa.exc.IntegrityError:
            db.session.rollback()
            existing = _by_key(user.id, idempotency_key)
            if existing is not None:  # a double submit won the race: its booking
                return existing
            if attempt == 3:
                raise
        except sa.exc.OperationalError as exc:
            db.session.rollback()
            if not _is_retryable(exc) or attempt == 3:
                raise
            time.sleep(0.01 * (attempt + 1))
        except BookingError:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def _by_key(user_id: int, key: str) -> Booking | None:
    return db.session.scalar(
        sa.select(Booking).where(Booking.user_id == user_id, Booking.idempotency_key == key)
    )


def _hold_once(user, request, travelers, contact_email, contact_phone, key, expected_total):
    q = quote(request)
    if expected_total is not None and cents(expected_total) != q.total:
        raise PriceChanged(cents(expected_total), q.total)
    if request.kind == "hotel":
        _ensure_room_nights(request.room_type_id, nights_of(request.check_in, request.check_out))
    now = utcnow()
    booking = Booking(
        reference=new_reference(),
        user_id=user.id,
        kind=q.kind,
        provider_id=q.provider_id,
        listing_id=q.listing_id,
        title=q.title,
        status="held",
        idempotency_key=key,
        currency=q.currency,
        subtotal=q.subtotal,
        taxes=q.taxes,
        fees=q.fees,
        total=q.total,
        rules=q.rules,
        lines=[[label, str(amount)] for label, amount in q.lines],
        contact_email=contact_email,
        contact_phone=contact_phone,
        starts_at=q.starts_at,
        ends_at=q.ends_at,
        hold_expires_at=now + timedelta(minutes=current_app.config["BOOKING_HOLD_MINUTES"]),
        created_at=now,
        refund_total=Decimal("0.00"),
    )
    db.session.add(booking)
    _reserve(q, booking)
    for position, item in enumerate(q.items):
        booking.items.append(
            BookingItem(
                position=position,
                kind=item.kind,
                provider_id=item.provider_id,
                description=item.description[:200],
                unit_price=item.unit_price,
                quantity=item.quantity,
                amount=item.amount,
                starts_at=item.starts_at,
                ends_at=item.ends_at,
                **item.values,
            )
        )
    for position, t in enumerate(travelers):
        booking.travelers.append(
            BookingTraveler(
                position=position,
                first_name=t.first_name,
                last_name=t.last_name,
                date_of_birth=t.date_of_birth,
                email=t.email,
                phone=t.phone,
            )
        )
    db.session.flush()
    events.publish("booking.created", booking.id, _event_data(booking), actor=user.id)
    if q.kind == "car":
        _publish_car("car.booked", booking, actor=user.id)
    db.session.commit()
    bump_version(q.kind)
    log.info("booking held", extra={"reference": booking.reference, "kind": q.kind})
    return booking


def _event_data(booking: Booking, **extra) -> dict:
    return {
        "reference": booking.reference,
        "kind": booking.kind,
        "user_id": booking.user_id,
        "provider_id": booking.provider_id,
        "listing_id": booking.listing_id,
        "total": str(booking.total),
        "currency": booking.currency,
        "status": booking.status,
        **extra,
    }


def _publish_car(type_: str, booking: Booking, actor=None) -> None:
    item = booking.items[0] if booking.items else None
    data = {"booking": booking.reference}
    if item is not None:
        data |= {"pickup_at": item.pickup_at.isoformat(), "dropoff_at": item.dropoff_at.isoformat()}
    events.publish(type_, booking.listing_id, data, actor=actor)


def _release(booking: Booking) -> None:
    """Give the booking's inventory back, in the current transaction."""
    for item in booking.items:
        if item.kind == "flight":
            db.session.execute(
                sa.update(FlightCabin)
                .where(FlightCabin.id == item.cabin_id)
                .values(
                    seats_available=sa.case(
                        (
                            FlightCabin.seats_available + item.seats > FlightCabin.seats_total,
                            FlightCabin.seats_total,
                        ),
                        else_=FlightCabin.seats_available + item.seats,
                    )
                )
                .execution_options(synchronize_session=False)
            )
        elif item.kind == "hotel":
            db.session.execute(
                sa.update(RoomNight)
                .where(
                    RoomNight.room_type_id == item.room_type_id,
                    RoomNight.night >= item.check_in,
                    RoomNight.night < item.check_out,
                    RoomNight.booked >= item.rooms,
                )
                .values(booked=RoomNight.booked - item.rooms)
                .execution_options(synchronize_session=False)
            )
        else:
            db.session.execute(
                sa.update(CarReservation)
                .where(CarReservation.booking_id == booking.id)
                .values(active=False)
                .execution_options(synchronize_session=False)
            )


def _locked(booking_id: int) -> Booking:
    return db.session.scalar(
        sa.select(Booking)
        .where(Booking.id == booking_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


# -- pay and confirm -----------------------------------------------------------------
@dataclass
class CardChoice:
    """Either a new card (details checked by app.payments.cards) or a saved token."""

    token: str | None = None
    brand: str | None = None
    last4: str | None = None
    card: object | None = None  # CardDetails
    holder_name: str | None = None


def pay(booking: Booking, user, choice: CardChoice, attempt_key: str) -> Booking:
    """Charge the held booking's total once and confirm it.

    `attempt_key` identifies one submission of the pay form: the same key
    (double click, retry) never charges twice. Raises PaymentDeclined,
    PaymentFailed or NotPayable; a declined or failed attempt leaves the hold
    in place (another card may be tried) and nothing charged.
    """
    key = f"pay:{booking.id}:{(attempt_key or '')[:40]}"
    if not attempt_key:
        raise NotPayable("This form has expired; reload the page.")
    done = db.session.scalar(sa.select(Payment).where(Payment.idempotency_key == key))
    if done is not None:
        return _answer_for(done, booking)
    gateway = get_gateway()
    if choice.card is not None:
        try:
            token = gateway.tokenise(choice.card, choice.holder_name or "")
        except GatewayDeclined as exc:
            raise PaymentDeclined(exc.message + " Nothing was charged.") from None
        except GatewayError as exc:
            raise PaymentFailed(exc.message + " Nothing was charged; try again.") from None
        choice = CardChoice(token.token, token.brand, token.last4)
    locked = _locked(booking.id)
    if locked.status == "confirmed":
        db.session.rollback()
        return locked
    if locked.status != "held":
        db.session.rollback()
        raise NotPayable("This booking can no longer be paid: its hold was released. Start again.")
    if locked.hold_expires_at and locked.hold_expires_at < utcnow():
        db.session.rollback()
        raise NotPayable(
            "Your hold expired before payment. Start again to check the price and seats."
        )
    busy = db.session.scalar(
        sa.select(Payment.id).where(
            Payment.booking_id == locked.id, Payment.status.in_(("pending", "succeeded"))
        )
    )
    if busy is not None:
        db.session.rollback()
        raise NotPayable("A payment for this booking is already in progress.")
    payment = Payment(
        booking_id=locked.id,
        user_id=user.id,
        idempotency_key=key,
        status="pending",
        token=choice.token,
        brand=choice.brand,
        last4=choice.last4,
        amount=locked.total,
        currency=locked.currency,
    )
    db.session.add(payment)
    try:
        db.session.commit()  # the trace first: a crash after the charge is reconciled
    except sa.exc.IntegrityError:
        db.session.rollback()
        done = db.session.scalar(sa.select(Payment).where(Payment.idempotency_key == key))
        return _answer_for(done, booking)
    return charge_and_settle(payment)


def _answer_for(payment: Payment, booking: Booking) -> Booking:
    if payment.status in ("succeeded", "refunded"):
        return db.session.get(Booking, payment.booking_id)
    if payment.status == "pending":
        raise NotPayable("Your payment is being processed; refresh the page in a moment.")
    raise (PaymentDeclined if payment.status == "declined" else PaymentFailed)(
        payment.message or "The payment did not go through. Nothing was charged."
    )


def charge_and_settle(payment: Payment) -> Booking:
    """Call the gateway for a pending payment, then record the outcome."""
    gateway = get_gateway()
    payment_id, key = payment.id, payment.idempotency_key
    amount, currency, token = payment.amount, payment.currency, payment.token
    charge = None
    for attempt in range(3):
        try:
            charge = gateway.charge(token, Decimal(amount), currency, key)
            break
        except GatewayRetry:
            if attempt == 2:
                return _fail(payment_id, "failed", "try_again",
                             "The payment service is busy. Nothing was charged; "
                             "try again.")  # fmt: skip
            time.sleep(0.05 * (attempt + 1))
        except GatewayDeclined as exc:
            return _fail(payment_id, "declined", exc.code, exc.message + " Nothing was charged.")
        except GatewayError as exc:
            return _fail(payment_id, "failed", exc.code,
                         exc.message + " Nothing was charged; try again in a moment.")  # fmt: skip
    return settle_charge(payment_id, charge.id)


def _fail(payment_id: int, status: str, code: str, message: str):
    payment = db.session.get(Payment, payment_id)
    payment.status, payment.error_code, payment.message = status, code[:40], message[:200]
    db.session.commit()
    raise (PaymentDeclined if status == "declined" else PaymentFailed)(message)


def settle_charge(payment_id: int, charge_id: str) -> Booking:
    """The gateway took the money: confirm the booking, or refund when it can
    no longer be confirmed (its hold was released meanwhile)."""
    payment = db.session.scalar(
        sa.select(Payment).where(Payment.id == payment_id).with_for_update()
    )
    booking = _locked(payment.booking_id)
    if payment.status == "succeeded":
        db.session.rollback()
        return booking
    payment.status, payment.charge_id = "succeeded", charge_id
    if booking.status == "held":
        now = utcnow()
        booking.status, booking.confirmed_at, booking.hold_expires_at = "confirmed", now, None
        _bill(booking, payment, "payment", booking.subtotal, booking.taxes, booking.fees,
              booking.total, "paid", now)  # fmt: skip
        events.publish("booking.confirmed", booking.id, _event_data(booking,
                       brand=payment.brand, last4=payment.last4),
                       actor=payment.user_id)  # fmt: skip
        db.session.commit()
        log.info("booking confirmed", extra={"reference": booking.reference})
        return booking
    db.session.commit()
    # Paid, but the booking is gone: give the money back, never keep it.
    _refund(booking, payment, payment.amount, "The booking could not be completed.")
    db.session.commit()
    return booking


def _bill(booking, payment, record_type, subtotal, taxes, fees, total, status, when, refund=None):
    db.session.add(
        BillingRecord(
            billing_id="BL-" + secrets.token_hex(5).upper(),
            user_id=booking.user_id,
            booking_id=booking.id,
            booking_kind=booking.kind,
            record_type=record_type,
            payment_id=payment.id,
            refund_id=refund.id if refund is not None else None,
            transaction_date=when,
            currency=booking.currency,
            subtotal=subtotal,
            taxes=taxes,
            fees=fees,
            total=total,
            payment_brand=payment.brand,
            payment_last4=payment.last4,
            status=status,
            invoice={
                "reference": booking.reference,
                "title": booking.title,
                "lines": booking.lines,
                "billed_to": booking.contact_email,
                "rules": booking.rules.get("cancellation", ""),
            },
        )
    )


def _refund(booking: Booking, payment: Payment, amount: Decimal, reason: str) -> Refund | None:
    """Refund through the gateway (idempotent per payment) and record it and its bill."""
    amount = cents(min(amount, payment.amount))
    if amount <= 0:
        return None
    existing = db.session.scalar(sa.select(Refund).where(Refund.payment_id == payment.id))
    if existing is not None:
        return existing
    result = get_gateway().refund(
        payment.charge_id, amount, payment.currency, f"refund:{payment.id}"
    )
    now = utcnow()
    refund = Refund(
        booking_id=booking.id,
        payment_id=payment.id,
        amount=amount,
        currency=payment.currency,
        status="succeeded",
        reason=reason[:200],
        gateway_refund_id=result.id,
        created_at=now,
    )
    db.session.add(refund)
    db.session.flush()
    ratio = amount / payment.amount
    taxes, fees = cents(booking.taxes * ratio), cents(booking.fees * ratio)
    _bill(booking, payment, "refund", -(amount - taxes - fees), -taxes, -fees, -amount,
          "refunded", now, refund)  # fmt: skip
    payment.status = "refunded"
    booking.refund_total = amount
    return refund


# -- cancel -------------------------------------------------------------------
@dataclass
class CancelTerms:
    allowed: bool
    refund: Decimal
    explanation: str


def cancel_terms(booking: Booking, now: datetime | None = None) -> CancelTerms:
    """What cancelling now would do, per the rules the booking was made under."""
    now = now or utcnow()
    zero = Decimal("0.00")
    if booking.status == "held":
        return CancelTerms(True, zero, "Nothing has been charged; the hold is released.")
    if booking.status != "confirmed":
        return CancelTerms(False, zero, f"This booking is {booking.status_label.lower()}.")
    if booking.starts_at <= now:
        return CancelTerms(
            False, zero, "This trip has already started; it can no longer be cancelled."
        )
    rule = booking.rules.get("refund_rule")
    total = Decimal(booking.total)
    if booking.kind == "flight":
        if rule == "refundable":
            return CancelTerms(True, total, "Fully refundable: the whole amount is refunded.")
        if rule == "refundable_fee":
            fee = Decimal(booking.rules.get("change_fee") or "0") * len(booking.travelers)
            refund = max(zero, cents(total - fee))
            return CancelTerms(
                True, refund, f"Refundable for a fee of {booking.currency} {fee:,.2f}."
            )
        return CancelTerms(
            True, zero, "Non-refundable: the seats are released but nothing is refunded."
        )
    if booking.kind == "hotel":
        hours = {"free_24h": 24, "free_72h": 72}.get(rule)
        if hours is not None and now <= booking.starts_at - timedelta(hours=hours):
            return CancelTerms(True, total, "Free cancellation: the whole amount is refunded.")
        if hours is not None:
            return CancelTerms(
                True,
                zero,
                f"The free cancellation window ({hours} hours before check-in) has passed; "
                "nothing is refunded.",
            )
        return CancelTerms(
            True, zero, "Non-refundable: the rooms are released but nothing is refunded."
        )
    return CancelTerms(
        True, total, "Free cancellation before pick-up: the whole amount is refunded."
    )


def cancel(
    booking: Booking,
    actor_id,
    reason: str = "Cancelled by the traveler.",
    by_provider: bool = False,
) -> Booking:
    """Cancel per the rules: release inventory, refund what they allow, publish.

    A provider cancelling (`by_provider`) refunds everything, before the trip
    starts. Raises NotCancellable. Cancelling twice is harmless (the second returns).
    """
    locked = _locked(booking.id)
    if locked.status in ("cancelled", "abandoned"):
        db.session.rollback()
        return locked
    terms = cancel_terms(locked)
    if by_provider and terms.allowed:
        terms = CancelTerms(True, Decimal(locked.total), "Cancelled by the provider: full refund.")
    if not terms.allowed:
        db.session.rollback()
        raise NotCancellable(terms.explanation)
    pending = db.session.scalar(
        sa.select(Payment.id).where(Payment.booking_id == locked.id, Payment.status == "pending")
    )
    if pending is not None:
        db.session.rollback()
        raise NotCancellable(
            "A payment for this booking is being processed; try again in a minute."
        )
    paid = db.session.scalar(
        sa.select(Payment).where(Payment.booking_id == locked.id, Payment.status == "succeeded")
    )
    _release(locked)
    now = utcnow()
    locked.status, locked.cancelled_at, locked.hold_expires_at = "cancelled", now, None
    refund = None
    if paid is not None and terms.refund > 0:
        refund = _refund(locked, paid, terms.refund, reason)
    events.publish(
        "booking.cancelled",
        locked.id,
        _event_data(locked, refund=str(refund.amount if refund else Decimal("0.00"))),
        actor=actor_id,
    )
    if locked.kind == "car":
        _publish_car("car.available", locked, actor=actor_id)
    db.session.commit()
    bump_version(locked.kind)
    return locked


# -- expiry and reconciliation ---------------------------------------------------
def expire_holds(now: datetime | None = None, limit: int = 500) -> int:
    """Release held bookings past their expiry with no payment under way;
    each publishes booking.abandoned. Returns how many were released."""
    now = now or utcnow()
    paying = sa.select(Payment.id).where(
        Payment.booking_id == Booking.id, Payment.status.in_(("pending", "succeeded"))
    )
    ids = db.session.scalars(
        sa.select(Booking.id)
        .where(Booking.status == "held", Booking.hold_expires_at < now, ~paying.exists())
        .order_by(Booking.hold_expires_at)
        .limit(limit)
    ).all()
    db.session.rollback()
    released = 0
    kinds = set()
    for booking_id in ids:
        booking = _locked(booking_id)
        busy = db.session.scalar(paying.where(Payment.booking_id == booking_id).limit(1))
        if booking.status != "held" or booking.hold_expires_at >= now or busy is not None:
            db.session.rollback()
            continue
        _release(booking)
        booking.status, booking.abandoned_at, booking.hold_expires_at = "abandoned", now, None
        events.publish("booking.abandoned", booking.id, _event_data(booking))
        if booking.kind == "car":
            _publish_car("car.available", booking)
        db.session.commit()
        kinds.add(booking.kind)
        released += 1
    for kind in kinds:
        bump_version(kind)
    return released


def reconcile(now: datetime | None = None) -> dict[str, int]:
    """Settle stragglers: payments left `pending` by a crash (ask the gateway
    whether the charge happened: confirm or refund, else mark failed), then
    expired holds. Returns counts per outcome."""
    now = now or utcnow()
    counts = {"confirmed": 0, "refunded": 0, "failed": 0, "abandoned": 0}
    stale = db.session.scalars(
        sa.select(Payment)
        .where(Payment.status == "pending", Payment.created_at < now - RECONCILE_AFTER)
        .order_by(Payment.id)
        .limit(500)
    ).all()
    gateway = get_gateway()
    for payment in stale:
        payment_id, key = payment.id, payment.idempotency_key
        db.session.rollback()
        charge = gateway.find_charge(key)
        if charge is None:
            row = db.session.scalar(
                sa.select(Payment).where(Payment.id == payment_id).with_for_update()
            )
            if row.status == "pending":
                row.status, row.error_code = "failed", "no_charge"
                row.message = "The payment never reached the gateway. Nothing was charged."
                counts["failed"] += 1
            db.session.commit()
            continue
        booking = settle_charge(payment_id, charge.id)
        counts["confirmed" if booking.status == "confirmed" else "refunded"] += 1
    counts["abandoned"] = expire_holds(now)
    return counts
