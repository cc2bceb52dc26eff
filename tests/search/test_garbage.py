"""Garbage in every search parameter, on the pages and the API: a result or a
message (200 or 422), never a 500."""

import pytest

from app.extensions import db
from app.partners.services import create_key
from tests.search.conftest import DAY, iso
from tests.test_garbage_input import GARBAGE

BASE = {
    "flights": {"trip": "round", "from": "SFO", "to": "JFK", "depart": iso(DAY),
                "return": iso(DAY, 3)},
    "hotels": {"where": "Chicago", "checkin": iso(DAY), "checkout": iso(DAY, 2)},
    "cars": {"where": "LAX", "pickup": f"{iso(DAY)}T10:00", "dropoff": f"{iso(DAY, 2)}T10:00"},
}  # fmt: skip
PARAMS = {
    "flights": ["trip", "from", "to", "depart", "return", "travelers", "cabin", "sort", "page",
                "stops", "airline", "via", "dep", "arr", "rdep", "rarr", "max_hours",
                "price_min", "price_max"],
    "hotels": ["where", "checkin", "checkout", "guests", "rooms", "sort", "page", "price_min",
               "price_max", "stars", "rating", "amenity", "free_cancel", "pets", "breakfast"],
    "cars": ["where", "pickup", "dropoff", "sort", "page", "price_min", "price_max", "type",
             "company", "seats", "transmission"],
}  # fmt: skip
MORE = ["NaN", "Infinity", "1e999999", "2026-02-30", "2026-W01-1", "٣", "0", "1,2,3", "[]"]


@pytest.mark.parametrize("kind", sorted(PARAMS))
def test_garbage_in_every_search_parameter(client, make_user, make_provider, kind):
    user = make_user("partner", provider=make_provider("Garbage Air"))
    _, secret = create_key(user, "garbage")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    wrong = []
    for name in PARAMS[kind]:
        for value in GARBAGE + MORE:
            args = {**BASE[kind], name: value}
            for path, extra in ((f"/search/{kind}", {}), (f"/api/v1/search/{kind}", headers)):
                status = client.get(path, query_string=args, headers=extra).status_code
                if status not in (200, 422):
                    wrong.append(f"{path} {name}={value[:30]!r} -> {status}")
    assert not wrong, "\n".join(wrong)
