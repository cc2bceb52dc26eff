"""One entry point per search kind, shared by the pages and the partner API:
check the arguments, read the (cached) results, refine them, and report the
search as an activity event. A search stays a read: the event goes to the
activity buffer (no database write, no broker round trip in the request).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.extensions import activity
from app.search import facets, forms, queries
from app.search.refine import Refined

PARSE = {"flight": forms.flight_query, "hotel": forms.hotel_query, "car": forms.car_query}


@dataclass
class Outcome:
    kind: str
    query: Any
    how: forms.Refine
    refined: Refined
    strip: list[dict] | None = None


def parse(kind: str, args):
    """(query, refinements); raises Invalid (app.listings.validation) with a
    message per bad field."""
    return PARSE[kind](args)


def outcome_for(kind: str, query, how: forms.Refine, strip: bool = True) -> Outcome:
    """The results of a checked query, refined (not tracked)."""
    if kind == "flight":
        trips = queries.flight_results(query)
        outcome = Outcome(kind, query, how, facets.refine_flights(trips, how, query.round_trip))
        if strip:
            outcome.strip = queries.price_strip(query)
        return outcome
    if kind == "hotel":
        return Outcome(kind, query, how, facets.refine_hotels(queries.hotel_results(query), how))
    return Outcome(kind, query, how, facets.refine_cars(queries.car_results(query), how))


def run(kind: str, args, actor=None, strip: bool = True) -> Outcome:
    """Check, search, refine and track in one go (the partner API)."""
    query, how = parse(kind, args)
    outcome = outcome_for(kind, query, how, strip)
    track(outcome.kind, query, how, outcome.refined, actor)
    return outcome


def flights(args, actor=None, strip: bool = True) -> Outcome:
    return run("flight", args, actor, strip)


def hotels(args, actor=None) -> Outcome:
    return run("hotel", args, actor)


def cars(args, actor=None) -> Outcome:
    return run("car", args, actor)


def track(kind: str, query, how: forms.Refine, refined, actor) -> None:
    """Publish search.performed. `refined` is a Refined or a dict with the
    same counts (total, unfiltered, page) when the page came from the cache."""
    data = event_data(kind, query, how, refined)
    activity.track("search.performed", key=kind, data=data, actor=actor)


def event_data(kind: str, query, how: forms.Refine, refined) -> dict:
    """The data of a search.performed event (a page cached whole for anonymous
    visitors keeps it, to track each later hit the same way)."""
    counts = refined if isinstance(refined, dict) else vars(refined)
    return {
        "kind": kind,
        "query": query.args(),
        "filters": how.args(),
        "page": counts["page"],
        "result_count": counts["total"],
        "unfiltered_count": counts["unfiltered"],
    }
