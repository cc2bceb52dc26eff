"""Who may reach what: every route of the app against every kind of visitor.

MATRIX lists each endpoint of `app.url_map` with the URL to try (built from a
small world of accounts and objects) and the roles that may use it. Every
other role must be turned away the right way:

- anonymous: sent to sign-in (pages) or 401 problem+json (the API);
- a signed-in account without the right: 403;
- a traveler (or partner) reaching another's object by id: 404, as if it did
  not exist.

A route missing from MATRIX fails `test_every_route_is_in_the_matrix`: add
new routes here as they land (see docs/accounts.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pytest

from tests.conftest import PASSWORD, csrf_token_for, empty_all_stores

ROLES = (
    "anonymous",
    "traveler",
    "other_traveler",
    "super_admin",
    "admin",
    "support",
    "analyst",
    "partner",
    "other_partner",
)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
TRAVELERS = frozenset({"traveler", "other_traveler"})
PARTNERS = frozenset({"partner", "other_partner"})
ADMINS = frozenset({"super_admin", "admin", "support", "analyst"})


def roles_with(permission: str) -> frozenset[str]:
    from app.core.access import role_allows

    return frozenset(r for r in ADMINS if role_allows(r, permission))


@dataclass(frozen=True)
class Rule:
    """How to call one endpoint and who may.

    `url` is a format string filled from the world (e.g. "{card}").
    `foreign` is the role that owns a look-alike object elsewhere and must get
    404 (another traveler's card), rather than 403.
    """

    url: str
    allowed: frozenset[str] | str
    foreign: frozenset[str] = field(default_factory=frozenset)
    api: bool = False
    by_method: dict[str, frozenset[str] | str] = field(default_factory=dict)
    expect: dict[str, str] = field(default_factory=dict)  # role -> outcome, when special


MATRIX: dict[str, Rule] = {
    # public
    "main.index": Rule("/", EVERYONE),
    "main.healthz": Rule("/healthz", EVERYONE),
    "main.readyz": Rule("/readyz", EVERYONE),
    "static": Rule("/static/css/app.css", EVERYONE),
    "auth.signup": Rule("/auth/signup", EVERYONE),
    "auth.signin": Rule("/auth/signin", EVERYONE),
    "auth.signout": Rule("/auth/signout", EVERYONE),
    "auth.forgot_password": Rule("/auth/password/forgot", EVERYONE),
    "auth.reset_password": Rule("/auth/password/reset/{reset_token}", EVERYONE),
    "auth.dev_mail": Rule("/auth/dev/mail", EVERYONE),  # outside production only
    "analytics.beacon": Rule("/beacon", EVERYONE),  # views and clicks; no CSRF (sendBeacon)
    "analytics.privacy": Rule("/privacy", EVERYONE),
    "analytics.admin_reports": Rule("/admin/analytics", roles_with("analytics.view")),
    "analytics.admin_export": Rule("/admin/analytics/pages.csv", roles_with("analytics.view")),
    "analytics.provider_reports": Rule(
        "/admin/analytics/providers/{hotel_provider}", roles_with("analytics.view")
    ),
    "analytics.partner_reports": Rule("/partner/analytics", PARTNERS),
    # any signed-in account
    "auth.change_password": Rule("/auth/password", SIGNED_IN),
    # a traveler's own account
    "users.account": Rule("/account", TRAVELERS),
    "users.edit_profile": Rule("/account/profile", TRAVELERS),
    "users.photo": Rule("/account/photo", TRAVELERS),
    "users.upload_photo": Rule("/account/photo", TRAVELERS),
    "users.delete_photo": Rule("/account/photo/delete", TRAVELERS),
    "users.new_card": Rule("/account/cards/new", TRAVELERS),
    "users.delete_card": Rule(
        "/account/cards/{card}/delete", {"traveler"}, foreign=frozenset({"other_traveler"})
    ),
    "users.preferences": Rule("/account/preferences", TRAVELERS),
    "users.add_loyalty": Rule("/account/loyalty", TRAVELERS),
    "users.delete_loyalty": Rule(
        "/account/loyalty/{loyalty}/delete", {"traveler"}, foreign=frozenset({"other_traveler"})
    ),
    "users.review": Rule(
        "/account/reviews/{review}", {"traveler"}, foreign=frozenset({"other_traveler"})
    ),
    "users.delete_account": Rule("/account/delete", TRAVELERS),
    # admin pages and actions
    "admin.status": Rule("/admin/status", "system.view"),
    "admin.status_checks": Rule("/admin/status/checks", "system.view"),
    "admin.retry_dead_letter": Rule("/admin/dead-letters/{dead_letter}/retry", "system.manage"),
    "admin.audit_log": Rule("/admin/audit", "audit.view"),
    "users.admin_list": Rule("/admin/users", "users.view"),
    "users.admin_new": Rule("/admin/users/new", {"super_admin", "admin"}),
    "users.admin_detail": Rule("/admin/users/{traveler}", "users.view"),
    "users.admin_edit": Rule("/admin/users/{traveler}/edit", "users.manage"),
    "users.admin_photo": Rule("/admin/users/{traveler}/photo", "users.view"),
    "users.admin_delete_photo": Rule("/admin/users/{traveler}/photo/delete", "users.manage"),
    "users.admin_delete_card": Rule("/admin/users/{traveler}/cards/{card}/delete", "users.manage"),
    "users.admin_add_loyalty": Rule("/admin/users/{traveler}/loyalty", "users.manage"),
    "users.admin_delete_loyalty": Rule(
        "/admin/users/{traveler}/loyalty/{loyalty}/delete", "users.manage"
    ),
    "users.admin_deactivate": Rule("/admin/users/{traveler}/deactivate", "users.manage"),
    "users.admin_reactivate": Rule("/admin/users/{traveler}/reactivate", "users.manage"),
    "users.admin_send_password_link": Rule("/admin/users/{traveler}/password-link", "users.manage"),
    "users.admin_set_role": Rule("/admin/users/{target_admin}/role", "admins.manage"),
    "users.admin_revoke_key": Rule(
        "/admin/users/{partner_user}/keys/{api_key}/revoke", "partners.manage"
    ),
    # catalogue pages for travelers
    "listings.detail": Rule("/hotels/{hotel}", EVERYONE),
    "listings.review_list": Rule("/hotels/{hotel}/reviews", EVERYONE),
    "listings.add_review": Rule("/hotels/{hotel}/reviews", TRAVELERS),
    "listings.helpful": Rule("/reviews/{review}/helpful", TRAVELERS),
    "listings.photo": Rule("/media/{media}", EVERYONE),
    # search (issue 9): public pages and the autocomplete
    "search.flights": Rule("/search/flights", EVERYONE),
    "search.hotels": Rule("/search/hotels", EVERYONE),
    "search.cars": Rule("/search/cars", EVERYONE),
    "search.suggest": Rule("/search/places?kind=flights&field=q&q=sfo", EVERYONE),
    "search.static": Rule("/search/static/search.css", EVERYONE),
    # bookings (issue 10): a traveler's own bookings; others' answer 404
    "bookings.start": Rule("/book/hotel/{hotel}", TRAVELERS),
    "bookings.pay": Rule(
        "/trips/{booking}/pay", {"traveler"}, foreign=frozenset({"other_traveler"})
    ),
    "bookings.trips": Rule("/trips", TRAVELERS),
    "bookings.trips_json": Rule("/trips.json", TRAVELERS),
    "bookings.trip": Rule("/trips/{booking}", {"traveler"}, foreign=frozenset({"other_traveler"})),
    "bookings.cancel": Rule(
        "/trips/{booking}/cancel", {"traveler"}, foreign=frozenset({"other_traveler"})
    ),
    "bookings.invoice": Rule(
        "/trips/{booking}/invoice", {"traveler"}, foreign=frozenset({"other_traveler"})
    ),
    "bookings.invoice_pdf": Rule(
        "/trips/{booking}/invoice.pdf", {"traveler"}, foreign=frozenset({"other_traveler"})
    ),
    "bookings.admin_billing": Rule("/admin/billing", "billing.view"),
    "bookings.admin_billing_csv": Rule("/admin/billing/export.csv", "billing.view"),
    "bookings.admin_bill": Rule("/admin/billing/{bill}", "billing.view"),
    # catalogue administration
    "listings.admin_list": Rule("/admin/listings", "listings.view"),
    "listings.admin_providers": Rule(
        "/admin/providers", "listings.view", by_method={"POST": "listings.manage"}
    ),
    "listings.admin_new": Rule("/admin/listings/hotel/new", "listings.manage"),
    "listings.admin_edit": Rule("/admin/listings/hotel/{hotel}/edit", "listings.manage"),
    "listings.admin_delete": Rule("/admin/listings/hotel/{hotel}/delete", "listings.manage"),
    "listings.admin_restore": Rule("/admin/listings/hotel/{hotel}/restore", "listings.manage"),
    "listings.admin_add_photo": Rule("/admin/listings/hotel/{hotel}/photos", "listings.manage"),
    "listings.admin_remove_photo": Rule(
        "/admin/listings/hotel/{hotel}/photos/{hotel_photo}/delete", "listings.manage"
    ),
    # partner portal
    "partners.portal": Rule("/partner", PARTNERS),
    "partners.create_key": Rule("/partner/keys", PARTNERS),
    "partners.revoke_key": Rule(
        "/partner/keys/{api_key}/revoke", {"partner"}, foreign=frozenset({"other_partner"})
    ),
    # partner JSON API (bearer keys)
    "api.me": Rule("/api/v1/me", PARTNERS, api=True),
    # the OpenAPI document and its page: public, no key needed
    "api.openapi_document": Rule("/api/v1/openapi.json", EVERYONE, api=True),
    "api.docs": Rule("/api/v1/docs", EVERYONE, api=True),
    "api.list_listings": Rule("/api/v1/listings", PARTNERS, api=True),
    # The hotel belongs to other_partner (a hotel group); partner is an airline.
    "api.create_listing": Rule(
        "/api/v1/listings/hotel", {"other_partner"}, api=True, expect={"partner": "403"}
    ),
    "api.get_listing": Rule(
        "/api/v1/listings/hotel/{hotel}", {"other_partner"}, api=True, expect={"partner": "404"}
    ),
    "api.update_listing": Rule(
        "/api/v1/listings/hotel/{hotel}", {"other_partner"}, api=True, expect={"partner": "404"}
    ),
    "api.delete_listing": Rule(
        "/api/v1/listings/hotel/{hotel}", {"other_partner"}, api=True, expect={"partner": "404"}
    ),
    # bookings of the partner's own listings (the hotel is other_partner's)
    "api.list_bookings": Rule("/api/v1/bookings", PARTNERS, api=True),
    "api.get_booking": Rule(
        "/api/v1/bookings/{booking}", {"other_partner"}, api=True, expect={"partner": "404"}
    ),
    # other_partner is let in; without an Idempotency-Key header it gets 422.
    "api.cancel_booking": Rule(
        "/api/v1/bookings/{booking}/cancel", {"other_partner"}, api=True, expect={"partner": "404"}
    ),
    # search for partners: a key without parameters gets past the checks (422)
    "api.search_flights": Rule("/api/v1/search/flights", PARTNERS, api=True),
    "api.search_hotels": Rule("/api/v1/search/hotels", PARTNERS, api=True),
    "api.search_cars": Rule("/api/v1/search/cars", PARTNERS, api=True),
    # other_partner is allowed in but sends no file: 400 still proves it got past the checks.
    "api.add_photo": Rule(
        "/api/v1/listings/hotel/{hotel}/photos",
        {"other_partner"},
        api=True,
        expect={"partner": "404"},
    ),
    "api.remove_photo": Rule(
        "/api/v1/listings/hotel/{hotel}/photos/{hotel_photo}",
        {"other_partner"},
        api=True,
        expect={"partner": "404"},
    ),
}


def allowed_roles(rule: Rule, method: str = "GET") -> frozenset[str]:
    allowed = rule.by_method.get(method, rule.allowed)
    if isinstance(allowed, str):
        return roles_with(allowed)
    return frozenset(allowed)


def build_world(app, make_user, make_provider) -> dict:
    """Accounts for every role plus one object of each kind, owned by `traveler`/`partner`."""
    from app.auth.services import make_password_token
    from app.core.models import DeadLetter
    from app.extensions import db, mongo
    from app.partners.services import create_key
    from app.users.models import LoyaltyAccount, PaymentCard, UserPhoto

    users = {role: make_user(role) for role in ADMINS}
    users["traveler"] = make_user("traveler", email="owner@example.com")
    users["other_traveler"] = make_user("traveler", email="other@example.com")
    users["partner"] = make_user("partner", provider=make_provider("Skyline Air"))
    users["other_partner"] = make_user(
        "partner", provider=make_provider("Coastline Hotels", "hotel")
    )
    target_admin = make_user("analyst", email="target-admin@example.com")
    owner = users["traveler"]
    card = PaymentCard(
        user_id=owner.id,
        token="tok_sim_amatrix",
        brand="visa",
        last4="4242",
        exp_month=8,
        exp_year=2030,
        holder_name="Owner",
    )
    loyalty = LoyaltyAccount(user_id=owner.id, program="Delta SkyMiles", number="DL123456")
    for traveler in (owner, users["other_traveler"]):
        db.session.add(
            UserPhoto(user_id=traveler.id, content=b"\xff\xd8jpeg", updated_at=datetime(2026, 1, 1))
        )
        traveler.photo_updated_at = datetime(2026, 1, 1)
        db.session.add(traveler)
    dead = DeadLetter(
        event_id="e" * 36,
        event_type="system.ping",
        handler="analytics.raw_event_log",
        envelope='{"id": "' + "e" * 36 + '", "type": "system.ping", "key": "x", "data": {}}',
        error="boom",
        attempts=3,
    )
    db.session.add_all([card, loyalty, dead])
    db.session.commit()
    keys = {}
    for role in PARTNERS:
        row, clear = create_key(users[role], f"{role} key")
        keys[role] = (row, clear)
    from app.listings import services as listings
    from app.listings.media import add_photo
    from tests.listings.factories import hotel_input

    hotel = listings.create_listing(
        "hotel", hotel_input(provider_id=users["other_partner"].provider_id), None
    )
    db.session.commit()
    review = mongo.db.reviews.insert_one(
        {
            "_id": "review-of-owner",
            "author_id": owner.id,
            "title": "Mine",
            "rating": 4,
            "text": "Good",
            "created_at": datetime(2026, 1, 1),
            "listing_kind": "hotel",
            "trip_date": datetime(2025, 12, 1),
            "author_name": "Owner O.",
            "helpful": 0,
            "listing_id": hotel.id,
            "listing_title": hotel.title,
        }
    ).inserted_id
    booking, bill = _paid_booking(owner, hotel)
    media = mongo.put_file(b"\xff\xd8jpeg", "room.jpg", "image/jpeg")
    hotel_photo = add_photo(hotel, _jpeg(), "room.jpg", "", None)["_id"]
    return {
        "users": users,
        "keys": {role: clear for role, (row, clear) in keys.items()},
        "fill": {
            "traveler": owner.id,
            "target_admin": target_admin.id,
            "partner_user": users["partner"].id,
            "card": card.id,
            "loyalty": loyalty.id,
            "review": review,
            "dead_letter": dead.id,
            "api_key": keys["partner"][0].id,
            "reset_token": make_password_token(owner),
            "hotel": hotel.id,
            "hotel_provider": hotel.provider_id,
            "media": media,
            "hotel_photo": hotel_photo,
            "booking": booking,
            "bill": bill,
        },
    }


def _paid_booking(owner, hotel) -> tuple[str, str]:
    """A confirmed, paid stay of the owner at the hotel: (reference, billing id)."""
    from datetime import date, timedelta

    from app.bookings import services
    from app.bookings.models import BillingRecord
    from app.extensions import db
    from app.payments.cards import check_card

    check_in = date.today() + timedelta(days=40)
    request = services.BookingRequest(
        "hotel", hotel_id=hotel.id, room_type_id=hotel.rooms[0].id, check_in=check_in,
        check_out=check_in + timedelta(days=2),
    )  # fmt: skip
    booking = services.hold(
        owner, request, [services.TravelerInput("Owner", "O")], "owner@example.com", None, "world"
    )
    card = services.CardChoice(card=check_card("4242424242424242", "12/30", "123"), holder_name="O")
    booking = services.pay(booking, owner, card, "world")
    bill = db.session.scalar(db.select(BillingRecord.billing_id))
    return booking.reference, bill


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 300), (30, 90, 160)).save(out, "JPEG")
    return out.getvalue()


def expected(rule: Rule, method: str, role: str) -> str:
    if role in rule.expect:
        return rule.expect[role]
    if role in allowed_roles(rule, method):
        return "allow"
    if rule.api:
        return "401"
    if role == "anonymous":
        return "signin"
    if role in rule.foreign:
        return "404"
    return "403"


def outcome(response) -> str:
    status = response.status_code
    location = response.headers.get("Location", "")
    if status in (301, 302, 303) and "/auth/signin" in location and "next=" in location:
        return "signin"
    if status in (401, 403, 404):
        return str(status)
    if status >= 500:
        return f"error {status}"
    return "allow"


def call(app, world, role: str, endpoint: str, method: str, url: str):
    from tests.conftest import IsolatedClient  # noqa: F401  (the app's client class)

    client = app.test_client()
    user = world["users"].get(role)
    if user is not None:
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
    headers = {}
    if MATRIX[endpoint].api and role in world["keys"]:
        headers["Authorization"] = f"Bearer {world['keys'][role]}"
    if method == "GET":
        return client.get(url, headers=headers)
    token = csrf_token_for(client)
    return client.open(url, method=method, data={"csrf_token": token}, headers=headers)


def endpoint_methods(app) -> list[tuple[str, str]]:
    pairs = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            pairs.add((rule.endpoint, method))
    return sorted(pairs)


def _routes():
    """(endpoint, method) pairs of the app, collected without a fixture at import."""
    import os

    os.environ.setdefault("APP_ENV", "testing")
    from app import create_app

    return endpoint_methods(create_app("testing"))


ROUTES = _routes()


def test_every_route_is_in_the_matrix(app):
    endpoints = {endpoint for endpoint, _ in endpoint_methods(app)}
    missing = sorted(endpoints - set(MATRIX))
    assert not missing, f"routes with no entry in tests/test_access_matrix.py MATRIX: {missing}"
    stale = sorted(set(MATRIX) - endpoints)
    assert not stale, f"MATRIX lists endpoints the app no longer has: {stale}"


@pytest.mark.parametrize("endpoint, method", ROUTES, ids=[f"{e}-{m}" for e, m in ROUTES])
def test_route_lets_in_only_the_right_roles(app, make_user, make_provider, endpoint, method):
    if endpoint not in MATRIX:
        pytest.fail(f"{endpoint} is not in MATRIX (see test_every_route_is_in_the_matrix)")
    rule = MATRIX[endpoint]
    # A GET changes nothing, and neither may a refused request; a POST that is
    # let in may (it deletes the card...), so the next role gets a fresh world.
    world = build_world(app, make_user, make_provider)
    wrong = []
    for role in ROLES:
        url = rule.url.format(**world["fill"])
        response = call(app, world, role, endpoint, method, url)
        want, got = expected(rule, method, role), outcome(response)
        if want != got:
            wrong.append(f"{role:15} {method} {url} -> {response.status_code} ({got}), want {want}")
        if method != "GET" and got == "allow":
            empty_all_stores(app)
            world = build_world(app, make_user, make_provider)
    assert not wrong, "\n".join(wrong)


def test_partners_see_only_their_own_provider_through_the_api(app, make_user, make_provider):
    world = build_world(app, make_user, make_provider)
    client = app.test_client()
    for role in PARTNERS:
        body = client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {world['keys'][role]}"}
        ).get_json()
        assert body["provider"]["id"] == world["users"][role].provider_id


def test_the_matrix_uses_real_sign_in_too(app, make_user, make_provider):
    """The session shortcut above matches what a real sign-in produces."""
    world = build_world(app, make_user, make_provider)
    client = app.test_client()
    client.post(
        "/auth/signin",
        data={
            "csrf_token": csrf_token_for(client),
            "email": "owner@example.com",
            "password": PASSWORD,
        },
    )
    assert client.get("/account").status_code == 200
    assert client.get(f"/admin/users/{world['fill']['traveler']}").status_code == 403
