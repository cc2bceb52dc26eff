"""A warm listing page never waits on the document store, and every write that
changes what the page shows retires its cached parts at once (real Redis)."""

import pytest

from app.extensions import db, events, mongo
from app.listings import media, queries, reviews, services
from tests.listings.conftest import jpeg

REVIEW = {"rating": "5", "title": "Spotless", "trip_date": "2026-08",
          "text": "Quiet rooms, helpful staff and a great breakfast."}  # fmt: skip


class NoDocumentStore:
    """Stands in for the database handle: any use fails the request."""

    def __getattr__(self, name):
        raise AssertionError(f"the document store was used: db.{name}")

    __getitem__ = __getattr__


@pytest.fixture()
def no_documents(monkeypatch):
    """Within the block, any document-store access raises."""

    class Guard:
        def __enter__(self):
            monkeypatch.setattr(mongo, "_db", NoDocumentStore())

        def __exit__(self, *exc):
            monkeypatch.undo()

    return Guard()


def test_a_warm_listing_page_makes_no_document_store_round_trip(
    login_as, make_user, hotel, no_documents
):
    author = login_as(make_user("traveler", first_name="Ana", last_name="Lima"))
    assert author.form(f"/hotels/{hotel.id}/reviews", REVIEW).status_code == 303
    media.add_photo(hotel, jpeg(), "front.jpg", "Front", None)
    db.session.commit()

    visitor, traveler = login_as(None), login_as(make_user("traveler"))
    for client in (visitor, traveler, author):
        assert client.get(f"/hotels/{hotel.id}").status_code == 200  # warms the cache
    with no_documents:
        for client in (visitor, traveler, author):
            html = client.get(f"/hotels/{hotel.id}").get_data(as_text=True)
            assert "Spotless" in html and "Ana L." in html
            assert "/media/" in html  # the photo
        assert "You have already reviewed this listing." in html  # the author, from cache
    assert visitor.get(f"/hotels/{hotel.id}/reviews?sort=helpful").status_code == 200
    with no_documents:
        assert visitor.get(f"/hotels/{hotel.id}/reviews?sort=helpful").status_code == 200


def test_writes_retire_the_cached_parts_at_once(login_as, make_user, hotel, car):
    visitor = login_as(None)
    assert "No reviews yet" in visitor.get(f"/hotels/{hotel.id}").get_data(as_text=True)

    author = login_as(make_user("traveler", first_name="Ana", last_name="Lima"))
    author.form(f"/hotels/{hotel.id}/reviews", REVIEW)
    html = visitor.get(f"/hotels/{hotel.id}").get_data(as_text=True)
    assert "Spotless" in html and "0 found this helpful" in html

    voter = login_as(make_user("traveler"))
    review_id = reviews.collection().find_one({"listing_id": hotel.id})["_id"]
    voter.form(f"/reviews/{review_id}/helpful")
    assert "1 found this helpful" in visitor.get(f"/hotels/{hotel.id}").get_data(as_text=True)

    assert "/media/" not in visitor.get(f"/hotels/{hotel.id}").get_data(as_text=True)
    photo = media.add_photo(hotel, jpeg(), "front.jpg", "Front", None)
    db.session.commit()
    assert "/media/" in visitor.get(f"/hotels/{hotel.id}").get_data(as_text=True)
    media.remove_photo(hotel, photo["_id"])
    assert "/media/" not in visitor.get(f"/hotels/{hotel.id}").get_data(as_text=True)

    assert '"y": 64.0' in visitor.get(f"/cars/{car.id}").get_data(as_text=True)
    services.update_listing(car, {"daily_price": "59.00"}, None)
    db.session.commit()
    html = visitor.get(f"/cars/{car.id}").get_data(as_text=True)
    assert "$59.00" in html and '"y": 59.0' in html  # the price and the chart


def test_a_deleted_author_is_unnamed_on_the_cached_page(login_as, make_user, hotel):
    ana = make_user("traveler", first_name="Ana", last_name="Lima")
    login_as(ana).form(f"/hotels/{hotel.id}/reviews", REVIEW)
    visitor = login_as(None)
    assert "Ana L." in visitor.get(f"/hotels/{hotel.id}").get_data(as_text=True)
    events.handler("users.forget_deleted_user").func({"key": str(ana.id)})
    html = visitor.get(f"/hotels/{hotel.id}").get_data(as_text=True)
    assert "Ana L." not in html and "Former traveler" in html


def test_the_page_still_answers_when_redis_is_away(client, car, monkeypatch):
    from app.extensions import queues

    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("redis is down")

            return fail

    monkeypatch.setattr(queues, "redis", Down())
    html = client.get(f"/cars/{car.id}").get_data(as_text=True)
    assert "Toyota" in html
    assert queries.catalogue_version("car") == -1


def test_anonymous_visitors_share_one_page_without_a_session(
    login_as, make_user, hotel, no_documents, monkeypatch
):
    from app.listings import queries as q

    first = login_as(None).get(f"/hotels/{hotel.id}")
    assert first.status_code == 200
    assert "X-CSRFToken" not in first.get_data(as_text=True)  # no session's token inside
    assert "Set-Cookie" not in first.headers
    # The second visitor's page comes whole from Redis: not even MySQL is asked.
    monkeypatch.setattr(q, "get_listing", lambda *a, **k: pytest.fail("MySQL was read"))
    with no_documents:
        again = login_as(None).get(f"/hotels/{hotel.id}")
    assert again.get_data() == first.get_data()
    monkeypatch.undo()

    # Signed-in travelers get their own page (their token, their review form).
    traveler = login_as(make_user("traveler"))
    assert "X-CSRFToken" in traveler.get(f"/hotels/{hotel.id}").get_data(as_text=True)
    # Unknown query arguments are served fresh, never stored.
    assert login_as(None).get(f"/hotels/{hotel.id}?utm=x").status_code == 200
    assert not list(q.queues.redis.scan_iter(f"*listing-page:hotel:{hotel.id}:utm*"))


def test_a_deleted_listing_is_404_even_when_its_page_was_cached(client, car):
    assert client.get(f"/cars/{car.id}").status_code == 200
    services.delete_listing(car, None)
    db.session.commit()
    assert client.get(f"/cars/{car.id}").status_code == 404


def test_a_pending_message_is_shown_not_cached(client, car):
    assert client.get(f"/cars/{car.id}").status_code == 200  # cached
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "You are signed out.")]
    assert "You are signed out." in client.get(f"/cars/{car.id}").get_data(as_text=True)
    assert "You are signed out." not in client.get(f"/cars/{car.id}").get_data(as_text=True)


def test_a_shared_page_is_served_from_memory_for_a_moment_then_checked_again(
    app, client, car, monkeypatch
):
    from app.extensions import queues
    from app.listings import queries as q

    monkeypatch.setitem(app.config, "LISTING_PAGE_MEMO_SECONDS", 0.5)
    assert client.get(f"/cars/{car.id}").status_code == 200  # built and stored
    assert client.get(f"/cars/{car.id}").status_code == 200  # checked in Redis, remembered
    with monkeypatch.context() as patch:
        patch.setattr(queues, "redis", None)  # any Redis call would fail
        assert "Toyota" in client.get(f"/cars/{car.id}").get_data(as_text=True)
    # A write in another process (a raw INCR, not this process's bump) shows once
    # the moment has passed; a write in this process shows at once.
    queues.redis.incr(q.version_key("car"))
    monkeypatch.setattr(q.time, "monotonic", lambda: 10**9)
    monkeypatch.setattr(q, "get_listing", lambda *a, **k: pytest.fail("rebuilt"))
    with pytest.raises(pytest.fail.Exception, match="rebuilt"):
        client.get(f"/cars/{car.id}")
