"""What is free to sell: one function per kind, read by search (and, later,
by the bookings domain, which will extend each with its own inventory).

Each returns a SQL condition that the search query composes into its own
indexed statement, so availability never costs a second round trip:

- flights: the cabin's `seats_available` (bookings decrement it in the
  booking's transaction, so it stays the one number to read);
- hotels: a room type's `room_count` today; bookings will subtract the rooms
  taken on each night of the stay (per-night inventory);
- cars: the car's `available` flag today; bookings will add "no reservation
  overlapping [pickup, dropoff)".

Whoever changes what these return must bump the catalogue version of the
kind (app.listings.queries.bump_version) in the same request, so cached
results never show what the booking step would refuse.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from app.listings.models import Car, FlightCabin, RoomType


def cabin_has_seats(cabin: str, travelers: int) -> sa.ColumnElement[bool]:
    """The flight cabin row (joined as FlightCabin) can seat the whole party."""
    return sa.and_(FlightCabin.cabin == cabin, FlightCabin.seats_available >= travelers)


def room_type_has_rooms(checkin: date, checkout: date, rooms: int) -> sa.ColumnElement[bool]:
    """The room type (joined as RoomType) has `rooms` rooms free on every night
    from `checkin` to the night before `checkout`."""
    del checkin, checkout  # per-night inventory arrives with bookings
    return RoomType.room_count >= rooms


def car_is_free(pickup: datetime, dropoff: datetime) -> sa.ColumnElement[bool]:
    """The car is free for the whole rental [pickup, dropoff) (times in UTC)."""
    del pickup, dropoff  # reservation ranges arrive with bookings
    return Car.available.is_(True)
