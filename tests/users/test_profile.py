"""A traveler's own account: profile, photo, preferences, loyalty, reviews."""

import io
import json
from datetime import datetime

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD

PROFILE = {
    "first_name": "Ana",
    "last_name": "López",
    "email": "ana@example.com",
    "phone": "(408) 555-0134",
    "address": "201 S 4th St, Apt 5",
    "city": "San Jose",
    "state": "california",
    "zip_code": "95112",
}


def outbox(type_):
    from app.core.models import OutboxEvent
    from app.extensions import db

    rows = db.session.scalars(
        sa.select(OutboxEvent).where(OutboxEvent.type == type_).order_by(OutboxEvent.seq)
    )
    return [json.loads(r.envelope) for r in rows]


@pytest.fixture()
def ana(make_user):
    return make_user(email="ana@example.com", first_name="Ana", last_name="López")


def test_profile_is_saved_normalised_and_published(login_as, ana, app_ctx):
    from app.extensions import db

    client = login_as(ana)
    response = client.form("/account/profile", PROFILE)
    assert response.status_code == 303
    db.session.refresh(ana)
    assert (ana.phone, ana.state, ana.city, ana.zip_code) == (
        "+14085550134",
        "CA",
        "San Jose",
        "95112",
    )
    assert ana.profile_complete
    (event,) = outbox("user.updated")
    assert sorted(event["data"]["changed"]) == ["address", "city", "phone", "state", "zip_code"]
    assert "408" not in json.dumps(event) and "San Jose" not in json.dumps(event)
    page = client.get("/account").get_data(as_text=True)
    assert "(408) 555-0134" in page and "San Jose, CA 95112" in page
    assert "Finish your profile" not in page


def test_saving_nothing_new_publishes_nothing(login_as, ana, app_ctx):
    client = login_as(ana)
    client.form("/account/profile", PROFILE)
    client.form("/account/profile", PROFILE)
    assert len(outbox("user.updated")) == 1


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("first_name", "", "Enter your first name."),
        ("last_name", "Sm1th", "The last name can have letters"),
        ("email", "ana@@example.com", "invalid characters"),
        ("phone", "555", "phone number"),
        ("phone", "phone me", "digits, spaces, dashes"),
        ("address", "x", "Enter the street address"),
        ("city", "12345", "Use letters for the city"),
        ("state", "Cal", "is not a US state"),
        ("state", "ZZ", "is not a US state"),
        ("zip_code", "1234", "5 digits (95192) or ZIP+4"),
        ("zip_code", "12345-12", "5 digits (95192) or ZIP+4"),
    ],
)
def test_each_bad_field_gets_its_own_message(login_as, ana, field, value, message):
    response = login_as(ana).form("/account/profile", {**PROFILE, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_an_address_needs_all_four_parts(login_as, ana):
    data = {**PROFILE, "city": "", "zip_code": ""}
    text = login_as(ana).form("/account/profile", data).get_data(as_text=True)
    assert "Enter the city too: an address needs all four parts." in text
    assert "Enter the ZIP code too" in text


def test_address_may_be_left_out_entirely(login_as, ana):
    data = {**PROFILE, "address": "", "city": "", "state": "", "zip_code": "", "phone": ""}
    assert login_as(ana).form("/account/profile", data).status_code == 303


def test_changing_email_needs_the_password_and_a_free_address(login_as, ana, make_user, app_ctx):
    from app.extensions import db, mongo

    make_user(email="taken@example.com")
    client = login_as(ana)
    no_pw = client.form("/account/profile", {**PROFILE, "email": "new@example.com"})
    assert "Enter your current password to change your email." in no_pw.get_data(as_text=True)
    wrong = client.form(
        "/account/profile", {**PROFILE, "email": "new@example.com", "current_password": "nope"}
    )
    assert "That is not your current password." in wrong.get_data(as_text=True)
    taken = client.form(
        "/account/profile",
        {**PROFILE, "email": "Taken@Example.com", "current_password": PASSWORD},
    )
    assert "An account with this email address already exists." in taken.get_data(as_text=True)
    ok = client.form(
        "/account/profile", {**PROFILE, "email": "new@example.com", "current_password": PASSWORD}
    )
    assert ok.status_code == 303
    db.session.refresh(ana)
    assert ana.email == "new@example.com"
    notice = mongo.db.mail_outbox.find_one({"to": "ana@example.com"})
    assert "new@example.com" in notice["body"]


def png(width=400, height=300, color=(200, 40, 40), fmt="PNG"):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, fmt)
    return buffer.getvalue()


def test_photo_is_cropped_resized_and_served_only_to_its_owner(login_as, ana, make_user, app_ctx):
    from PIL import Image

    client = login_as(ana)
    response = client.form(
        "/account/photo",
        {"photo": (io.BytesIO(png(1200, 800)), "me.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    served = client.get("/account/photo")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert "private" in served.headers["Cache-Control"]
    assert Image.open(io.BytesIO(served.data)).size == (320, 320)
    assert (
        client.get("/account/photo", headers={"If-None-Match": served.headers["ETag"]}).status_code
        == 304
    )
    assert login_as(make_user()).get("/account/photo").status_code == 404
    assert client.form("/account/photo/delete").status_code == 303
    assert client.get("/account/photo").status_code == 404


@pytest.mark.parametrize(
    "payload, name, message",
    [
        (b"not an image at all", "me.png", "couldn&#39;t read this file as an image"),
        (b"", "me.png", "The file is empty; choose a photo."),
        (png(20, 20), "tiny.png", "too small"),
        (png(fmt="BMP"), "me.bmp", "Upload a JPEG, PNG, WebP or GIF image."),
    ],
)
def test_bad_photos_get_specific_messages(login_as, ana, payload, name, message):
    client = login_as(ana)
    response = client.form(
        "/account/photo", {"photo": (io.BytesIO(payload), name)}, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    assert message in client.get("/account").get_data(as_text=True)


def test_photo_larger_than_5_mb_is_refused(login_as, ana):
    client = login_as(ana)
    big = png() + b"\0" * (5 * 1024 * 1024)
    client.form(
        "/account/photo",
        {"photo": (io.BytesIO(big), "big.png")},
        content_type="multipart/form-data",
    )
    assert "larger than 5 MB" in client.get("/account").get_data(as_text=True)


def test_preferences_and_their_messages(login_as, ana, app_ctx):
    from app.extensions import db

    client = login_as(ana)
    ok = client.form(
        "/account/preferences",
        {"home_airport": "sjc", "cabin_class": "business", "seat_preference": "aisle"},
    )
    assert ok.status_code == 303
    db.session.refresh(ana)
    assert (ana.home_airport, ana.cabin_class, ana.seat_preference) == ("SJC", "business", "aisle")
    bad = client.form(
        "/account/preferences",
        {"home_airport": "QQQ", "cabin_class": "cargo", "seat_preference": "roof"},
    ).get_data(as_text=True)
    assert "QQQ is not an airport code we know" in bad
    assert "Choose a cabin from the list." in bad
    assert "Choose window, aisle or middle." in bad
    assert "San Jose" in client.get("/account").get_data(as_text=True)


def test_loyalty_numbers_add_list_and_remove(login_as, ana, make_user, app_ctx):
    from app.extensions import db
    from app.users.models import LoyaltyAccount

    client = login_as(ana)
    assert (
        client.form(
            "/account/loyalty", {"program": "United MileagePlus", "number": "ab 123 456"}
        ).status_code
        == 303
    )
    dup = client.form("/account/loyalty", {"program": "united mileageplus", "number": "XY998877"})
    assert "You already saved a number for this program." in dup.get_data(as_text=True)
    bad = client.form("/account/loyalty", {"program": "", "number": "1"}).get_data(as_text=True)
    assert "Enter the loyalty program" in bad and "4 to 30 letters and digits" in bad
    account = db.session.scalar(sa.select(LoyaltyAccount))
    assert account.number == "AB123456"
    page = client.get("/account/preferences").get_data(as_text=True)
    assert "United MileagePlus" in page and "••••3456" in page
    # Somebody else can't remove it.
    assert login_as(make_user()).form(f"/account/loyalty/{account.id}/delete").status_code == 404
    assert client.form(f"/account/loyalty/{account.id}/delete").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoyaltyAccount)) == 0


def add_review(author_id, **fields):
    import uuid

    from app.extensions import mongo

    doc = {
        "_id": uuid.uuid4().hex,
        "author_id": author_id,
        "listing_title": "Hotel Valencia Santana Row",
        "listing_kind": "hotel",
        "title": "Great stay",
        "rating": 4,
        "text": "Quiet rooms and a rooftop bar.",
        "created_at": datetime(2026, 10, 1),
        **fields,
    }
    return mongo.db.reviews.insert_one(doc).inserted_id


def test_own_reviews_are_listed_newest_first(login_as, ana, make_user, app_ctx):
    other = make_user()
    add_review(ana.id, title="Older one", created_at=datetime(2026, 1, 1))
    add_review(ana.id, title="Newest one", created_at=datetime(2026, 11, 1))
    add_review(other.id, title="Not Ana's")
    page = login_as(ana).get("/account").get_data(as_text=True)
    assert page.index("Newest one") < page.index("Older one")
    assert "Not Ana&#39;s" not in page and "Not Ana's" not in page
    assert "★★★★☆" in page and "Hotel Valencia Santana Row" in page


def test_no_reviews_shows_an_empty_state(login_as, ana):
    assert "You haven't reviewed" in login_as(ana).get("/account").get_data(as_text=True)


def test_a_review_by_url_only_for_its_author(login_as, ana, make_user, app_ctx):
    review_id = add_review(ana.id)
    assert login_as(ana).get(f"/account/reviews/{review_id}").status_code == 200
    assert login_as(make_user()).get(f"/account/reviews/{review_id}").status_code == 404
    assert login_as(ana).get("/account/reviews/not-an-id").status_code == 404


def test_the_account_page_has_every_section(login_as, ana):
    page = login_as(ana).get("/account").get_data(as_text=True)
    for heading in (
        "Personal details",
        "Profile photo",
        "Payment cards",
        "Travel preferences",
        "Your reviews",
        "Delete your account",
    ):
        assert heading in page
