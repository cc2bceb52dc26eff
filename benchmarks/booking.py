"""Bookings per second end to end (hold + pay + confirm) under concurrent clients
on MySQL, with p50/p95 latency and the count of oversells (must be 0).

    .venv/bin/python benchmarks/booking.py [--clients 50] [--seconds 20] [--procs 4]

Each client is a thread with its own app context (its own session and MySQL
connection), spread over several processes so the GIL does not cap the
figure; every client books in a loop: a hold through `services.hold` (seats,
room nights or a car range, by turns), then `services.pay` with the test card
4242 4242 4242 4242 through the simulated gateway (Redis ledger), which
confirms and bills. Inventory is deliberately short (a few seats, rooms and
cars), so many holds are refused as sold out: that path is measured too.
Afterwards the script counts oversells from the tables themselves: seats
below zero or above their total, room nights above room_count, overlapping
active reservations of one car, and bookings confirmed without exactly one
succeeded payment.

It uses its own database (`kayak_bench_booking`, recreated each run) and
the bench Redis/Kafka settings of benchmarks/load.py.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load import bench_environment, machine  # noqa: E402

DB = "kayak_bench_booking"


def environment() -> dict[str, str]:
    env = bench_environment()
    env["DATABASE_URL"] = (
        sa.engine.make_url(env["DATABASE_URL"])
        .set(database=DB)
        .render_as_string(hide_password=False)
    )
    env["KAFKA_BOOTSTRAP"] = ""  # the outbox is written; the relay is not part of this figure
    env["LOG_LEVEL"] = "WARNING"
    os.environ.update(env)
    return env


def prepare(flights: int, hotels: int, cars: int) -> dict:
    env = environment()
    url = sa.engine.make_url(env["DATABASE_URL"])
    engine = sa.create_engine(url.set(database=""))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{DB}`"))
        conn.execute(
            sa.text(f"CREATE DATABASE `{DB}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        )
    engine.dispose()
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.listings import services as listings
    from tests.listings import factories as f

    app = create_app("development")
    day = date.today() + timedelta(days=30)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        air = listings.create_provider("airline", "Bench Air", "BA")
        inn = listings.create_provider("hotel", "Bench Inns", None)
        rent = listings.create_provider("car_rental", "Bench Cars", None)
        ids = {"flights": [], "rooms": [], "cars": []}
        for n in range(flights):
            data = f.flight_input(
                provider_id=air.id,
                flight_number=f"BA {100 + n}",
                departs_local=f"{day}T08:30",
                arrives_local=f"{day}T17:05",
                cabins={
                    "economy": {"fare": "199.00", "seats_total": "150", "seats_available": "150"}
                },
            )
            ids["flights"].append(listings.create_listing("flight", data, None).id)
        for n in range(hotels):
            data = f.hotel_input(provider_id=inn.id, name=f"Bench Inn {n}")
            data["rooms"] = [{"name": "King", "beds": "1 king bed", "capacity": "2",
                              "room_count": "20", "price_per_night": "150.00"}]  # fmt: skip
            hotel = listings.create_listing("hotel", data, None)
            ids["rooms"].append((hotel.id, hotel.rooms[0].id))
        for _ in range(cars):
            ids["cars"].append(
                listings.create_listing("car", f.car_input(provider_id=rent.id), None).id
            )
        db.session.commit()
        from app.users.models import User

        users = []
        for n in range(50):
            user = User(kind="traveler", email=f"bench{n}@example.com", first_name="Bench",
                        last_name=f"User{n}")  # fmt: skip
            db.session.add(user)
            users.append(user)
        db.session.commit()
        ids["users"] = [u.id for u in users]
    ids["day"] = day.isoformat()
    return ids


def client_process(ids, clients, first, seconds, start_at, queue):
    environment()
    from app import create_app
    from app.bookings import services
    from app.extensions import db
    from app.payments.cards import check_card
    from app.users.models import User

    app = create_app("development")
    card = check_card("4242424242424242", "12/30", "123")
    day = date.fromisoformat(ids["day"])
    results = []

    def run(n):
        latencies, sold_out, errors = [], 0, 0
        with app.app_context():
            user = db.session.get(User, ids["users"][n % len(ids["users"])])
            db.session.commit()
            while time.time() < start_at:
                time.sleep(0.005)
            i = 0
            while time.time() < start_at + seconds:
                i += 1
                pick = (n + i) % 3
                if pick == 0:
                    req = services.BookingRequest(
                        "flight", flight_ids=[ids["flights"][(n + i) % len(ids["flights"])]],
                        cabin="economy", travelers=1 + i % 2,
                    )  # fmt: skip
                elif pick == 1:
                    hotel_id, room_id = ids["rooms"][(n + i) % len(ids["rooms"])]
                    check_in = day + timedelta(days=i % 20)
                    req = services.BookingRequest(
                        "hotel", hotel_id=hotel_id, room_type_id=room_id, check_in=check_in,
                        check_out=check_in + timedelta(days=1 + i % 3),
                    )  # fmt: skip
                else:
                    pickup = datetime.combine(day, datetime.min.time()) + timedelta(
                        hours=(n * 97 + i * 13) % 2000
                    )
                    req = services.BookingRequest(
                        "car", car_id=ids["cars"][(n + i) % len(ids["cars"])], pickup_at=pickup,
                        dropoff_at=pickup + timedelta(hours=20 + i % 50),
                    )  # fmt: skip
                began = time.perf_counter()
                key = f"b{first + n}-{i}"
                try:
                    booking = services.hold(
                        user, req, [services.TravelerInput("Bench", "User")] * req.people,
                        "bench@example.com", None, key,
                    )  # fmt: skip
                    services.pay(
                        booking, user, services.CardChoice(card=card, holder_name="B"), key
                    )
                    latencies.append(time.perf_counter() - began)
                except services.SoldOut:
                    sold_out += 1
                    db.session.rollback()
                except Exception as exc:  # noqa: BLE001  (counted and printed)
                    errors += 1
                    db.session.rollback()
                    if errors <= 2:
                        print(f"client {first + n}: {type(exc).__name__}: {exc}"[:300], flush=True)
            db.session.remove()
        results.append((latencies, sold_out, errors))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(results)


def oversells() -> dict[str, int]:
    environment()
    from app import create_app
    from app.extensions import db

    app = create_app("development")
    checks = {
        "seats": "SELECT COUNT(*) FROM flight_cabins "
        "WHERE seats_available < 0 OR seats_available > seats_total",
        "seats_sold_vs_booked": """SELECT COUNT(*) FROM flight_cabins c
            WHERE c.seats_total - c.seats_available <> (
              SELECT COALESCE(SUM(i.seats), 0) FROM booking_items i
              JOIN bookings b ON b.id = i.booking_id
              WHERE i.cabin_id = c.id AND b.status IN ('held', 'confirmed'))""",
        "room_nights": """SELECT COUNT(*) FROM room_nights n
            JOIN room_types r ON r.id = n.room_type_id
            WHERE n.booked > r.room_count""",
        "car_overlaps": """SELECT COUNT(*) FROM car_reservations a JOIN car_reservations b
            ON a.car_id = b.car_id AND a.id < b.id AND a.active AND b.active
            AND a.pickup_at < b.dropoff_at AND b.pickup_at < a.dropoff_at""",
        "confirmed_without_one_payment": """SELECT COUNT(*) FROM bookings b
            WHERE b.status = 'confirmed' AND (SELECT COUNT(*) FROM payments p
              WHERE p.booking_id = b.id AND p.status = 'succeeded') <> 1""",
    }
    with app.app_context():
        return {name: int(db.session.scalar(sa.text(sql))) for name, sql in checks.items()}


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--procs", type=int, default=4)
    args = parser.parse_args()
    ids = prepare(flights=4, hotels=4, cars=12)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    start_at = time.time() + 6
    per = [
        args.clients // args.procs + (1 if p < args.clients % args.procs else 0)
        for p in range(args.procs)
    ]
    procs, first = [], 0
    for count in per:
        proc = ctx.Process(
            target=client_process, args=(ids, count, first, args.seconds, start_at, queue)
        )
        proc.start()
        procs.append(proc)
        first += count
    results = []
    for _ in procs:
        results.extend(queue.get())
    for proc in procs:
        proc.join()
    latencies = [x for r in results for x in r[0]]
    sold_out = sum(r[1] for r in results)
    errors = sum(r[2] for r in results)
    over = oversells()
    print(f"machine: {machine()}")
    print(f"clients: {args.clients} in {args.procs} processes, {args.seconds:.0f} s, MySQL + Redis")
    print(
        f"bookings confirmed: {len(latencies)}  "
        f"({len(latencies) / args.seconds:.1f} bookings/s end to end)"
    )
    print(f"hold+pay+confirm latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {pct(latencies, 0.95) * 1000:.0f} ms")  # fmt: skip
    print(f"refused as sold out: {sold_out}; errors: {errors}")
    print(f"oversells: {sum(over.values())}  {over}")
    return 1 if sum(over.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
