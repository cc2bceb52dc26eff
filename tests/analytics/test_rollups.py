"""Rollups counted at ingestion, and the beacon that feeds them (real FerretDB,
Redis and, end to end, Kafka and an RQ worker)."""

from __future__ import annotations

import json

import pytest

from app.analytics import rollups
from app.analytics.routes import VISITOR_COOKIE
from app.core.events import make_envelope
from app.extensions import activity, mongo
from tests.conftest import Process, wait_for


def views(*pages_and_sections):
    out = []
    for item in pages_and_sections:
        if isinstance(item, tuple):
            page, section, action = item
            out.append(
                make_envelope(
                    "section.viewed", page, {"page": page, "section": section, "action": action}
                )
            )
        else:
            out.append(make_envelope("page.viewed", item, {"page": item}))
    return out


def counts(collection, grain="day"):
    found = mongo.db[collection].find({"grain": grain})
    return {d["_id"].split("|", 1)[1]: d["n"] for d in found}


def test_a_batch_is_counted_once_per_event_even_when_delivered_twice(app_ctx):
    batch = views(
        "main.index",
        "main.index",
        ("listings.detail", "reviews", "view"),
        ("listings.detail", "reviews", "click"),
        ("listings.detail", "reviews", "click"),
    )
    listing = make_envelope(
        "listing.viewed", "hotel:7", {"kind": "hotel", "id": 7, "provider_id": 3}
    )
    search = make_envelope(
        "search.performed", "flight", {"kind": "flight", "query": {"from": "sfo", "to": "JFK"}}
    )
    assert rollups.count_batch([*batch, listing, search]) == 7
    assert rollups.count_batch([*batch, listing, search]) == 0  # redelivered: no change
    assert counts(rollups.TRAFFIC) == {
        "main.index||view": 2,
        "listings.detail|reviews|view": 1,
        "listings.detail|reviews|click": 2,
    }
    assert counts(rollups.TRAFFIC, "month") == counts(rollups.TRAFFIC, "day")
    (doc,) = mongo.db[rollups.LISTING_VIEWS].find({"grain": "day"})
    assert (doc["kind"], doc["listing_id"], doc["provider_id"], doc["n"]) == ("hotel", 7, 3, 1)
    assert doc["period"] == listing["occurred_at"][:10]
    assert counts(rollups.SEARCHES) == {"flight|": 1, "flight|SFO-JFK": 1}


def test_a_failed_write_leaves_the_events_to_be_counted_by_the_retry(app_ctx, monkeypatch):
    batch = views("main.index")

    def broken(totals):
        raise RuntimeError("document store away")

    monkeypatch.setattr(rollups, "apply", broken)
    with pytest.raises(RuntimeError):
        rollups.count_batch(batch)
    monkeypatch.undo()
    assert rollups.count_batch(batch) == 1
    assert counts(rollups.TRAFFIC) == {"main.index||view": 1}


@pytest.fixture()
def tracked(monkeypatch):
    calls = []
    monkeypatch.setattr(activity, "track", lambda *a, **kw: calls.append((a, kw)))
    return calls


def beacon(client, payload, **headers):
    return client.post(
        "/beacon", data=json.dumps(payload), headers=headers, content_type="application/json"
    )


def test_the_beacon_tracks_views_and_clicks_with_a_visitor_id(client, tracked):
    payload = {
        "page": "listings.detail",
        "view": True,
        "events": [{"section": "reviews"}, {"section": "book-box", "action": "click"}],
    }
    response = beacon(client, payload)
    assert response.status_code == 204
    visitor = response.headers["Set-Cookie"].split(f"{VISITOR_COOKIE}=")[1].split(";")[0]
    assert len(visitor) == 32 and "HttpOnly" in response.headers["Set-Cookie"]
    kinds = [(a[0], kw["data"].get("section"), kw["data"].get("action")) for a, kw in tracked]
    assert kinds == [
        ("page.viewed", None, None),
        ("section.viewed", "reviews", "view"),
        ("section.viewed", "book-box", "click"),
    ]
    assert {kw["data"]["visitor"] for _, kw in tracked} == {visitor}
    # The same visitor keeps the same id.
    tracked.clear()
    assert beacon(client, {"page": "main.index", "view": True}).status_code == 204
    assert tracked[0][1]["data"]["visitor"] == visitor


@pytest.mark.parametrize("header", ["DNT", "Sec-GPC"])
def test_do_not_track_means_nothing_is_tracked(client, tracked, header):
    response = beacon(client, {"page": "main.index", "view": True}, **{header: "1"})
    assert response.status_code == 204 and not tracked
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "payload, message",
    [
        ([1, 2], "JSON object"),
        ({"page": "<script>"}, "page must be"),
        ({"page": "main.index", "events": "x"}, "list of at most"),
        ({"page": "main.index", "events": [{"section": "a"}] * 41}, "list of at most"),
        ({"page": "main.index", "events": [{"section": 5}]}, "needs a section"),
        ({"page": "main.index", "events": [{"section": "a", "action": "hover"}]}, "action"),
    ],
)
def test_bad_beacons_get_a_specific_400(client, tracked, payload, message):
    response = beacon(client, payload)
    assert response.status_code == 400 and message in response.get_json()["detail"]
    assert not tracked


def test_the_privacy_note_explains_tracking_and_how_to_refuse_it(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert "Do Not Track" in html and "Global Privacy Control" in html


def test_beacons_reach_the_rollups_through_kafka(app_ctx, client, pipeline, tmp_path):
    consumer = Process("activity", ["-m", "workers.activity"], tmp_path).start()
    try:
        for _ in range(3):
            beacon(
                client,
                {
                    "page": "main.index",
                    "view": True,
                    "events": [{"section": "search-box", "action": "click"}],
                },
            )
        assert activity.flush(15)
        wait_for(
            lambda: counts(rollups.TRAFFIC).get("main.index|search-box|click") == 3,
            60,
            message=lambda: consumer.log_tail() + pipeline["worker"].log_tail(),
        )
        assert counts(rollups.TRAFFIC)["main.index||view"] == 3
        assert mongo.db.events.count_documents({"type": "section.viewed"}) == 3  # raw log too
    finally:
        consumer.stop()


def test_the_raw_log_takes_a_batch_once_even_when_redelivered(app_ctx):
    from app.analytics import services

    batch = views("main.index", ("main.index", "search-box", "click"))
    assert services.record_raw_events(batch) == 2
    again = [*batch, *views("auth.signin")]
    assert services.record_raw_events(again) == 1  # only the new one
    assert mongo.db.events.count_documents({}) == 3
