"""Odd values of every JSON type in every listing field: a 422, never a 500."""

import pytest

from app.extensions import db
from app.partners.services import create_key
from tests.listings import factories as f

ODD = [None, True, 0, -1, 10**30, 1.5e308, float("nan"), "", " ", "\x00", "💥" * 50,
       "9" * 5000, [], ["x"], {}, {"a": 1}, "1e9", "NaN", "Infinity", "-0", "<script>"]  # fmt: skip
INPUTS = {"flight": f.flight_input, "hotel": f.hotel_input, "car": f.car_input}
OWNERS = {"flight": "airline", "hotel": "hotel", "car": "car_rental"}


@pytest.fixture()
def headers_for(make_user, make_provider):
    def make(kind):
        user = make_user("partner", provider=make_provider(kind=OWNERS[kind]))
        _, secret = create_key(user, "garbage")
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}

    return make


@pytest.mark.parametrize("kind", ["flight", "hotel", "car"])
def test_api_never_500s_on_odd_values(client, headers_for, kind):
    import json

    headers = {**headers_for(kind), "Content-Type": "application/json"}
    base = INPUTS[kind]()
    nested = {"flight": ["cabins.economy"], "hotel": ["rooms.0"], "car": []}[kind]
    for field in list(base) + nested:
        for value in ODD:
            data = json.loads(json.dumps(base))
            if field == "cabins.economy":
                data["cabins"]["economy"] = value
            elif field == "rooms.0":
                data["rooms"][0] = value
            else:
                data[field] = value
            body = json.dumps(data, allow_nan=True)
            r = client.post(f"/api/v1/listings/{kind}", data=body, headers=headers)
            assert r.status_code in (201, 400, 422), (field, value, r.status_code, r.data[:300])
            if r.status_code == 422:
                assert r.get_json()["errors"], (field, value)


@pytest.mark.parametrize("kind", ["flight", "hotel", "car"])
def test_patch_never_500s_and_a_refusal_changes_nothing(client, headers_for, kind):
    import json

    headers = {**headers_for(kind), "Content-Type": "application/json"}
    created = client.post(f"/api/v1/listings/{kind}", json=INPUTS[kind](), headers=headers)
    url = created.headers["Location"]
    before = client.get(url, headers=headers).get_json()
    for field in INPUTS[kind]():
        for value in ODD:
            body = json.dumps({field: value}, allow_nan=True)
            r = client.patch(url, data=body, headers=headers)
            assert r.status_code in (200, 400, 422), (field, value, r.status_code, r.data[:300])
            if r.status_code == 200:  # an accepted odd value (e.g. ZIP as a number): restore
                client.patch(url, json={field: INPUTS[kind]()[field]}, headers=headers)
    after = client.get(url, headers=headers).get_json()
    assert after == before
