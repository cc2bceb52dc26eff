"""Change and reset passwords; one-time links; the development mailbox."""

import re
import time

import pytest

from tests.conftest import PASSWORD, csrf_token_for


def post(client, url, data, **kw):
    return client.post(url, data={"csrf_token": csrf_token_for(client), **data}, **kw)


def last_mail(to):
    from app.extensions import mongo

    doc = mongo.db.mail_outbox.find_one({"to": to}, sort=[("created_at", -1)])
    return doc


def reset_link(body):
    return re.search(r"http://[^\s]+/auth/password/reset/[^\s]+", body).group(0)


NEW = "a brand new passphrase"


def test_forgot_password_mails_a_link_that_resets_once(client, make_user, app):
    make_user(email="ana@example.com")
    response = post(client, "/auth/password/forgot", {"email": "ANA@example.com"})
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)
    mail = last_mail("ana@example.com")
    assert mail["subject"] == "Reset your Kayak password"
    link = reset_link(mail["body"])
    path = link.split("localhost", 1)[1]

    page = client.get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    done = post(client, path, {"password": NEW, "confirm": NEW})
    assert done.status_code == 303 and done.headers["Location"].endswith("/auth/signin")

    # The link is spent; the old password no longer works; the new one does.
    assert client.get(path).status_code == 400
    assert "no longer valid" in client.get(path).get_data(as_text=True)
    old = post(client, "/auth/signin", {"email": "ana@example.com", "password": PASSWORD})
    assert old.status_code == 422
    new = post(client, "/auth/signin", {"email": "ana@example.com", "password": NEW})
    assert new.status_code == 303


def test_forgot_password_answers_the_same_for_unknown_emails(client, app_ctx):
    from app.extensions import mongo

    response = post(client, "/auth/password/forgot", {"email": "nobody@example.com"})
    assert response.status_code == 200
    assert "If an account uses" in response.get_data(as_text=True)
    assert mongo.db.mail_outbox.count_documents({}) == 0


def test_reset_mails_are_limited_per_address(client, make_user):
    from app.extensions import mongo

    make_user(email="ana@example.com")
    for _ in range(7):
        post(client, "/auth/password/forgot", {"email": "ana@example.com"})
    assert mongo.db.mail_outbox.count_documents({"to": "ana@example.com"}) == 5


def test_reset_link_expires(client, make_user, app):
    from app.auth.services import make_password_token

    user = make_user(email="ana@example.com")
    token = make_password_token(user)
    app.config["PASSWORD_RESET_MAX_AGE"] = 0
    try:
        time.sleep(1.1)
        response = client.get(f"/auth/password/reset/{token}")
        assert response.status_code == 400
        assert "This link has expired" in response.get_data(as_text=True)
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600


@pytest.mark.parametrize("token", ["garbage", "a" * 300, "eyJ1IjoxfQ.x.y", "%00"])
def test_tampered_links_are_refused(client, app_ctx, token):
    response = client.get(f"/auth/password/reset/{token}")
    assert response.status_code in (400, 404)


def test_reset_form_messages(client, make_user):
    from app.auth.services import make_password_token

    token = make_password_token(make_user())
    short = post(client, f"/auth/password/reset/{token}", {"password": "short", "confirm": "short"})
    assert "Use at least 10 characters" in short.get_data(as_text=True)
    mismatch = post(
        client, f"/auth/password/reset/{token}", {"password": NEW, "confirm": NEW + "x"}
    )
    assert "The two passwords don&#39;t match." in mismatch.get_data(as_text=True)


def test_reset_publishes_user_updated_without_the_password(client, make_user, app_ctx):
    import json

    import sqlalchemy as sa

    from app.auth.services import make_password_token
    from app.core.models import OutboxEvent
    from app.extensions import db

    user = make_user()
    post(
        client,
        f"/auth/password/reset/{make_password_token(user)}",
        {"password": NEW, "confirm": NEW},
    )
    row = db.session.scalar(sa.select(OutboxEvent).where(OutboxEvent.type == "user.updated"))
    assert json.loads(row.envelope)["data"] == {"changed": ["password"], "reason": "reset"}
    assert NEW not in row.envelope


def test_change_password_signs_out_other_sessions(login_as, make_user, app):
    user = make_user()
    here, elsewhere = login_as(user), login_as(user)
    wrong = here.form(
        "/auth/password", {"current_password": "nope", "password": NEW, "confirm": NEW}
    )
    assert "That is not your current password." in wrong.get_data(as_text=True)
    same = here.form(
        "/auth/password", {"current_password": PASSWORD, "password": PASSWORD, "confirm": PASSWORD}
    )
    assert "different from the current one" in same.get_data(as_text=True)
    done = here.form(
        "/auth/password", {"current_password": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert done.status_code == 303
    assert here.get("/account").status_code == 200  # this session was renewed
    assert elsewhere.get("/account").status_code == 302  # the other one is out


def test_change_password_field_messages(login_as, make_user):
    client = login_as(make_user())
    text = client.form("/auth/password", {}).get_data(as_text=True)
    assert "Enter your current password." in text
    assert "Use at least 10 characters" in text


def test_dev_mailbox_lists_mail_with_clickable_links(client, make_user):
    make_user(email="ana@example.com")
    post(client, "/auth/password/forgot", {"email": "ana@example.com"})
    page = client.get("/auth/dev/mail")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Reset your Kayak password" in html
    assert '<a href="http://localhost/auth/password/reset/' in html


def test_dev_mailbox_does_not_exist_in_production(app):
    from app import create_app
    from config import ProductionConfig

    class Prod(ProductionConfig):
        SECRET_KEY = "x" * 32
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]

    prod = create_app(
        Prod, {"MONGO_URL": app.config["MONGO_URL"], "MONGO_DB": app.config["MONGO_DB"]}
    )
    assert prod.test_client().get("/auth/dev/mail").status_code == 404


def test_mail_is_logged_in_development(client, make_user, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="app.core.mail")
    make_user(email="ana@example.com")
    post(client, "/auth/password/forgot", {"email": "ana@example.com"})
    record = next(r for r in caplog.records if r.name == "app.core.mail")
    assert "Reset your Kayak password" in record.getMessage()


def test_reset_tokens_stay_out_of_the_access_log(client, make_user, caplog):
    import logging

    from app.auth.services import make_password_token

    caplog.set_level(logging.INFO, logger="kayak.access")
    token = make_password_token(make_user())
    client.get(f"/auth/password/reset/{token}")
    lines = [r.getMessage() for r in caplog.records if r.name == "kayak.access"]
    assert "GET /auth/password/reset/<token> 200" in lines
    assert not any(token in line for line in lines)
