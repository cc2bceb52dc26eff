"""Garbage in every field of every account form: a message or a refusal, never a 500."""

import pytest

from tests.conftest import csrf_token_for

GARBAGE = [
    "",
    " ",
    "x" * 10_000,
    "\x00\x01\x02",
    "'; DROP TABLE users; --",
    "<script>alert(1)</script>",
    "😀" * 50,
    "\u202eevil",
    "%s%n{0}",
    "-1",
    "99999999999999999999999",
    "../../etc/passwd",
]

FORMS = {
    # url template, role, fields
    "/auth/signup": (None, ["first_name", "last_name", "email", "password", "confirm"]),
    "/auth/signin": (None, ["email", "password", "remember"]),
    "/auth/password/forgot": (None, ["email"]),
    "/auth/password/reset/{token}": (None, ["password", "confirm"]),
    "/auth/password": ("traveler", ["current_password", "password", "confirm"]),
    "/account/profile": (
        "traveler",
        [
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "city",
            "state",
            "zip_code",
            "current_password",
        ],
    ),
    "/account/preferences": ("traveler", ["home_airport", "cabin_class", "seat_preference"]),
    "/account/loyalty": ("traveler", ["program", "number"]),
    "/account/cards/new": ("traveler", ["holder_name", "number", "expiry", "cvc"]),
    "/account/delete": ("traveler", ["password", "confirm"]),
    "/account/photo": ("traveler", ["photo"]),
    "/admin/users/{traveler}/edit": (
        "super_admin",
        [
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "city",
            "state",
            "zip_code",
            "home_airport",
            "cabin_class",
            "seat_preference",
        ],
    ),
    "/admin/users/new": (
        "super_admin",
        ["kind", "first_name", "last_name", "email", "admin_role", "provider_id"],
    ),
    "/admin/users/{admin}/role": ("super_admin", ["admin_role"]),
    "/admin/users/{traveler}/loyalty": ("super_admin", ["program", "number"]),
    "/partner/keys": ("partner", ["name"]),
}


@pytest.mark.parametrize("url", sorted(FORMS))
def test_garbage_never_breaks_a_form(app, make_user, url):
    from app.auth.services import make_password_token

    role, fields = FORMS[url]
    traveler = make_user()
    users = {
        "traveler": traveler,
        "super_admin": make_user("super_admin"),
        "partner": make_user("partner"),
    }
    target_admin = make_user("analyst")
    path = url.format(
        traveler=traveler.id, admin=target_admin.id, token=make_password_token(traveler)
    )
    failures = []
    for value in GARBAGE:
        for field in fields:
            client = app.test_client()
            if role:
                with client.session_transaction() as session:
                    session["_user_id"] = users[role].get_id()
            data = {"csrf_token": csrf_token_for(client)}
            data.update({name: "valid-looking" for name in fields})
            data[field] = value
            response = client.post(path, data=data)
            if response.status_code >= 500:
                failures.append(f"{field}={value[:20]!r} -> {response.status_code}")
        # The same value in every field at once, and each field repeated.
        client = app.test_client()
        if role:
            with client.session_transaction() as session:
                session["_user_id"] = users[role].get_id()
        data = [("csrf_token", csrf_token_for(client))]
        data += [(name, value) for name in fields] + [(name, value) for name in fields]
        from werkzeug.datastructures import MultiDict

        response = client.post(path, data=MultiDict(data))
        if response.status_code >= 500:
            failures.append(f"all={value[:20]!r} -> {response.status_code}")
    assert not failures, "\n".join(failures)
