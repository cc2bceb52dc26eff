"""Result caching against the real Redis: cached per query and catalogue
version, retired at once by a listing write, and optional when Redis is away."""

from decimal import Decimal

import pytest

from app.extensions import db, queues
from app.listings import services
from app.listings.queries import catalogue_version
from app.search import queries, searches
from tests.search.conftest import flight_args


def cached_keys(app, kind):
    prefix = app.config["CACHE_KEY_PREFIX"]
    return sorted(k.decode() for k in queues.redis.scan_iter(f"{prefix}search:{kind}:*"))


def test_a_result_is_cached_and_a_price_change_shows_at_once(app, flight, monkeypatch):
    leg = flight("SFO", "JFK", "08:00", "16:30", number="100", fare="300.00")
    first = searches.flights(flight_args(), strip=False)
    assert first.refined.items[0].price == Decimal("300.00")
    version = catalogue_version("flight")
    keys = cached_keys(app, "flight")
    assert keys and all(f":v{version}:" in k for k in keys)

    # Served from Redis: the database is not asked again.
    with monkeypatch.context() as patch:
        patch.setattr(queries, "departures", lambda *a, **kw: pytest.fail("not cached"))
        again = searches.flights(flight_args(), strip=False)
    assert again.refined.items[0].price == Decimal("300.00")

    services.update_listing(
        leg,
        {"cabins": {"economy": {"fare": "199.00", "seats_total": "180", "seats_available": "50"}}},
        None,
    )
    db.session.commit()
    assert catalogue_version("flight") == version + 1
    after = searches.flights(flight_args(), strip=False)
    assert after.refined.items[0].price == Decimal("199.00")


def test_selling_out_removes_the_flight_at_once(flight):
    leg = flight("SFO", "JFK", "08:00", "16:30", number="100", seats=2)
    assert searches.flights(flight_args(travelers="2"), strip=False).refined.total == 1
    services.update_listing(
        leg,
        {"cabins": {"economy": {"fare": "200.00", "seats_total": "180", "seats_available": "1"}}},
        None,
    )
    db.session.commit()
    assert searches.flights(flight_args(travelers="2"), strip=False).refined.total == 0


def test_hotel_and_car_writes_retire_their_own_kind_only(app, hotel, car):
    stay = hotel()
    rental = car()
    from tests.search.conftest import DAY, iso

    hotel_args = {"where": "San Francisco, CA", "checkin": iso(DAY), "checkout": iso(DAY, 2)}
    car_args = {"where": "SFO", "pickup": f"{iso(DAY)}T10:00", "dropoff": f"{iso(DAY, 2)}T10:00"}
    assert searches.hotels(hotel_args).refined.items[0].nightly == Decimal("219.00")
    assert searches.cars(car_args).refined.items[0].daily == Decimal("64.00")
    car_version = catalogue_version("car")
    services.update_listing(
        stay,
        {
            "rooms": [
                {
                    "name": "Standard King",
                    "beds": "1 king bed",
                    "capacity": "2",
                    "room_count": "40",
                    "price_per_night": "189.00",
                }
            ]
        },
        None,
    )
    db.session.commit()
    assert catalogue_version("car") == car_version
    assert searches.hotels(hotel_args).refined.items[0].nightly == Decimal("189.00")
    services.update_listing(rental, {"available": "0"}, None)
    db.session.commit()
    assert searches.cars(car_args).refined.total == 0


def test_search_answers_from_the_database_when_redis_is_down(app, flight, monkeypatch):
    import redis

    flight("SFO", "JFK", "08:00", "16:30", number="100")
    dead = redis.Redis(
        host="127.0.0.1",
        port=1,
        socket_connect_timeout=0.2,
        retry=redis.retry.Retry(redis.backoff.NoBackoff(), 0),
    )
    with monkeypatch.context() as patch:
        patch.setitem(app.extensions, "search.redis", dead)
        patch.setattr(queries, "_paused_until", 0.0)
        outcome = searches.flights(flight_args())
        assert outcome.refined.total == 1 and outcome.strip
        assert queries._paused_until > 0  # the cache is skipped for a moment, not retried
    assert searches.flights(flight_args()).refined.total == 1


def test_the_rendered_results_are_cached_and_retired_with_the_catalogue(
    app, client, flight, monkeypatch
):
    from urllib.parse import urlencode

    from app.search import searches

    leg = flight("SFO", "JFK", "08:00", "16:30", number="100", fare="300.00")
    link = "/search/flights?" + urlencode(flight_args(stops="0"))
    assert "$300" in client.get(link).get_data(as_text=True)
    with monkeypatch.context() as patch:
        patch.setattr(searches, "outcome_for", lambda *a, **kw: pytest.fail("not cached"))
        html = client.get(link, headers={"HX-Request": "true"}).get_data(as_text=True)
        assert "$300" in html and "<html" not in html
        assert "$300" in client.get(link).get_data(as_text=True)  # the page around it
    services.update_listing(
        leg,
        {"cabins": {"economy": {"fare": "245.00", "seats_total": "180", "seats_available": "50"}}},
        None,
    )
    db.session.commit()
    html = client.get(link).get_data(as_text=True)
    assert "$245" in html and "$300" not in html


def test_anonymous_visitors_share_one_cached_page_and_every_view_is_tracked(
    app, flight, login_as, make_user, monkeypatch
):
    from urllib.parse import urlencode

    from app.extensions import activity

    leg = flight("SFO", "JFK", "08:00", "16:30", number="100", fare="300.00")
    url = "/search/flights?" + urlencode(flight_args())
    tracked = []
    monkeypatch.setattr(activity, "track", lambda *a, **kw: tracked.append(kw["data"]))

    first = login_as(None).get(url)
    assert first.status_code == 200 and "$300" in first.get_data(as_text=True)
    assert "X-CSRFToken" not in first.get_data(as_text=True)
    assert "Set-Cookie" not in first.headers  # no session for a shared page
    with monkeypatch.context() as patch:
        patch.setattr(queries, "departures", lambda *a, **kw: pytest.fail("not cached"))
        again = login_as(None).get(url)
    assert again.get_data() == first.get_data()
    assert len(tracked) == 2 and tracked[0] == tracked[1]
    assert tracked[0]["result_count"] == 1

    # A signed-in traveler gets their own frame (their token); a price change
    # retires the shared page at once.
    assert "X-CSRFToken" in login_as(make_user("traveler")).get(url).get_data(as_text=True)
    services.update_listing(
        leg,
        {"cabins": {"economy": {"fare": "199.00", "seats_total": "180", "seats_available": "50"}}},
        None,
    )
    db.session.commit()
    assert "$199" in login_as(None).get(url).get_data(as_text=True)
