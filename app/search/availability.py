"""What is free to sell: one function per kind, read by search (and, later,
by the bookings domain, which will extend each with its own inventory).

Each returns a SQL condition that the search query composes into its own
indexed statement, so availability never costs a second round trip:

- flights: the cabin's `seats_available` (bookings decrement it in the
  booking's transaction, so it stays the one number to read);
- hotels: a room type's `room_count` minus the rooms taken on the busiest
  night of the stay (`room_nights`, one row per room type per night, kept by
  the bookings domain; a night without a row has nothing booked);
- cars: the car's `available` flag and no active reservation overlapping
  [pickup, dropoff) (`car_reservations`).

Whoever changes what these return must bump the catalogue version of the
kind (app.listings.queries.bump_version) in the same request, so cached
results never show what the booking step would refuse.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from app.bookings.models import CarReservation, RoomNight
from app.listings.models import Car, FlightCabin, RoomType


def cabin_has_seats(cabin: str, travelers: int) -> sa.ColumnElement[bool]:
    """The flight cabin row (joined as FlightCabin) can seat the whole party."""
    return sa.and_(FlightCabin.cabin == cabin, FlightCabin.seats_available >= travelers)


def room_type_has_rooms(checkin: date, checkout: date, rooms: int) -> sa.ColumnElement[bool]:
    """The room type (joined as RoomType) has `rooms` rooms free on every night
    from `checkin` to the night before `checkout`."""
    busiest = (
        sa.select(sa.func.coalesce(sa.func.max(RoomNight.booked), 0))
        .where(
            RoomNight.room_type_id == RoomType.id,
            RoomNight.night >= checkin,
            RoomNight.night < checkout,
        )
        .correlate(RoomType)
        .scalar_subquery()
    )
    return sa.and_(RoomType.room_count >= rooms, RoomType.room_count - busiest >= rooms)


def car_is_free(pickup: datetime, dropoff: datetime) -> sa.ColumnElement[bool]:
    """The car is free for the whole rental [pickup, dropoff) (times in UTC)."""
    taken = (
        sa.select(CarReservation.id)
        .where(
            CarReservation.car_id == Car.id,
            CarReservation.active.is_(True),
            CarReservation.pickup_at < dropoff,
            CarReservation.dropoff_at > pickup,
        )
        .correlate(Car)
    )
    return sa.and_(Car.available.is_(True), ~taken.exists())
