"""Partner JSON for the three searches, under /api/v1/search (bearer API keys).

The same parameters and checks as the pages (app/search/forms.py); a bad
field answers 422 problem+json with an `errors` object, like the listings API.
Results are paginated and carry the facet counts. Described in
app/search/openapi.yaml.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import g, jsonify, request, url_for

from app.api import bp
from app.core.access import partner_required
from app.core.errors import problem
from app.listings.validation import Invalid
from app.search import searches
from app.search.facets import PER_PAGE
from app.search.queries import Leg, Rental, Slice, Stay, Trip


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _iso(moment) -> str:
    return moment.isoformat()


def leg_json(leg: Leg) -> dict[str, Any]:
    return {
        "flight_id": leg.id,
        "airline": leg.airline,
        "airline_name": leg.airline_name,
        "flight_number": leg.number,
        "origin": leg.origin,
        "destination": leg.destination,
        "departs_at": _iso(leg.departs) + "Z",
        "arrives_at": _iso(leg.arrives) + "Z",
        "departs_local": _iso(leg.departs_local),
        "arrives_local": _iso(leg.arrives_local),
        "duration_minutes": leg.minutes,
        "fare": money(leg.fare),
        "seats_available": leg.seats,
        "url": url_for("listings.detail", kinds="flights", listing_id=leg.id, _external=True),
    }


def slice_json(s: Slice) -> dict[str, Any]:
    return {
        "price": money(s.price),
        "duration_minutes": s.minutes,
        "stops": s.stops,
        "via": list(s.via),
        "layover_minutes": list(s.layovers),
        "legs": [leg_json(leg) for leg in s.legs],
    }


def trip_json(trip: Trip, travelers: int) -> dict[str, Any]:
    return {
        "price_per_traveler": money(trip.price),
        "price_total": money(trip.price * travelers),
        "duration_minutes": trip.minutes,
        "stops": trip.stops,
        "airlines": sorted(trip.airlines),
        "slices": [slice_json(s) for s in trip.slices],
    }


def stay_json(stay: Stay, query) -> dict[str, Any]:
    return {
        "hotel_id": stay.id,
        "name": stay.name,
        "brand": stay.brand,
        "city": stay.city,
        "state": stay.state,
        "stars": stay.stars,
        "rating": str(stay.rating),
        "review_count": stay.review_count,
        "distance_km": stay.distance,
        "amenities": sorted(stay.amenities),
        "cancellation_policy": stay.cancellation,
        "pets_allowed": stay.pets,
        "breakfast": stay.breakfast,
        "room": {"name": stay.room_name, "beds": stay.room_beds},
        "price_per_night": money(stay.nightly),
        "nights": query.nights,
        "rooms": query.rooms,
        "price_total": money(stay.total),
        "url": url_for("listings.detail", kinds="hotels", listing_id=stay.id, _external=True),
    }


def rental_json(rental: Rental, query) -> dict[str, Any]:
    return {
        "car_id": rental.id,
        "title": rental.title,
        "car_type": rental.car_type,
        "company": rental.company,
        "transmission": rental.transmission,
        "seats": rental.seats,
        "doors": rental.doors,
        "rating": str(rental.rating),
        "review_count": rental.review_count,
        "pickup_name": rental.pickup_name,
        "pickup_airport": rental.pickup_airport,
        "mileage_policy": rental.mileage,
        "price_per_day": money(rental.daily),
        "days": query.days,
        "price_total": money(rental.total),
        "url": url_for("listings.detail", kinds="cars", listing_id=rental.id, _external=True),
    }


def facets_json(facets: dict) -> dict:
    out = {}
    for name, facet in facets.items():
        if isinstance(facet, dict) and "min" in facet:
            out[name] = {"min": money(facet["min"]), "max": money(facet["max"])}
        else:
            out[name] = facet
    return out


def envelope(outcome, items: list) -> dict[str, Any]:
    refined = outcome.refined
    return {
        "kind": outcome.kind,
        "query": outcome.query.args(),
        "refine": outcome.how.args(),
        "page": refined.page,
        "pages": refined.pages,
        "per_page": PER_PAGE[outcome.kind],
        "total": refined.total,
        "unfiltered_total": refined.unfiltered,
        "relax": refined.relax,
        "facets": facets_json(refined.facets),
        "items": items,
    }


def run(kind: str):
    try:
        outcome = searches.run(kind, request.args, f"api-key:{g.api_key.prefix}", strip=False)
    except Invalid as exc:
        return None, problem(
            422, "Unprocessable Content", "Some parameters need fixing.", errors=exc.errors
        )
    return outcome, None


@bp.get("/search/flights")
@partner_required
def search_flights():
    """One-way or round-trip flights with one-stop connections; see openapi.yaml."""
    outcome, refused = run("flight")
    if refused:
        return refused
    travelers = outcome.query.travelers
    body = envelope(outcome, [trip_json(t, travelers) for t in outcome.refined.items])
    return jsonify(body)


@bp.get("/search/hotels")
@partner_required
def search_hotels():
    outcome, refused = run("hotel")
    if refused:
        return refused
    return jsonify(envelope(outcome, [stay_json(s, outcome.query) for s in outcome.refined.items]))


@bp.get("/search/cars")
@partner_required
def search_cars():
    outcome, refused = run("car")
    if refused:
        return refused
    items = [rental_json(r, outcome.query) for r in outcome.refined.items]
    return jsonify(envelope(outcome, items))
