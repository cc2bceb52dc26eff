"""Admin user management: search, view, edit, deactivate, roles, audit trail."""

import json

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD, csrf_token_for


def audit_rows():
    from app.core.audit import AuditEntry
    from app.extensions import db

    return db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()


@pytest.fixture()
def travelers(make_user):
    return [
        make_user(
            first_name="Ana",
            last_name="López",
            email="ana@example.com",
            city="San Jose",
            state="CA",
        ),
        make_user(
            first_name="Bo",
            last_name="Chen",
            email="bo.chen@corp.example.com",
            city="Austin",
            state="TX",
        ),
        make_user(
            first_name="Cy", last_name="Anand", email="cy@example.com", city="San Diego", state="CA"
        ),
    ]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"Ana", "Bo", "Cy"}),
        ("?q=ana", {"Ana", "Cy"}),  # first name Ana, last name Anand
        ("?q=corp.example", {"Bo"}),
        ("?q=ana+l%C3%B3pez", {"Ana"}),
        ("?city=san", {"Ana", "Cy"}),
        ("?state=california", {"Ana", "Cy"}),
        ("?state=TX", {"Bo"}),
        ("?q=%25", set()),  # a literal %, not a wildcard
    ],
)
def test_search_travelers(login_as, make_user, travelers, query, expected):
    page = login_as(make_user("support")).get(f"/admin/users{query}").get_data(as_text=True)
    shown = {name for name in ("Ana", "Bo", "Cy") if f"<strong>{name} " in page}
    assert shown == expected


def test_search_reports_a_bad_state(login_as, make_user, travelers):
    page = login_as(make_user("admin")).get("/admin/users?state=Atlantis").get_data(as_text=True)
    assert "is not a US state" in page


def test_garbage_search_parameters_do_not_break_the_page(login_as, make_user, travelers):
    client = login_as(make_user("admin"))
    for query in (
        "?page=-4",
        "?page=abc",
        "?page=99999999999",
        "?kind=root",
        "?status=x",
        "?q=" + "x" * 5000,
        "?q=%00%01",
        "?city=%F0%9F%98%80",
    ):
        assert client.get(f"/admin/users{query}").status_code == 200, query


def test_admin_edit_is_audited_with_before_and_after(login_as, make_user, travelers, app_ctx):
    from app.extensions import db

    admin = make_user("support", email="sam@kayak.example")
    ana = travelers[0]
    client = login_as(admin)
    form = client.get(f"/admin/users/{ana.id}/edit")
    assert form.status_code == 200
    data = {
        "first_name": "Ana",
        "last_name": "López-Ruiz",
        "email": "ana@example.com",
        "phone": "408 555 0199",
        "address": "1 Main St",
        "city": "San Jose",
        "state": "CA",
        "zip_code": "95113",
        "home_airport": "SJC",
        "cabin_class": "",
        "seat_preference": "",
    }
    response = client.form(f"/admin/users/{ana.id}/edit", data)
    assert response.status_code == 303
    db.session.refresh(ana)
    assert ana.last_name == "López-Ruiz" and ana.phone == "+14085550199"
    entry = audit_rows()[-1]
    assert entry.actor_id == admin.id and entry.action == "user.update"
    assert entry.target_id == str(ana.id)
    assert (
        entry.before_data["last_name"] == "López" and entry.after_data["last_name"] == "López-Ruiz"
    )
    assert "first_name" not in entry.after_data  # only what changed
    detail = client.get(f"/admin/users/{ana.id}").get_data(as_text=True)
    assert "user.update" in detail and "López-Ruiz" in detail and "sam@kayak.example" in detail


def test_admin_edit_has_the_same_messages(login_as, make_user, travelers):
    client = login_as(make_user("admin"))
    ana, bo = travelers[0], travelers[1]
    text = client.form(
        f"/admin/users/{ana.id}/edit",
        {
            "first_name": "",
            "last_name": "L",
            "email": bo.email,
            "state": "XX",
            "zip_code": "1",
            "address": "1 Main St",
            "city": "San Jose",
            "phone": "12",
            "home_airport": "ZZZ",
            "cabin_class": "cargo",
        },
    ).get_data(as_text=True)
    for message in (
        "Enter your first name.",
        "is not a US state",
        "5 digits (95192)",
        "phone number",
        "not an airport code we know",
        "Choose a cabin from the list.",
    ):
        assert message in text
    dup = client.form(
        f"/admin/users/{ana.id}/edit",
        {"first_name": "Ana", "last_name": "L", "email": bo.email, "city": "", "state": ""},
    ).get_data(as_text=True)
    assert "An account with this email address already exists." in dup


def test_deactivate_signs_out_and_blocks_then_reactivate(login_as, make_user, travelers, app_ctx):
    from app.extensions import db

    ana = travelers[0]
    ana_client = login_as(ana)
    assert ana_client.get("/account").status_code == 200
    admin = login_as(make_user("support"))
    assert admin.form(f"/admin/users/{ana.id}/deactivate").status_code == 303
    db.session.refresh(ana)
    assert not ana.active and ana.deactivated_at is not None
    assert ana_client.get("/account").status_code == 302  # signed out everywhere
    signin = ana_client.post(
        "/auth/signin",
        data={"csrf_token": csrf_token_for(ana_client), "email": ana.email, "password": PASSWORD},
    )
    assert "deactivated" in signin.get_data(as_text=True)
    assert admin.form(f"/admin/users/{ana.id}/reactivate").status_code == 303
    db.session.refresh(ana)
    assert ana.active
    actions = [e.action for e in audit_rows()]
    assert actions == ["user.deactivate", "user.reactivate"]
    assert [e.after_data for e in audit_rows()] == [{"active": False}, {"active": True}]


def test_admins_cannot_deactivate_themselves(login_as, make_user):
    me = make_user("super_admin")
    client = login_as(me)
    client.form(f"/admin/users/{me.id}/deactivate")
    assert "can&#39;t deactivate your own account" in client.get(f"/admin/users/{me.id}").get_data(
        as_text=True
    )


def test_support_cannot_change_admin_or_partner_accounts(login_as, make_user):
    support = login_as(make_user("support"))
    other_admin = make_user("admin")
    partner = make_user("partner")
    for target in (other_admin, partner):
        assert support.get(f"/admin/users/{target.id}").status_code == 200  # may look
        assert support.form(f"/admin/users/{target.id}/deactivate").status_code == 403
        assert support.get(f"/admin/users/{target.id}/edit").status_code == 403


def test_only_super_admins_change_roles(login_as, make_user, app_ctx):
    from app.extensions import db

    target = make_user("analyst")
    assert (
        login_as(make_user("admin"))
        .form(f"/admin/users/{target.id}/role", {"admin_role": "admin"})
        .status_code
        == 403
    )
    boss = login_as(make_user("super_admin"))
    assert boss.form(f"/admin/users/{target.id}/role", {"admin_role": "support"}).status_code == 303
    db.session.refresh(target)
    assert target.admin_role == "support"
    assert audit_rows()[-1].before_data == {"admin_role": "analyst"}
    bad = boss.form(f"/admin/users/{target.id}/role", {"admin_role": "god"})
    assert bad.status_code == 303
    db.session.refresh(target)
    assert target.admin_role == "support"


def test_admin_removes_a_card_and_a_loyalty_number_with_audit(login_as, make_user, app_ctx):
    from app.extensions import db
    from app.users.models import LoyaltyAccount, PaymentCard

    ana = make_user()
    traveler = login_as(ana)
    traveler.form(
        "/account/cards/new",
        {"holder_name": "Ana L", "number": "4242424242424242", "expiry": "08/30", "cvc": "123"},
    )
    admin = login_as(make_user("admin"))
    assert (
        admin.form(
            f"/admin/users/{ana.id}/loyalty", {"program": "Hilton Honors", "number": "HH12345"}
        ).status_code
        == 303
    )
    card = db.session.scalar(sa.select(PaymentCard))
    account = db.session.scalar(sa.select(LoyaltyAccount))
    other = make_user()
    # Object ids must belong to the user in the URL.
    assert admin.form(f"/admin/users/{other.id}/cards/{card.id}/delete").status_code == 404
    assert admin.form(f"/admin/users/{ana.id}/cards/{card.id}/delete").status_code == 303
    assert admin.form(f"/admin/users/{ana.id}/loyalty/{account.id}/delete").status_code == 303
    actions = [e.action for e in audit_rows()]
    assert actions == ["user.loyalty.add", "user.card.remove", "user.loyalty.remove"]
    assert "4242" in json.dumps(audit_rows()[1].before_data)
    assert "4242424242424242" not in json.dumps(audit_rows()[1].before_data)


def test_new_partner_account_gets_an_invitation_to_set_a_password(
    login_as, make_user, make_provider, app_ctx
):
    from app.extensions import db, mongo
    from app.users.models import User

    provider = make_provider("Skyline Air", "airline")
    admin = login_as(make_user("admin"))
    assert "Skyline Air" in admin.get("/admin/users/new").get_data(as_text=True)
    response = admin.form(
        "/admin/users/new",
        {
            "kind": "partner",
            "first_name": "Pat",
            "last_name": "Ner",
            "email": "pat@skyline.example",
            "provider_id": str(provider.id),
        },
    )
    assert response.status_code == 303
    user = db.session.scalar(sa.select(User).where(User.email == "pat@skyline.example"))
    assert user.kind == "partner" and user.provider_id == provider.id and user.password_hash is None
    mail = mongo.db.mail_outbox.find_one({"to": "pat@skyline.example"})
    assert "partner account for Skyline Air" in mail["body"]
    link = mail["body"].split("http://localhost", 1)[1].split()[0]
    client = login_as(None)
    page = client.get(link)
    assert "Set your password" in page.get_data(as_text=True)
    new = "partner passphrase 1"
    assert (
        client.post(
            link, data={"csrf_token": csrf_token_for(client), "password": new, "confirm": new}
        ).status_code
        == 303
    )
    signin = client.post(
        "/auth/signin",
        data={
            "csrf_token": csrf_token_for(client),
            "email": "pat@skyline.example",
            "password": new,
        },
    )
    assert signin.headers["Location"].endswith("/partner")
    assert audit_rows()[-1].action == "user.create"


def test_new_account_form_messages_and_permissions(login_as, make_user, make_provider):
    admin = login_as(make_user("admin"))
    text = admin.form("/admin/users/new", {"kind": "partner", "email": "x"}).get_data(as_text=True)
    assert "Choose the provider this partner acts for." in text
    assert "An email address must have an @-sign." in text
    # "admin" may create partners but not administrators.
    made = admin.form(
        "/admin/users/new",
        {
            "kind": "admin",
            "admin_role": "support",
            "first_name": "A",
            "last_name": "B",
            "email": "new-admin@example.com",
        },
    )
    assert "Your role may not create this kind of account." in made.get_data(as_text=True)
    assert login_as(make_user("support")).get("/admin/users/new").status_code == 403
    boss = login_as(make_user("super_admin"))
    ok = boss.form(
        "/admin/users/new",
        {
            "kind": "admin",
            "admin_role": "support",
            "first_name": "Al",
            "last_name": "Bee",
            "email": "new-admin@example.com",
        },
    )
    assert ok.status_code == 303


def test_audit_log_page_lists_changes_for_allowed_roles(login_as, make_user, travelers):
    admin = make_user("admin")
    login_as(admin).form(f"/admin/users/{travelers[1].id}/deactivate")
    page = login_as(admin).get("/admin/audit").get_data(as_text=True)
    assert "user.deactivate" in page and admin.email in page
    filtered = login_as(admin).get(f"/admin/audit?user={travelers[0].id}").get_data(as_text=True)
    assert "user.deactivate" not in filtered
    assert login_as(make_user("support")).get("/admin/audit").status_code == 403


def test_send_password_link_mails_the_traveler(login_as, make_user, app_ctx):
    from app.extensions import mongo

    ana = make_user(email="ana@example.com")
    login_as(make_user("support")).form(f"/admin/users/{ana.id}/password-link")
    assert mongo.db.mail_outbox.find_one({"to": "ana@example.com"})
    assert audit_rows()[-1].action == "user.password_link"


def test_admins_revoke_a_partners_keys_with_audit(login_as, make_user, app_ctx):
    from app.extensions import db
    from app.partners.models import ApiKey
    from app.partners.services import create_key

    partner = make_user("partner")
    other_partner = make_user("partner")
    key, clear = create_key(partner, "Sync")
    admin = login_as(make_user("admin"))
    page = admin.get(f"/admin/users/{partner.id}").get_data(as_text=True)
    assert f"kyk_{key.prefix}_" in page and clear not in page
    # The key must belong to the provider of the user in the URL.
    assert admin.form(f"/admin/users/{other_partner.id}/keys/{key.id}/revoke").status_code == 404
    assert (
        login_as(make_user("support"))
        .form(f"/admin/users/{partner.id}/keys/{key.id}/revoke")
        .status_code
        == 403
    )
    assert admin.form(f"/admin/users/{partner.id}/keys/{key.id}/revoke").status_code == 303
    assert db.session.get(ApiKey, key.id).revoked_at is not None
    entry = audit_rows()[-1]
    assert entry.action == "api_key.revoke" and entry.after_data["active"] is False
    api = login_as(None).get("/api/v1/me", headers={"Authorization": f"Bearer {clear}"})
    assert api.status_code == 401
