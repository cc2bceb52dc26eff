"""Reports read from the rollups only: a period picks the grain (months for a
year, days for a month or a custom range), so a report reads at most a few
hundred small documents whatever the number of raw events behind them."""

from __future__ import annotations

import calendar
import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from app.analytics import rollups
from app.extensions import mongo

MAX_DAYS = 366


class BadPeriod(ValueError):
    """The period arguments are wrong; the message says how."""


@dataclass(frozen=True)
class Period:
    """A reporting period: a year read by month, a month or a range read by day."""

    start: date
    end: date  # inclusive
    label: str
    grain: str  # "day" or "month"

    def key(self, day: date) -> str:
        return day.isoformat() if self.grain == "day" else day.isoformat()[:7]

    def buckets(self) -> list[str]:
        """Every period key in order, so a chart shows the empty days too."""
        if self.grain == "month":
            return [f"{self.start.year:04d}-{m:02d}" for m in range(1, 13)]
        return [
            (self.start + timedelta(days=n)).isoformat()
            for n in range((self.end - self.start).days + 1)
        ]

    def args(self) -> dict[str, str]:
        """The query arguments that give this period back (links, CSV)."""
        if self.grain == "month":
            return {"year": self.label}
        if len(self.label) == 7:
            return {"month": self.label}
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def parse_period(args, today: date | None = None) -> Period:
    """?year=2026, ?month=2026-11 or ?from=2026-11-01&to=2026-11-20; default: this month.

    Raises BadPeriod with a message that names the argument and the fix.
    """
    today = today or date.today()
    year, month = args.get("year", "").strip(), args.get("month", "").strip()
    start, end = args.get("from", "").strip(), args.get("to", "").strip()
    if year:
        if not (year.isdigit() and 2000 <= int(year) <= 2100):
            raise BadPeriod("year must be a year such as 2026.")
        y = int(year)
        return Period(date(y, 1, 1), date(y, 12, 31), year, "month")
    if start or end:
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            raise BadPeriod("from and to must both be dates such as 2026-11-01.") from None
        if last < first:
            raise BadPeriod("to must be on or after from.")
        if (last - first).days >= MAX_DAYS:
            raise BadPeriod(f"a custom range can span at most {MAX_DAYS} days; pick a year.")
        return Period(first, last, f"{first} to {last}", "day")
    label = month or today.isoformat()[:7]
    try:
        y, m = (int(p) for p in label.split("-"))
        first = date(y, m, 1)
    except ValueError:
        raise BadPeriod("month must look like 2026-11.") from None
    return Period(first, date(y, m, calendar.monthrange(y, m)[1]), label, "day")


def _read(collection: str, period: Period, **match) -> list[dict]:
    query = {
        "grain": period.grain,
        "period": {"$gte": period.key(period.start), "$lte": period.key(period.end)},
        **match,
    }
    return list(mongo.db[collection].find(query))


def traffic(period: Period, page: str | None = None) -> dict:
    """Views per page, and views and clicks per section (of one page, or all)."""
    docs = _read(rollups.TRAFFIC, period, **({"page": page} if page else {}))
    pages, sections = Counter(), defaultdict(Counter)
    for d in docs:
        if d["section"]:
            sections[(d["page"], d["section"])][d["action"]] += d["n"]
        else:
            pages[d["page"]] += d["n"]
    return {
        "pages": pages.most_common(),
        "sections": sorted(
            ((p, s, c["view"], c["click"]) for (p, s), c in sections.items()),
            key=lambda row: (-row[2], row[0], row[1]),
        ),
    }


def searches(period: Period) -> dict:
    """Searches per kind over time, and the places most searched."""
    docs = _read(rollups.SEARCHES, period)
    labels = period.buckets()
    per_kind: dict[str, Counter] = defaultdict(Counter)
    places = Counter()
    for d in docs:
        if d["place"]:
            places[(d["kind"], d["place"])] += d["n"]
        else:
            per_kind[d["kind"]][d["period"]] += d["n"]
    return {
        "labels": labels,
        "series": {kind: [c.get(label, 0) for label in labels] for kind, c in per_kind.items()},
        "top_places": places.most_common(10),
    }


def listing_views(period: Period, provider_id: int | None = None) -> list[tuple]:
    """(kind, listing id, provider id, views) per listing, most viewed first."""
    match = {"provider_id": provider_id} if provider_id is not None else {}
    views = Counter()
    owners = {}
    for d in _read(rollups.LISTING_VIEWS, period, **match):
        key = (d["kind"], d["listing_id"])
        views[key] += d["n"]
        owners[key] = d.get("provider_id")
    return [(kind, lid, owners[(kind, lid)], n) for (kind, lid), n in views.most_common()]


def to_csv(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
