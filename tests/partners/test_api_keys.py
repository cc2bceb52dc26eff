"""Partner API keys: shown once, stored hashed, revocable; /api/v1 authenticates with them."""

import hashlib
import re

import pytest
import sqlalchemy as sa


def create_key(client, name="Inventory sync"):
    response = client.form("/partner/keys", {"name": name})
    assert response.status_code == 201, response.get_data(as_text=True)[:500]
    match = re.search(r'value="(kyk_[A-Za-z0-9_-]+)"', response.get_data(as_text=True))
    return response, match.group(1)


def test_a_partner_creates_a_key_and_calls_the_api(login_as, make_user, make_provider, app_ctx):
    from app.extensions import db
    from app.partners.models import ApiKey

    provider = make_provider("Skyline Air", "airline", code="SK")
    partner = make_user("partner", provider=provider)
    client = login_as(partner)
    response, key = create_key(client)
    assert response.headers["Cache-Control"] == "no-store"
    row = db.session.scalar(sa.select(ApiKey))
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in row.key_hash and key.split("_")[1] == row.prefix
    # Shown once: the portal never shows it again.
    assert key not in client.get("/partner").get_data(as_text=True)

    api = login_as(None)
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200
    body = me.get_json()
    assert body["provider"] == {
        "id": provider.id,
        "kind": "airline",
        "name": "Skyline Air",
        "code": "SK",
    }
    assert body["key"]["prefix"] == row.prefix
    assert me.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in me.headers
    db.session.refresh(row)
    assert row.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer kyk_nope_nope",
        "Bearer kyk_",
        "Bearer " + "x" * 500,
        "bearer kyk_aaaaaaaa_" + "b" * 43,
    ],
)
def test_the_api_refuses_missing_and_wrong_keys_as_problem_json(client, app_ctx, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working(login_as, make_user, app_ctx):
    from app.extensions import db
    from app.partners.models import ApiKey

    client = login_as(make_user("partner"))
    _, key = create_key(client)
    row = db.session.scalar(sa.select(ApiKey))
    assert client.form(f"/partner/keys/{row.id}/revoke").status_code == 303
    response = login_as(None).get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401
    assert "revoked" in response.get_json()["detail"]


def test_a_tampered_key_with_a_real_prefix_is_refused(login_as, make_user):
    _, key = create_key(login_as(make_user("partner")))
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert (
        login_as(None)
        .get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"})
        .status_code
        == 401
    )


def test_partners_manage_only_their_own_providers_keys(login_as, make_user, app_ctx):
    from app.extensions import db
    from app.partners.models import ApiKey

    mine = login_as(make_user("partner"))
    _, key = create_key(mine, "Mine")
    row = db.session.scalar(sa.select(ApiKey))
    other = login_as(make_user("partner"))
    assert "Mine" not in other.get("/partner").get_data(as_text=True)
    assert other.form(f"/partner/keys/{row.id}/revoke").status_code == 404
    db.session.refresh(row)
    assert row.revoked_at is None
    # Each key speaks for its own provider.
    _, other_key = create_key(other, "Theirs")
    ids = {
        login_as(None)
        .get("/api/v1/me", headers={"Authorization": f"Bearer {k}"})
        .get_json()["provider"]["id"]
        for k in (key, other_key)
    }
    assert len(ids) == 2


def test_key_name_messages_and_limit(login_as, make_user):
    client = login_as(make_user("partner"))
    assert "Name the key" in client.form("/partner/keys", {"name": "x"}).get_data(as_text=True)
    assert "80 characters" in client.form("/partner/keys", {"name": "x" * 81}).get_data(
        as_text=True
    )
    for n in range(10):
        create_key(client, f"Key number {n}")
    assert "revoke one first" in client.form("/partner/keys", {"name": "One more"}).get_data(
        as_text=True
    )


def test_api_ignores_session_cookies_and_needs_no_csrf(login_as, make_user):
    partner = login_as(make_user("partner"))
    assert partner.get("/api/v1/me").status_code == 401  # a signed-in browser is not a key
    _, key = create_key(partner)
    # CSRF-exempt: a POST to the API reaches the API (405 here), not the CSRF check (400).
    assert (
        login_as(None).post("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code
        == 405
    )


def test_owned_or_404_hides_other_providers_objects(app):
    from types import SimpleNamespace

    from flask import g
    from werkzeug.exceptions import NotFound

    from app.core.access import owned_or_404

    with app.test_request_context():
        g.partner_provider = SimpleNamespace(id=7)
        listing = SimpleNamespace(provider_id=7)
        assert owned_or_404(listing) is listing
        for obj in (SimpleNamespace(provider_id=8), None, SimpleNamespace()):
            with pytest.raises(NotFound):
                owned_or_404(obj)
