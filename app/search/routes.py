"""Search pages: /search/flights, /search/hotels, /search/cars, and the place
autocomplete. One URL per result list: with `HX-Request` it answers only the
results region (filters, strip, list, pager), otherwise the whole page, so
every list can be shared, reloaded and used without JavaScript.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from urllib.parse import urlencode

from flask import g, make_response, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup, escape

from app.extensions import activity
from app.listings.models import CABINS, CAR_TYPES, TRANSMISSIONS
from app.listings.routes import listing_url
from app.listings.validation import AMENITIES, Invalid
from app.search import bp, forms, places, queries, searches

KINDS_FOR = {"flights": places.FLIGHT_KINDS, "hotels": places.STAY_KINDS, "cars": places.STAY_KINDS}
# The arguments that make a search (anything else is a filter, a sort or a page).
QUERY_FIELDS = {
    "flight": ("trip", "from", "to", "depart", "return", "travelers", "cabin"),
    "hotel": ("where", "checkin", "checkout", "guests", "rooms"),
    "car": ("where", "pickup", "dropoff"),
}
SORTS = {"flight": forms.FLIGHT_SORTS, "hotel": forms.HOTEL_SORTS, "car": forms.CAR_SORTS}


def actor():
    return current_user.get_id() if current_user.is_authenticated else None


def is_fragment() -> bool:
    """htmx asks for the results region, except when it restores history."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get(
        "HX-History-Restore-Request"
    )


def public_variant() -> str | None:
    """The cache key of this whole page when every anonymous visitor gets the
    same HTML (a full page, nobody signed in, no message waiting); else None."""
    if is_fragment() or current_user.is_authenticated or session.get("_flashes"):
        return None
    raw = request.query_string.decode("utf-8", "replace")
    if len(raw) > 600 or len(request.args) > 24:
        return None  # nothing made up to fill the cache with
    today = datetime.now(UTC).date().isoformat()  # "in the past" changes at midnight
    return f"full|{today}|" + urlencode(sorted(request.args.items(multi=True)))


def page(kind: str):
    """The search page of `kind`, or only its results region for htmx.

    A valid search's content (search box and results region) is rendered once
    and cached with the results (same catalogue version), keyed by the query,
    filters, sort and page. For anonymous visitors the whole page is cached
    too (without a session's CSRF token), so a repeated list costs one Redis
    read; every hit is still tracked as a search.
    """
    variant = public_variant()
    if variant is None:
        body, status, _ = build(kind)
    else:
        g.public_page = True  # base.html then leaves out the session's CSRF token
        body, status, event = queries.cached(kind, variant, lambda: build(kind, track=False))
        if event is not None:
            activity.track("search.performed", key=kind, data=event, actor=None)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def build(kind: str, track: bool = True) -> tuple[str, int, dict | None]:
    """(body, status, search.performed data) of this request's search page or region."""
    args = request.args
    query, errors, status = None, {}, 200
    region = main = event = None
    if any(args.get(name) for name in QUERY_FIELDS[kind]):
        try:
            query, how = searches.parse(kind, args)
        except Invalid as exc:
            errors, status = exc.errors, 422
        else:
            region, main, counts = rendered(kind, query, how)
            if track:
                searches.track(kind, query, how, counts, actor())
            else:
                event = searches.event_data(kind, query, how, counts)
    if is_fragment() and region is not None:
        return region, status, event
    if main is None:
        main = render_template(
            f"search/{kind}s.html", kind=kind, values=args, errors=errors, query=None,
            results_html=None,
        )  # fmt: skip
    html = render_template("search/_page.html", main_html=main, title=page_title(kind, query))
    return html, status, event


def rendered(kind: str, query, how) -> tuple[str, str, dict]:
    """(results region, page content, counts) of a valid search, cached."""

    def render():
        outcome = searches.outcome_for(kind, query, how)
        region = render_template(f"search/_{kind}_results.html", outcome=outcome, sorts=SORTS[kind])
        # The form shows what the search understood ("sfo" -> "San Francisco (SFO)").
        main = render_template(
            f"search/{kind}s.html", kind=kind, values=query.args(), errors={}, query=query,
            results_html=region,
        )  # fmt: skip
        refined = outcome.refined
        counts = {"total": refined.total, "unfiltered": refined.unfiltered, "page": refined.page}
        return region, main, counts

    refine_key = urlencode(sorted(how.args().items()), doseq=True)
    return queries.cached(kind, f"page|{query.key()}|{refine_key}|{how.page}", render)


def page_title(kind: str, query) -> str:
    if query is None:
        return {"flight": "Search flights", "hotel": "Search hotels", "car": "Search rental cars"}[
            kind
        ]
    if kind == "flight":
        return f"{query.origin.label} to {query.destination.label}"
    return f"{'Hotels in' if kind == 'hotel' else 'Cars at'} {query.place.label}"


@bp.get("/search/flights")
def flights():
    """Flight search: form, price strip, filters with counts, results."""
    return page("flight")


@bp.get("/search/hotels")
def hotels():
    return page("hotel")


@bp.get("/search/cars")
def cars():
    return page("car")


@bp.get("/search/places")
def suggest():
    """Autocomplete options (htmx fragment): ?kind=flights|hotels|cars&field=NAME&NAME=text."""
    target = request.args.get("kind", "flights")
    kinds = KINDS_FOR.get(target, places.FLIGHT_KINDS)
    field = request.args.get("field", "q")
    text = request.args.get(field, request.args.get("q", ""))[:120]
    found = places.index().suggest(text, kinds) if len(text.strip()) >= 2 else []
    response = make_response(
        render_template("search/_suggestions.html", found=found, field=field, text=text)
    )
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    response.vary.add("HX-Request")
    return response


# -- template helpers -------------------------------------------------------------


@bp.app_context_processor
def search_helpers():
    return {
        "search_url": search_url,
        "result_url": result_url,
        "place_datalist": place_datalist,
        "search_labels": {
            "cabins": CABINS,
            "car_types": CAR_TYPES,
            "transmissions": TRANSMISSIONS,
            "amenities": AMENITIES,
        },
        "fmt_minutes": fmt_minutes,
        "day_offset": day_offset,
        "default_dates": default_dates,
        "counts": counts,
    }


def counts(low: int, high: int, noun: str) -> list[tuple[str, str]]:
    return [(str(n), f"{n} {noun}{'s' if n != 1 else ''}") for n in range(low, high + 1)]


@cache
def place_datalist(scope: str) -> Markup:
    """The <datalist> of the biggest places (no-JS autocomplete), built once."""
    options = "".join(
        f'<option value="{escape(p.label)}">{escape(p.detail)}</option>'
        for p in places.index().popular(KINDS_FOR[scope])
    )
    return Markup(f'<datalist id="dl-{escape(scope)}">{options}</datalist>')


def search_url(outcome, **changes) -> str:
    """This result list's URL with some arguments changed (None drops one)."""
    args = {**outcome.query.args(), **outcome.how.args(), "page": outcome.refined.page}
    args.update(changes)
    if "page" not in changes and set(changes) - {"page"}:
        args.pop("page", None)  # a new filter or sort starts at page 1
    if args.get("page") == 1:
        args.pop("page")
    clean = {k: v for k, v in args.items() if v not in (None, "", [])}
    endpoint = f"search.{outcome.kind}s"
    return url_for(endpoint) + "?" + urlencode(clean, doseq=True)


def result_url(kind: str, item, query) -> str:
    """The listing page of a result, with the search's dates and party."""
    if kind == "flight":
        extra = {
            "date": item.departs_local.date().isoformat(),
            "travelers": query.travelers,
            "cabin": query.cabin,
        }
        target = _Ref("flight", item.id)
    elif kind == "hotel":
        extra = {
            "checkin": query.checkin.isoformat(),
            "checkout": query.checkout.isoformat(),
            "guests": query.guests,
            "rooms": query.rooms,
        }
        target = _Ref("hotel", item.id)
    else:
        extra = query.args()
        extra.pop("where")
        target = _Ref("car", item.id)
    return listing_url(target) + "?" + urlencode(extra)


class _Ref:
    """Just enough of a listing for listing_url()."""

    def __init__(self, kind: str, listing_id: int):
        self.kind, self.id = kind, listing_id


def fmt_minutes(minutes: int) -> str:
    return f"{minutes // 60}h {minutes % 60:02d}m"


def day_offset(later, earlier) -> int:
    return (later.date() - earlier.date()).days


def default_dates() -> dict[str, str]:
    """What the empty forms suggest: two weeks out, a three-night trip."""
    start = datetime.now(UTC).date() + timedelta(days=14)
    return {
        "depart": start.isoformat(),
        "return": (start + timedelta(days=3)).isoformat(),
        "checkin": start.isoformat(),
        "checkout": (start + timedelta(days=3)).isoformat(),
        "pickup": f"{start}T10:00",
        "dropoff": f"{start + timedelta(days=3)}T10:00",
        "today": datetime.now(UTC).date().isoformat(),
    }
