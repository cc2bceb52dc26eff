"""Sign-up, sign-in, sign-out, remember-me, rate limiting, against the real servers."""

import json

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, csrf_token_for


def events_of(type_):
    from app.core.models import OutboxEvent
    from app.extensions import db

    rows = db.session.scalars(sa.select(OutboxEvent).where(OutboxEvent.type == type_)).all()
    return [json.loads(r.envelope) for r in rows]


def post(client, url, data, **kw):
    return client.post(url, data={"csrf_token": csrf_token_for(client), **data}, **kw)


SIGNUP = {
    "first_name": "Ana",
    "last_name": "López",
    "email": "Ana.Lopez@Example.com",
    "password": "a long enough password",
    "confirm": "a long enough password",
}


def test_sign_up_creates_a_traveler_signs_in_and_publishes_user_created(client, app_ctx):
    from app.extensions import db
    from app.users.models import User

    response = post(client, "/auth/signup", SIGNUP)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/account/profile")
    user = db.session.scalar(sa.select(User))
    assert user.email == "ana.lopez@example.com"
    assert user.kind == "traveler" and user.admin_role is None
    assert user.password_hash.startswith("$argon2id$")
    assert "a long enough password" not in user.password_hash
    (event,) = events_of("user.created")
    assert event["key"] == str(user.id) and event["data"] == {"kind": "traveler"}
    assert "ana" not in json.dumps(event["data"]).lower()
    page = client.get("/account")
    assert page.status_code == 200
    assert "Ana López" in page.get_data(as_text=True)


def test_duplicate_email_is_refused(client, make_user):
    make_user(email="ana.lopez@example.com")
    response = post(client, "/auth/signup", SIGNUP)
    assert response.status_code == 422
    assert "An account with this email address already exists." in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("first_name", "", "Enter your first name."),
        ("first_name", "R2D2", "The first name can have letters"),
        ("last_name", "", "Enter your last name."),
        ("email", "ana@", "There must be something after the @-sign."),
        ("email", "", "Enter your email address."),
        ("password", "short", "Use at least 10 characters for the password."),
        ("confirm", "something else entirely", "The two passwords don&#39;t match."),
        ("confirm", "", "Type the password a second time."),
    ],
)
def test_sign_up_field_messages(client, app_ctx, field, value, message):
    response = post(client, "/auth/signup", {**SIGNUP, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_sign_up_needs_csrf(client, app_ctx):
    assert client.post("/auth/signup", data=SIGNUP).status_code == 400


def sign_in(client, email, password=PASSWORD, **extra):
    return post(client, "/auth/signin", {"email": email, "password": password, **extra})


def test_sign_in_lands_on_the_account_and_sets_safe_cookies(client, make_user):
    user = make_user(email="ana@example.com")
    response = sign_in(client, "ANA@example.com", remember="y")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/account")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    remember_cookie = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session_cookie, remember_cookie):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert str(user.id) in client.get_cookie("remember_token").value
    from app.extensions import db

    db.session.refresh(user)
    assert user.last_sign_in_at is not None


def test_remember_me_keeps_the_traveler_signed_in_without_the_session(client, make_user, app):
    make_user(email="ana@example.com")
    sign_in(client, "ana@example.com", remember="y")
    remember = client.get_cookie("remember_token").value
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember)
    assert fresh.get("/account").status_code == 200
    without = app.test_client()
    assert without.get("/account").status_code == 302


def test_without_remember_me_there_is_no_remember_cookie(client, make_user):
    make_user(email="ana@example.com")
    sign_in(client, "ana@example.com")
    assert client.get_cookie("remember_token") is None


def test_session_rotates_on_sign_in(client, make_user):
    make_user(email="ana@example.com")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    before = csrf_token_for(client)
    sign_in(client, "ana@example.com")
    with client.session_transaction() as session:
        assert "planted" not in session
    assert csrf_token_for(client) != before


def test_unknown_email_and_wrong_password_get_the_same_answer(client, make_user):
    make_user(email="ana@example.com")
    wrong = sign_in(client, "ana@example.com", "not the password")
    unknown = sign_in(client, "nobody@example.com", "not the password")
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert "Email or password is incorrect." in response.get_data(as_text=True)
    assert "nobody@example.com" not in unknown.get_data(as_text=True).split("Email or")[0][-200:]


def test_sign_in_is_rate_limited_per_email_and_ip(client, make_user):
    make_user(email="ana@example.com")
    for _ in range(4):
        assert "incorrect" in sign_in(client, "ana@example.com", "wrong guess!").get_data(
            as_text=True
        )
    fifth = sign_in(client, "ana@example.com", "wrong guess!").get_data(as_text=True)
    assert "Too many attempts. Try again in 15 minutes." in fifth
    # Even the right password waits now, and the message says how long.
    blocked = sign_in(client, "ana@example.com")
    assert blocked.status_code == 422
    assert "Too many attempts. Try again in" in blocked.get_data(as_text=True)
    # Another address from the same IP is not locked by it.
    make_user(email="bo@example.com")
    assert sign_in(client, "bo@example.com").status_code == 303


def test_unknown_emails_are_rate_limited_too(client, app_ctx):
    for _ in range(5):
        response = sign_in(client, "ghost@example.com", "wrong guess!")
    assert "Too many attempts" in response.get_data(as_text=True)


def test_a_successful_sign_in_clears_the_failure_count(client, make_user):
    make_user(email="ana@example.com")
    for _ in range(4):
        sign_in(client, "ana@example.com", "wrong guess!")
    assert sign_in(client, "ana@example.com").status_code == 303
    client.post("/auth/signout", data={"csrf_token": csrf_token_for(client)})
    for _ in range(4):
        assert "incorrect" in sign_in(client, "ana@example.com", "wrong").get_data(as_text=True)


def test_deactivated_and_deleted_accounts_cannot_sign_in(client, make_user):
    make_user(email="off@example.com", active=False)
    response = sign_in(client, "off@example.com")
    assert response.status_code == 422
    assert "deactivated" in response.get_data(as_text=True)


def test_sign_in_messages_for_empty_fields(client, app_ctx):
    response = post(client, "/auth/signin", {"email": "", "password": ""})
    text = response.get_data(as_text=True)
    assert "Enter your email address." in text and "Enter your password." in text


def test_next_is_followed_only_when_local(client, make_user):
    make_user(email="ana@example.com")
    ok = post(
        client,
        "/auth/signin?next=/account/preferences",
        {"email": "ana@example.com", "password": PASSWORD},
    )
    assert ok.headers["Location"].endswith("/account/preferences")
    client.post("/auth/signout", data={"csrf_token": csrf_token_for(client)})
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = post(
            client, f"/auth/signin?next={evil}", {"email": "ana@example.com", "password": PASSWORD}
        )
        assert "evil" not in response.headers["Location"]
        client.post("/auth/signout", data={"csrf_token": csrf_token_for(client)})


def test_anonymous_account_page_redirects_to_sign_in_with_next(client, app_ctx):
    response = client.get("/account")
    assert response.status_code == 302
    assert "/auth/signin?next=%2Faccount" in response.headers["Location"]


def test_sign_out_is_a_post_that_ends_the_session_and_the_remember_cookie(client, make_user):
    make_user(email="ana@example.com")
    sign_in(client, "ana@example.com", remember="y")
    assert client.get("/auth/signout").status_code == 405
    response = client.post("/auth/signout", data={"csrf_token": csrf_token_for(client)})
    assert response.status_code == 303
    assert any(c.startswith("remember_token=;") for c in response.headers.getlist("Set-Cookie"))
    assert client.get("/account").status_code == 302


def test_sign_out_without_csrf_is_refused(login_as, make_user):
    client = login_as(make_user())
    assert client.post("/auth/signout").status_code == 400
    assert client.get("/account").status_code == 200


def test_navigation_shows_the_account_links(client, login_as, make_user):
    anonymous = client.get("/").get_data(as_text=True)
    assert "Sign in" in anonymous and "Create account" in anonymous
    traveler = login_as(make_user(first_name="Ana")).get("/").get_data(as_text=True)
    assert "Ana" in traveler and "Sign out" in traveler and 'action="/auth/signout"' in traveler
    admin = login_as(make_user("support")).get("/").get_data(as_text=True)
    assert 'href="/admin/users"' in admin and "Support" in admin


def test_signed_in_visitors_skip_the_sign_in_page(login_as, make_user):
    client = login_as(make_user())
    assert client.get("/auth/signin").headers["Location"].endswith("/account")
    assert client.get("/auth/signup").headers["Location"].endswith("/account")


def test_sign_in_latency_with_argon2_is_reasonable(client, make_user):
    """Argon2id (64 MiB, t=3) costs ~0.2 s on this machine; a sign-in must stay under 1 s."""
    import time

    make_user(email="ana@example.com")
    started = time.perf_counter()
    assert sign_in(client, "ana@example.com").status_code == 303
    assert time.perf_counter() - started < 1.0


def test_production_cookies_are_secure_http_only_and_same_site():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY and ProductionConfig.REMEMBER_COOKIE_HTTPONLY
    assert ProductionConfig.REMEMBER_COOKIE_SAMESITE == "Lax"
    assert ProductionConfig.REMEMBER_COOKIE_DURATION.days == 30


def test_a_stale_or_forged_session_id_loads_nobody(app, make_user):
    user = make_user()
    for value in (f"{user.id}:wrong-token", f"{user.id}", "abc:def", "", f"{user.id + 99}:x"):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = value
        assert client.get("/account").status_code == 302, value
