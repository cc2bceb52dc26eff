"""The OpenAPI document of /api/v1: valid, complete, served, readable, and true on the
success paths (the fuzzer, test_openapi_fuzz.py, mostly sees refusals)."""

from __future__ import annotations

import io
import itertools
import re
import shutil

import pytest
import schemathesis
from openapi_spec_validator import validate
from PIL import Image

from app.api.openapi import FragmentError, assemble, fragment_files
from app.extensions import db
from app.partners.services import create_key
from tests.conftest import ROOT
from tests.listings import factories as f

APP_ROOT = ROOT / "app"
METHODS = ("get", "put", "post", "patch", "delete")
CONVERTER = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def document():
    return assemble(fragment_files(APP_ROOT))


# -- the document -------------------------------------------------------------------


def test_the_assembled_document_is_valid_openapi_3_1():
    doc = document()
    validate(doc)  # raises with the first problem it finds
    assert doc["openapi"] == "3.1.0" and doc["servers"] == [{"url": "/api/v1"}]
    ids = [op["operationId"] for item in doc["paths"].values() for m, op in item.items()
           if m in METHODS]  # fmt: skip
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_every_fragment_of_a_domain_is_in_the_document():
    files = fragment_files(APP_ROOT)
    assert files[0] == APP_ROOT / "api" / "openapi.yaml"
    assert APP_ROOT / "listings" / "openapi.yaml" in files
    paths = document()["paths"]
    assert {"/me", "/openapi.json", "/docs", "/listings", "/listings/car/{listing_id}"} <= set(
        paths
    )


def _openapi_paths(rule: str) -> list[str]:
    """Werkzeug rule -> OpenAPI path(s); an any(...) converter gives one path per option."""
    choices, template = [], rule
    for match in CONVERTER.finditer(rule):
        converter, args, name = match.groups()
        if converter == "any":
            choices.append([a.strip().strip("'\"") for a in args.split(",")])
            template = template.replace(match.group(0), "\0", 1)
        else:
            template = template.replace(match.group(0), "{" + name + "}", 1)
    paths = []
    for picked in itertools.product(*choices):
        path = template
        for value in picked:
            path = path.replace("\0", value, 1)
        paths.append(path)
    return paths


def test_every_api_route_is_described_and_every_description_is_a_route(app):
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for path in _openapi_paths(rule.rule.removeprefix("/api/v1")):
                routed.add((method.lower(), path))
    described = {
        (method, path)
        for path, item in document()["paths"].items()
        for method in item
        if method in METHODS
    }
    assert sorted(routed - described) == [], "routes under /api/v1 missing from the document"
    assert sorted(described - routed) == [], "operations in the document with no route"


def test_a_new_domains_fragment_is_picked_up_and_clashes_are_refused(tmp_path):
    root = tmp_path / "app"
    for domain in ("api", "listings"):
        (root / domain).mkdir(parents=True)
        shutil.copy(APP_ROOT / domain / "openapi.yaml", root / domain / "openapi.yaml")
    (root / "zoo").mkdir()
    fragment = root / "zoo" / "openapi.yaml"
    fragment.write_text(
        "paths:\n  /zoo:\n    get:\n      operationId: getZoo\n      tags: [zoo]\n"
        "      responses:\n        '200': {description: ok}\n"
        "components:\n  schemas:\n    Money: {type: string, pattern: '^-?\\d+\\.\\d{2}$', "
        "description: 'US dollars, two decimals.'}\n"
    )
    doc = assemble(fragment_files(root))
    assert "/zoo" in doc["paths"] and {"name": "zoo"} in doc["tags"]
    validate(doc)

    fragment.write_text("components:\n  schemas:\n    Money: {type: number}\n")
    with pytest.raises(FragmentError, match="components.schemas.Money differently"):
        assemble(fragment_files(root))
    fragment.write_text("paths:\n  /me:\n    get: {responses: {'200': {description: x}}}\n")
    with pytest.raises(FragmentError, match="/me, already in api/openapi.yaml"):
        assemble(fragment_files(root))
    fragment.write_text("info: {title: mine}\n")
    with pytest.raises(FragmentError, match="may only have"):
        assemble(fragment_files(root))


# -- serving it ---------------------------------------------------------------------


def test_the_document_is_public_cacheable_and_the_same_as_assembled(client, app_ctx):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.get_json() == document()
    assert r.headers["Cache-Control"] == "public, max-age=300"
    assert "Authorization" not in r.headers.get("Vary", "")
    assert "Set-Cookie" not in r.headers
    etag = r.headers["ETag"]
    again = client.get("/api/v1/openapi.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_the_docs_page_lists_every_operation_without_inline_script(client, app_ctx):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200 and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    for item in document()["paths"].values():
        for method, operation in item.items():
            if method in METHODS:
                assert f'id="op-{operation["operationId"]}"' in html
    assert 'id="schema-FlightInput"' in html and 'href="#schema-Flight"' in html
    # CSP allows scripts from the app only: every <script> has a src.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "Content-Security-Policy" in r.headers
    assert "Set-Cookie" not in r.headers  # a visitor gets no session from reading it


def test_the_partner_portal_links_to_the_docs(make_user, login_as):
    partner = make_user("partner")
    html = login_as(partner).get("/partner").get_data(as_text=True)
    assert 'href="/api/v1/docs"' in html


# -- the success paths answer what the document says ----------------------------------


@pytest.fixture(scope="module")
def schema():
    return schemathesis.openapi.from_dict(document())


def conforms(schema, method: str, path: str, response) -> None:
    """The status is documented for the operation, with this content type and a body
    that matches its schema (raises with schemathesis's explanation otherwise)."""
    operation = schema[path][method.upper()]
    responses = operation.definition.raw["responses"]
    assert str(response.status_code) in responses, (method, path, response.status_code)
    if response.status_code != 204 and response.status_code != 304:
        content = responses[str(response.status_code)]
        content = content if "content" in content else _ref(schema, content)
        assert response.mimetype in content["content"], (path, response.mimetype)
    operation.validate_response(response)


def _ref(schema, node):
    target = schema.raw_schema
    for part in node["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    return target


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 90, 20)).save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    "kind, provider_kind, patch",
    [
        ("flight", "airline", {"cabins": {"economy": {"fare": "249.00", "seats_total": 180}}}),
        ("hotel", "hotel", {"stars": 5, "amenities": ["pool"]}),
        ("car", "car_rental", {"daily_price": 59.5, "available": False}),
    ],
)
def test_a_listings_life_answers_as_documented(
    client, make_user, make_provider, schema, kind, provider_kind, patch
):
    user = make_user("partner", provider=make_provider(kind=provider_kind))
    _, secret = create_key(user, "tests")
    db.session.commit()
    key = {"Authorization": f"Bearer {secret}"}
    inputs = {"flight": f.flight_input, "hotel": f.hotel_input, "car": f.car_input}[kind]()

    r = client.post(f"/api/v1/listings/{kind}", json=inputs, headers=key)
    conforms(schema, "post", f"/listings/{kind}", r)
    assert r.status_code == 201
    item = f"/listings/{kind}/{{listing_id}}"
    url = r.headers["Location"]
    conforms(schema, "get", item, client.get(url, headers=key))
    r = client.patch(url, json=patch, headers=key)
    conforms(schema, "patch", item, r)
    assert r.status_code == 200 and r.get_json()["changed"]
    conforms(schema, "patch", item, client.patch(url, json={"year": "1800", "stars": 0,
             "origin": "XXX"}, headers=key))  # fmt: skip
    conforms(schema, "get", "/listings", client.get(f"/api/v1/listings?kind={kind}", headers=key))
    conforms(schema, "get", "/me", client.get("/api/v1/me", headers=key))

    photos = f"{url}/photos"
    r = client.post(photos, headers=key, content_type="multipart/form-data",
                    data={"photo": (io.BytesIO(_jpeg()), "p.jpg"), "caption": "Front"})  # fmt: skip
    conforms(schema, "post", f"{item}/photos", r)
    assert r.status_code == 201
    r = client.delete(f"{photos}/{r.get_json()['id']}", headers=key)
    conforms(schema, "delete", f"{item}/photos/{{photo_id}}", r)
    assert r.status_code == 204
    r = client.delete(url, headers=key)
    conforms(schema, "delete", item, r)
    assert r.status_code == 204
    conforms(schema, "get", item, client.get(url))  # 401 without a key
    conforms(schema, "patch", item, client.patch(url, json={}, headers=key))  # 404 once deleted
