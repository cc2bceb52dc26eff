"""Listing pages for travelers, on the real servers."""

import io

import pytest
import sqlalchemy as sa
from PIL import Image

from app.core.models import OutboxEvent
from app.extensions import db
from app.listings import media, reviews, services
from tests.listings.conftest import jpeg


def test_flight_page_shows_local_times_cabins_and_rules(client, flight):
    html = client.get(f"/flights/{flight.id}").get_data(as_text=True)
    assert "San Francisco → New York" in html
    assert "08:30" in html and "17:05" in html  # local times, not UTC
    assert "5h 35m" in html
    assert "$289.00" in html and "$1,450.00" in html
    assert "Refundable for a fee" in html
    assert "Photos coming soon" in html  # placeholder without photos
    assert "data-series=" in html  # price history chart


def test_hotel_and_car_pages(client, hotel, car):
    html = client.get(f"/hotels/{hotel.id}").get_data(as_text=True)
    assert "Harbor View Hotel" in html and "Standard King" in html and "$219.00" in html
    assert "Free Wi-Fi" in html and "Check-in from 15:00" in html
    html = client.get(f"/cars/{car.id}").get_data(as_text=True)
    assert "2025 Toyota RAV4" in html and "$64.00" in html and "SFO Rental Car Center" in html


def test_viewing_a_listing_tracks_listing_viewed_without_a_database_write(
    client, flight, monkeypatch
):
    from app.extensions import activity

    tracked = []
    monkeypatch.setattr(activity, "track", lambda *a, **kw: tracked.append((a, kw)))
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement.split(None, 1)[0].upper())

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(f"/flights/{flight.id}").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert [(a[0], kw["key"]) for a, kw in tracked] == [("listing.viewed", f"flight:{flight.id}")]
    assert statements and set(statements) <= {"SELECT", "ROLLBACK"}, statements
    db.session.rollback()
    viewed = sa.select(sa.func.count()).where(OutboxEvent.type == "listing.viewed")
    assert db.session.scalar(viewed) == 0


@pytest.mark.parametrize("path", ["/flights/999999", "/hotels/0", "/cars/abc", "/boats/1"])
def test_unknown_listings_are_404(client, app_ctx, path):
    assert client.get(path).status_code == 404


def test_deleted_listing_is_404(client, car):
    services.delete_listing(car, None)
    db.session.commit()
    assert client.get(f"/cars/{car.id}").status_code == 404


def test_traveler_reviews_once_and_rating_follows(login_as, make_user, hotel):
    alice = make_user("traveler", first_name="Alice", last_name="Wong")
    client = login_as(alice)
    review = {"rating": "4", "title": "Great view", "trip_date": "2026-08",
              "text": "Lovely room facing the bay, friendly staff."}  # fmt: skip
    response = client.form(f"/hotels/{hotel.id}/reviews", review)
    assert response.status_code == 303
    db.session.refresh(hotel)
    assert (hotel.review_count, str(hotel.rating)) == (1, "4.0")
    html = client.get(f"/hotels/{hotel.id}").get_data(as_text=True)
    assert "Great view" in html and "Alice W." in html
    assert "You have already reviewed this listing." in html

    again = client.form(f"/hotels/{hotel.id}/reviews", review)
    assert again.status_code == 422
    assert reviews.collection().count_documents({"listing_id": hotel.id}) == 1

    bob = login_as(make_user("traveler"))
    bob.form(f"/hotels/{hotel.id}/reviews", {**review, "rating": "1", "title": "Noisy"})
    db.session.refresh(hotel)
    assert (hotel.review_count, str(hotel.rating)) == (2, "2.5")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("rating", "9", "at most 5"),
        ("rating", "", "Enter the rating"),
        ("title", "", "Enter the title"),
        ("text", "meh", "at least 20 characters"),
        ("trip_date", "2099-01", "cannot be in the future"),
        ("trip_date", "last summer", "YYYY-MM"),
    ],
)
def test_bad_review_input_gets_a_specific_message(
    login_as, make_user, hotel, field, value, message
):
    client = login_as(make_user("traveler"))
    review = {"rating": "4", "title": "Fine", "trip_date": "2026-08",
              "text": "A perfectly fine stay in the city."}  # fmt: skip
    response = client.form(f"/hotels/{hotel.id}/reviews", {**review, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert reviews.collection().count_documents({}) == 0


def test_anonymous_visitors_cannot_review(client, hotel):
    response = client.post(f"/hotels/{hotel.id}/reviews", data={})
    assert response.status_code in (302, 400, 401)
    assert reviews.collection().count_documents({}) == 0


def test_reviews_page_and_sort_fragment(client, hotel, make_user):
    for n in range(12):
        user = make_user("traveler")
        reviews.add_review(hotel, user.id, f"Guest {n}",
                           {"rating": str(1 + n % 5), "title": f"Stay {n}", "trip_date": "2026-05",
                            "text": "Long enough review text for the test."})  # fmt: skip
    db.session.commit()
    reviews.collection().update_one({"title": "Stay 3"}, {"$set": {"helpful": 7}})
    first = client.get(f"/hotels/{hotel.id}/reviews?sort=newest").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Stay 11" in first and "Stay 0" not in first
    helpful = client.get(f"/hotels/{hotel.id}/reviews?sort=helpful").get_data(as_text=True)
    assert helpful.index("Stay 3") < helpful.index("Stay 11")
    second = client.get(f"/hotels/{hotel.id}/reviews?page=2").get_data(as_text=True)
    assert "Stay 0" in second


def test_photos_are_resized_stored_and_served_with_cache_headers(client, hotel):
    photo = media.add_photo(hotel, jpeg(3200, 2400), "lobby.jpg", "The lobby", actor="admin:1")
    assert (photo["width"], photo["height"]) == (1600, 1200)
    html = client.get(f"/hotels/{hotel.id}").get_data(as_text=True)
    assert f"/media/{photo['file_id']}" in html and "The lobby" in html
    response = client.get(f"/media/{photo['file_id']}")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert Image.open(io.BytesIO(response.data)).size == (1600, 1200)
    again = client.get(
        f"/media/{photo['file_id']}", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "data, message",
    [
        (b"not an image at all", "couldn't read this file"),
        (b"", "empty"),
    ],
)
def test_bad_photos_are_refused(app_ctx, hotel, data, message):
    from app.listings.validation import Invalid

    with pytest.raises(Invalid) as caught:
        media.add_photo(hotel, data, "x.jpg", "", actor=None)
    assert message in caught.value.errors["photo"]


def test_tiny_photos_are_refused(app_ctx, hotel):
    from app.listings.validation import Invalid

    with pytest.raises(Invalid, match="too small"):
        media.add_photo(hotel, jpeg(100, 80), "x.jpg", "", actor=None)


def test_unknown_media_is_404(client, app_ctx):
    assert client.get("/media/0123456789abcdef01234567").status_code == 404
    assert client.get("/media/not-an-id").status_code == 404


def test_a_review_shows_on_the_authors_account_with_a_link_back(login_as, make_user, hotel):
    ana = make_user("traveler")
    client = login_as(ana)
    client.form(f"/hotels/{hotel.id}/reviews", {"rating": "5", "title": "Loved it",
                "trip_date": "2026-07", "text": "Would stay here again next summer."})  # fmt: skip
    account = client.get("/account").get_data(as_text=True)
    assert "Loved it" in account
    assert f'href="/hotels/{hotel.id}"' in account
