"""Deleting an account: anonymised row, removed details, user.deleted, reviews unsigned."""

import json
from datetime import datetime

import sqlalchemy as sa

from tests.conftest import PASSWORD, csrf_token_for, wait_for


def test_delete_needs_password_and_confirmation(login_as, make_user):
    client = login_as(make_user())
    text = client.form("/account/delete", {}).get_data(as_text=True)
    assert "Enter your password to confirm." in text
    assert "Tick the box to confirm you want to delete your account." in text
    wrong = client.form("/account/delete", {"password": "nope", "confirm": "y"})
    assert "That is not your password." in wrong.get_data(as_text=True)
    assert client.get("/account").status_code == 200


def test_delete_anonymises_and_removes_personal_data(login_as, make_user, app_ctx):
    from app.core.audit import AuditEntry
    from app.core.models import OutboxEvent
    from app.extensions import db, mongo
    from app.users.models import LoyaltyAccount, PaymentCard, User, UserPhoto

    ana = make_user(
        email="ana@example.com",
        first_name="Ana",
        last_name="López",
        phone="+14085550134",
        address="1 Main St",
        city="San Jose",
        state="CA",
        zip_code="95112",
        home_airport="SJC",
    )
    client = login_as(ana)
    client.form(
        "/account/cards/new",
        {"holder_name": "Ana López", "number": "4242424242424242", "expiry": "08/30", "cvc": "123"},
    )
    client.form("/account/loyalty", {"program": "Delta SkyMiles", "number": "DL123456"})
    login_as(make_user("support")).form(
        f"/admin/users/{ana.id}/edit",
        {"first_name": "Ana", "last_name": "Lopez", "email": "ana@example.com"},
    )
    mongo.db.mail_outbox.insert_one(
        {"to": "ana@example.com", "subject": "x", "body": "x", "created_at": datetime(2026, 1, 1)}
    )

    response = client.form("/account/delete", {"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 303
    assert client.get("/account").status_code == 302  # signed out

    user = db.session.get(User, ana.id)
    assert user.email == f"deleted-{ana.id}@deleted.invalid"
    assert (user.first_name, user.last_name) == ("Deleted", "account")
    for name in ("phone", "address", "city", "state", "zip_code", "home_airport", "password_hash"):
        assert getattr(user, name) is None, name
    assert user.deleted_at is not None and not user.is_active
    for model in (PaymentCard, LoyaltyAccount, UserPhoto):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.target_id == str(ana.id)))
    assert "López" not in (entry.before or "") and "[redacted]" in entry.before
    assert mongo.db.mail_outbox.count_documents({"to": "ana@example.com"}) == 0
    event = db.session.scalar(sa.select(OutboxEvent).where(OutboxEvent.type == "user.deleted"))
    assert event.key == str(ana.id) and "ana" not in json.loads(event.envelope)["data"]
    # The address is free again, and the old password opens nothing.
    signin = client.post(
        "/auth/signin",
        data={
            "csrf_token": csrf_token_for(client),
            "email": "ana@example.com",
            "password": PASSWORD,
        },
    )
    assert "Email or password is incorrect." in signin.get_data(as_text=True)


def test_deleted_accounts_show_as_deleted_to_admins(login_as, make_user):
    ana = make_user()
    login_as(ana).form("/account/delete", {"password": PASSWORD, "confirm": "y"})
    admin = login_as(make_user("admin"))
    page = admin.get("/admin/users?status=deleted").get_data(as_text=True)
    assert "Deleted account" in page
    assert admin.get(f"/admin/users/{ana.id}/edit").status_code == 409
    assert admin.form(f"/admin/users/{ana.id}/reactivate").status_code == 409


def test_user_deleted_reaches_the_handler_that_unsigns_reviews(
    login_as, make_user, pipeline, app_ctx
):
    """Through the real pipeline: outbox -> relay -> Kafka -> consumer -> RQ worker."""
    from app.extensions import mongo

    ana = make_user(first_name="Ana")
    mongo.db.reviews.insert_one(
        {
            "_id": "r1",
            "author_id": ana.id,
            "author_name": "Ana L.",
            "title": "Nice",
            "rating": 5,
            "text": "Great",
            "created_at": datetime(2026, 1, 1),
        }
    )
    mongo.db.reviews.insert_one(
        {
            "_id": "r2",
            "author_id": 999,
            "author_name": "Someone",
            "title": "Ok",
            "rating": 3,
            "text": "Fine",
            "created_at": datetime(2026, 1, 1),
        }
    )
    login_as(ana).form("/account/delete", {"password": PASSWORD, "confirm": "y"})

    def unsigned():
        doc = mongo.db.reviews.find_one({"_id": "r1"})
        return doc if doc.get("author_name") == "Former traveler" else None

    doc = wait_for(unsigned, 60, message=lambda: pipeline["worker"].log_tail())
    assert doc["text"] == "Great" and doc["rating"] == 5
    assert mongo.db.reviews.find_one({"_id": "r2"})["author_name"] == "Someone"


def test_the_review_handler_is_idempotent(app_ctx):
    from app.extensions import mongo
    from app.users.events import forget_deleted_user

    mongo.db.reviews.insert_one({"_id": "r9", "author_id": "42", "author_name": "Ana L."})
    envelope = {"id": "e1", "type": "user.deleted", "key": "42", "data": {}}
    forget_deleted_user(envelope)
    forget_deleted_user(envelope)
    assert mongo.db.reviews.find_one({"_id": "r9"})["author_name"] == "Former traveler"
