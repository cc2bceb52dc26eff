"""`flask seed`: a coherent world, deterministic and idempotent, on the real servers.

Most tests load the internal "tiny" scale into MySQL/FerretDB (a second or
two); one runs the real command at demo scale on SQLite, as `make run` does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT, TEST_DB_NAME

SEED = 5
TENTH = Decimal("0.1")


@pytest.fixture()
def seeded(app_ctx):
    from app.listings import seed

    return seed.run("tiny", SEED, progress=False)


def counts() -> dict[str, int]:
    from app.extensions import db, mongo
    from app.listings.models import Car, Flight, FlightCabin, Hotel, PriceChange, Provider, RoomType
    from app.users.models import User

    db.session.rollback()  # a fresh snapshot: the seed commits on its own connections
    models = (Provider, User, Hotel, RoomType, Car, Flight, FlightCabin, PriceChange)
    found = {
        m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in models
    }
    found["reviews"] = mongo.db.reviews.count_documents({})
    return found


def test_tiny_scale_fills_every_part(seeded):
    found = counts()
    assert all(found[name] > 0 for name in found), found
    assert found["flight_cabins"] > found["flights"]  # every departure has cabins
    added = defaultdict(int)
    for phase in seeded.phases:
        for table, n in phase.rows.items():
            added[table] += n
    assert added == found


def test_flights_are_coherent(seeded):
    from app.core.validation import airports
    from app.extensions import db
    from app.listings.models import CABINS, Flight, to_local
    from app.listings.seed import km_between
    from app.listings.validation import FLIGHT_NUMBER

    known = airports()
    flights = db.session.scalars(sa.select(Flight)).all()
    local_times = defaultdict(set)
    order = list(CABINS)
    for f in flights:
        assert f.origin != f.destination
        assert f.origin in known and f.destination in known
        assert FLIGHT_NUMBER.fullmatch(f.flight_number.replace(" ", ""))
        assert f.arrives_at > f.departs_at
        assert (f.arrives_at - f.departs_at) == timedelta(minutes=f.duration_minutes)
        a, b = known[f.origin], known[f.destination]
        km = km_between(a["lat"], a["lon"], b["lat"], b["lon"])
        # ~800 km/h plus 30 minutes on the ground and climbing, give or take the wind.
        assert km / 900 * 60 + 20 <= f.duration_minutes <= km / 700 * 60 + 45, (f.title, km)
        assert f.departs_at.date() >= date.today() - timedelta(days=1)
        fares = [c.fare for c in sorted(f.cabins, key=lambda c: order.index(c.cabin))]
        assert fares == sorted(fares) and len(set(fares)) == len(fares), f.title
        assert fares[0] >= Decimal("20")
        for c in f.cabins:
            assert 0 <= c.seats_available <= c.seats_total
        local_times[f.flight_number].add(to_local(f.departs_at, a["tz"]).strftime("%H:%M"))
    # A flight number leaves at the same local time every day, whatever the UTC offset.
    assert all(len(times) == 1 for times in local_times.values()), local_times
    assert {f.refund_rule for f in flights} >= {"non_refundable", "refundable_fee"}


def test_hotels_cars_and_travelers_pass_the_apps_own_checks(seeded):
    from app.auth.passwords import verify_password
    from app.core import validation as common
    from app.extensions import db
    from app.listings import services
    from app.listings.models import Car, Flight, Hotel
    from app.listings.seed import DEMO_PASSWORD
    from app.listings.validation import AMENITIES, CLEANERS
    from app.users.models import User

    for model in (Hotel, Car, Flight):
        for listing in db.session.scalars(sa.select(model).limit(15)):
            CLEANERS[listing.kind](services.as_input(listing))  # raises Invalid if not

    for h in db.session.scalars(sa.select(Hotel)):
        assert common.us_state(h.state) == h.state
        assert re.fullmatch(r"\d{5}", h.zip_code)
        assert 1 <= h.stars <= 5
        assert set(h.amenities) <= set(AMENITIES)
        assert h.rooms and all(r.price_per_night > 0 and r.room_count > 0 for r in h.rooms)
        assert common.city(h.city) == h.city
    for c in db.session.scalars(sa.select(Car)):
        assert c.year <= date.today().year
        assert common.us_state(c.pickup_state) == c.pickup_state
        assert re.fullmatch(r"\d{5}", c.pickup_zip)
    travelers = db.session.scalars(sa.select(User)).all()
    assert {u.kind for u in travelers} == {"traveler"}
    assert len({u.email for u in travelers}) == len(travelers)
    assert len({u.password_hash for u in travelers}) == 1  # hashed once, shared
    assert verify_password(travelers[0].password_hash, DEMO_PASSWORD)
    for u in travelers:
        assert common.phone_number(u.phone) == u.phone
        assert common.us_state(u.state) == u.state and re.fullmatch(r"\d{5}", u.zip_code)
        assert re.fullmatch(r"[a-z]+\.[a-z]+\.\d+@example\.com", u.email)


def test_ratings_match_the_reviews(seeded):
    from app.extensions import db, mongo
    from app.listings.models import MODELS
    from app.users.models import User

    docs = list(mongo.db.reviews.find())
    assert docs
    fields = {"_id", "listing_kind", "listing_id", "listing_title", "author_id", "author_name",
              "rating", "title", "text", "trip_date", "created_at", "helpful"}  # fmt: skip
    assert all(set(d) == fields for d in docs)  # the shape reviews.add_review writes
    pairs = [(d["listing_kind"], d["listing_id"], d["author_id"]) for d in docs]
    assert len(set(pairs)) == len(pairs)
    travelers = set(db.session.scalars(sa.select(User.id).where(User.kind == "traveler")))
    assert {d["author_id"] for d in docs} <= travelers
    by_listing = defaultdict(list)
    for d in docs:
        assert 1 <= d["rating"] <= 5 and len(d["text"]) >= 20
        assert d["trip_date"] <= d["created_at"]
        by_listing[(d["listing_kind"], d["listing_id"])].append(d["rating"])
    for kind, model in MODELS.items():
        for listing in db.session.scalars(sa.select(model)):
            ratings = by_listing.get((kind, listing.id), [])
            assert listing.review_count == len(ratings), listing.title
            expected = Decimal("0")
            if ratings:
                expected = (Decimal(sum(ratings)) / len(ratings)).quantize(TENTH, ROUND_HALF_UP)
            assert listing.rating == expected, listing.title


def test_reviews_follow_quality(app_ctx):
    """Five-star hotels are rated better than one- and two-star ones."""
    from app.listings import seed

    world = seed.Seeder("demo", SEED)
    hotels = world.plan_hotels()
    by_stars = defaultdict(list)
    for h in hotels:
        by_stars[h["stars"] >= 4].extend(h["_reviews"].ratings)
    assert sum(by_stars[True]) / len(by_stars[True]) > sum(by_stars[False]) / len(by_stars[False])


def test_price_history_has_the_current_price_and_some_earlier_ones(seeded):
    from app.extensions import db
    from app.listings import queries
    from app.listings.models import Car, FlightCabin, PriceChange, RoomType

    rows = db.session.scalars(sa.select(PriceChange)).all()
    items = defaultdict(list)
    for r in rows:
        items[(r.item_kind, r.item_id)].append(r)
    assert len(items) == (
        db.session.scalar(sa.select(sa.func.count()).select_from(FlightCabin))
        + db.session.scalar(sa.select(sa.func.count()).select_from(RoomType))
        + db.session.scalar(sa.select(sa.func.count()).select_from(Car))
    )
    assert any(len(history) > 1 for history in items.values())
    newest = max(r.recorded_at for r in rows)
    assert all(newest - r.recorded_at <= timedelta(days=61) for r in rows)
    car = db.session.scalars(sa.select(Car)).first()
    assert queries.latest_prices("car", car.id)[("car", car.id)] == car.daily_price
    cabin = db.session.scalars(sa.select(FlightCabin)).first()
    latest = queries.latest_prices("flight", cabin.flight_id)
    assert latest[("cabin", cabin.id)] == cabin.fare


def test_no_events_and_fresh_cache_versions(app_ctx):
    from app.core.models import OutboxEvent
    from app.extensions import db
    from app.listings import queries, seed

    before = {kind: queries.catalogue_version(kind) for kind in ("flight", "hotel", "car")}
    seed.run("tiny", SEED, progress=False)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEvent)) == 0
    assert all(queries.catalogue_version(k) == before[k] + 1 for k in before)


def test_rerunning_adds_nothing(seeded):
    from app.listings import seed

    first = counts()
    again = seed.run("tiny", SEED, progress=False)
    assert again.rows == 0
    assert counts() == first


def test_same_seed_same_world_other_seed_other_world(app_ctx):
    from app.listings import seed

    def sample(number):
        world = seed.Seeder("tiny", number, start=date(2027, 3, 1))
        departures = world.departures(world.plan_services())
        flights = [
            (f["flight_number"], f["origin"], f["destination"], f["departs_at"])
            for _, f in zip(range(10), departures, strict=False)
        ]
        hotels = [h["name"] for h in world.plan_hotels()[:10]]
        cars = [(c["brand"], c["model"], c["daily_price"]) for c in world.plan_cars()[:10]]
        return flights, hotels, cars

    assert sample(SEED) == sample(SEED)
    other = sample(SEED + 1)
    assert all(a != b for a, b in zip(sample(SEED), other, strict=True))


def test_two_seeds_live_side_by_side(app_ctx):
    from app.extensions import db
    from app.listings import seed
    from app.listings.models import Hotel

    seed.run("tiny", 1, progress=False)
    one = counts()
    seed.run("tiny", 2, progress=False)
    db.session.rollback()
    keys = db.session.scalars(sa.select(Hotel.seed_key)).all()
    assert {k.split(":")[1] for k in keys} == {"1", "2"}
    assert counts()["hotels"] == 2 * one["hotels"]


SQLITE_SCRIPT = """
import json, sqlite3, sys
from flask_migrate import upgrade
from app import create_app
from app.extensions import mongo

app = create_app()
TABLES = ("hotels", "cars", "flights", "flight_cabins", "users", "price_history")
with app.app_context():
    upgrade(directory="migrations")
    runner = app.test_cli_runner()
    found = []
    for _ in range(2):
        result = runner.invoke(args=["seed", "--scale", "demo", "--seed", "3", "--quiet"])
        assert result.exit_code == 0, (result.output, result.exception)
        with sqlite3.connect(sys.argv[1]) as conn:
            sql = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}
        found.append({**sql, "reviews": mongo.db.reviews.count_documents({}),
                      "output": result.output})
    mongo.client.drop_database(mongo.db.name)
    print(json.dumps(found))
"""


def test_flask_seed_demo_on_sqlite(tmp_path):
    """The command as `make run` uses it: on SQLite, twice, and nothing doubles."""
    database = tmp_path / "kayak.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "MONGO_DB": f"{TEST_DB_NAME}_seed_sqlite",
        "KAYAK_INSTANCE_PATH": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-c", SQLITE_SCRIPT, str(database)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    first, second = json.loads(done.stdout.strip().splitlines()[-1])
    assert "rows/s" in first.pop("output") and "existed" in second.pop("output")
    assert first["hotels"] == 200 and first["flights"] > 300 and first["reviews"] > 100
    assert second == first


def test_seed_refuses_to_run_in_production(app):
    from app.listings.cli import seed_command

    runner = app.test_cli_runner()
    app.config["APP_ENV"] = "production"
    try:
        result = runner.invoke(seed_command, ["--scale", "demo", "--quiet"])
    finally:
        app.config["APP_ENV"] = "testing"
    assert result.exit_code != 0
    assert "development, demos and load tests" in result.output
