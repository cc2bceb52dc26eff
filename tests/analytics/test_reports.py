"""Reports read rollups for a period; admins see all, partners their own provider."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from app.analytics import reports, rollups
from app.core.events import make_envelope
from app.extensions import db
from app.listings import services
from tests.listings import factories as f


def at(day: str, type_: str, key: str, data: dict) -> dict:
    envelope = make_envelope(type_, key, data)
    envelope["occurred_at"] = f"{day}T12:00:00+00:00"
    return envelope


@pytest.mark.parametrize(
    "args, expected",
    [
        ({"year": "2026"}, (date(2026, 1, 1), date(2026, 12, 31), "month")),
        ({"month": "2026-02"}, (date(2026, 2, 1), date(2026, 2, 28), "day")),
        ({"from": "2026-11-01", "to": "2026-11-03"}, (date(2026, 11, 1), date(2026, 11, 3), "day")),
        ({}, (date(2026, 11, 1), date(2026, 11, 30), "day")),
    ],
)
def test_periods(args, expected):
    period = reports.parse_period(MultiDict(args), today=date(2026, 11, 25))
    assert (period.start, period.end, period.grain) == expected


@pytest.mark.parametrize(
    "args, message",
    [
        ({"year": "26"}, "year must be"),
        ({"month": "2026-13"}, "month must look like"),
        ({"from": "2026-11-05", "to": "2026-11-01"}, "on or after"),
        ({"from": "2026-11-05"}, "both be dates"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "at most 366 days"),
    ],
)
def test_bad_periods_say_what_to_fix(args, message):
    with pytest.raises(reports.BadPeriod, match=message):
        reports.parse_period(MultiDict(args))


def test_reports_count_only_the_period_asked(app_ctx):
    rollups.count_batch(
        [
            at("2026-11-02", "search.performed", "flight",
               {"kind": "flight", "query": {"from": "SFO", "to": "JFK"}}),
            at("2026-11-02", "search.performed", "flight",
               {"kind": "flight", "query": {"from": "SFO", "to": "JFK"}}),
            at("2026-10-30", "search.performed", "hotel",
               {"kind": "hotel", "query": {"where": "Boston"}}),
            at("2026-11-03", "page.viewed", "main.index", {"page": "main.index"}),
        ]
    )  # fmt: skip
    november = reports.parse_period(MultiDict({"month": "2026-11"}))
    searched = reports.searches(november)
    assert searched["top_places"] == [(("flight", "SFO-JFK"), 2)]
    assert searched["series"]["flight"][1] == 2 and sum(searched["series"]["flight"]) == 2
    assert len(searched["labels"]) == 30
    year = reports.searches(reports.parse_period(MultiDict({"year": "2026"})))
    assert year["series"]["flight"][10] == 2 and year["series"]["hotel"][9] == 1
    assert reports.traffic(november)["pages"] == [("main.index", 1)]


def test_admin_reads_the_reports_and_exports_csv(login_as, make_user, app_ctx):
    rollups.count_batch([at("2026-11-02", "page.viewed", "main.index", {"page": "main.index"})] * 1)
    analyst = login_as(make_user("analyst"))
    page = analyst.get("/admin/analytics?month=2026-11")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "main.index" in html and 'class="report-chart"' in html
    csv = analyst.get("/admin/analytics/pages.csv?month=2026-11")
    assert csv.mimetype == "text/csv"
    assert csv.get_data(as_text=True).splitlines() == ["page,views", "main.index,1"]
    bad = analyst.get("/admin/analytics?month=2026-13")
    assert bad.status_code == 400 and "month must look like" in bad.get_data(as_text=True)


def test_partners_see_their_own_listings_views_and_the_least_seen(
    login_as, make_user, make_provider, app_ctx
):
    rental = make_provider("Desert Cars", kind="car_rental")
    other = make_provider("Other Cars", kind="car_rental")
    seen = services.create_listing("car", f.car_input(provider_id=rental.id), None)
    unseen = services.create_listing(
        "car", f.car_input(provider_id=rental.id, model="Corolla"), None
    )
    theirs = services.create_listing("car", f.car_input(provider_id=other.id), None)
    db.session.commit()
    today = date.today().isoformat()
    rollups.count_batch(
        [at(today, "listing.viewed", f"car:{seen.id}",
            {"kind": "car", "id": seen.id, "provider_id": rental.id})] * 1
        + [at(today, "listing.viewed", f"car:{theirs.id}",
              {"kind": "car", "id": theirs.id, "provider_id": other.id})]
    )  # fmt: skip
    partner = login_as(make_user("partner", provider=rental))
    html = partner.get("/partner/analytics").get_data(as_text=True)
    assert f"/cars/{seen.id}" in html and f"/cars/{unseen.id}" in html
    assert f"/cars/{theirs.id}" not in html
    least = html.split("Least seen")[1]
    assert least.index(f"/cars/{unseen.id}") < least.index(f"/cars/{seen.id}")
    admin = login_as(make_user("admin"))
    assert f"/cars/{theirs.id}" in admin.get(f"/admin/analytics/providers/{other.id}").get_data(
        as_text=True
    )
