"""Listing pages for travelers: facts, photos, reviews, price history."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_login.config import COOKIE_NAME

from app.core.access import traveler_required
from app.core.models import utcnow
from app.core.validation import airports
from app.extensions import activity, db, mongo
from app.listings import bp, media, queries, reviews
from app.listings.models import (
    BREAKFAST,
    CABINS,
    CANCELLATION,
    CAR_TYPES,
    REFUND_RULES,
    TRANSMISSIONS,
)
from app.listings.validation import AMENITIES, Invalid

KIND_PATHS = {"flights": "flight", "hotels": "hotel", "cars": "car"}
LABELS = {
    "cabins": CABINS,
    "refund_rules": REFUND_RULES,
    "car_types": CAR_TYPES,
    "transmissions": TRANSMISSIONS,
    "breakfast": BREAKFAST,
    "cancellation": CANCELLATION,
    "amenities": AMENITIES,
}


def kind_of(path: str) -> str:
    try:
        return KIND_PATHS[path]
    except KeyError:
        abort(404)


@bp.app_context_processor
def listing_helpers():
    return {
        "listing_url": listing_url,
        "labels": LABELS,
        "has_endpoint": lambda name: name in current_app.view_functions,
        "photos_of": media.photos_of,
    }


def listing_url(listing) -> str:
    return url_for("listings.detail", kinds=f"{listing.kind}s", listing_id=listing.id)


CACHED_REVIEW_PAGES = 5  # deeper pages are read straight from the store


def page_parts(listing, sort: str, page: int, *extra: str) -> dict:
    """The listing page's parts from the document store and the price history,
    served from Redis once warm (queries.listing_parts). `extra` names more
    parts: "photos", "chart", "authors"."""
    sort = sort if sort in reviews.SORTS else "newest"
    page = max(page, 1)
    loaders = {
        "photos": lambda: media.photos_of(listing),
        "chart": lambda: price_chart(listing, queries.price_history(listing.kind, listing.id)),
        "authors": lambda: reviews.authors_of(listing),
    }
    wanted = {name: loaders[name] for name in extra}
    review_key = f"reviews:{sort}:{page}"
    load_reviews = lambda: reviews.reviews_for(listing, sort, page)  # noqa: E731
    if page <= CACHED_REVIEW_PAGES:
        wanted[review_key] = load_reviews
    parts = queries.listing_parts(listing, wanted)
    review_page, review_total = parts.pop(review_key, None) or load_reviews()
    parts.update(
        listing=listing,
        reviews=review_page,
        review_total=review_total,
        sort=sort,
        page=page,
        pages=max(1, -(-review_total // reviews.PAGE_SIZE)),
    )
    return parts


def render_listing(listing, sort="newest", page=1, errors=None, form=None, status=200):
    """The listing page; with `errors`, the review form shows them beside its fields."""
    errors = errors or {}
    parts = page_parts(listing, sort, page, "photos", "chart", "authors")
    authors = parts.pop("authors")
    may, why_not = False, errors.get("listing", "")
    if not errors and current_user.is_authenticated and current_user.kind == "traveler":
        may, why_not = reviews.may_review(listing, current_user.id, authors)
    elif errors:
        may = "listing" not in errors
    return render_template(
        f"listings/{listing.kind}.html",
        **parts,
        kind=listing.kind,
        airports=airports(),
        may_review=may,
        why_not=why_not,
        errors=errors,
        form=form or {},
    ), status


# Query arguments a page cached for anonymous visitors may vary by; any other
# argument is served fresh (so nobody can fill the cache with made-up URLs).
PUBLIC_PAGE_ARGS = frozenset(
    {"sort", "page"}  # reviews
    | {"date", "travelers", "cabin", "checkin", "checkout", "guests", "rooms"}  # from a search
    | {"pickup", "dropoff"}
)


def public_variant() -> str | None:
    """The cache variant of this request's page when every anonymous visitor
    would get the same HTML; None for a signed-in user or a pending message."""
    cookies, config = request.cookies, current_app.config
    has_cookie = cookies.get(config["SESSION_COOKIE_NAME"]) or cookies.get(
        config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
    )
    # Only a visitor with a cookie can be signed in or have a message waiting.
    if has_cookie and (current_user.is_authenticated or session.get("_flashes")):
        return None
    if not PUBLIC_PAGE_ARGS.issuperset(request.args):
        return None
    return "&".join(f"{k}={request.args[k][:20]}" for k in sorted(request.args))


def track_view(kind: str, listing_id: int, provider_id: int) -> None:
    activity.track(
        "listing.viewed",
        key=f"{kind}:{listing_id}",
        data={"kind": kind, "id": listing_id, "provider_id": provider_id},
        actor=current_user.get_id() if current_user.is_authenticated else None,
    )


@bp.get("/<any(flights, hotels, cars):kinds>/<int:listing_id>")
def detail(kinds: str, listing_id: int):
    """A listing's page; 404 for unknown or deleted listings.

    Anonymous visitors share one cached copy per listing (and sort/page),
    retired by the catalogue and listing versions: a warm hit reads Redis only.
    """
    kind = kind_of(kinds)
    variant = public_variant()
    stamp = None
    if variant is not None:
        stamp, hit = queries.cached_page(kind, listing_id, variant)
        if hit is not None:
            provider_id, html = hit
            track_view(kind, listing_id, provider_id)
            return html
    listing = queries.get_listing(kind, listing_id)
    track_view(kind, listing.id, listing.provider_id)
    sort, page = request.args.get("sort", "newest"), request.args.get("page", 1, type=int)
    if variant is None:
        return render_listing(listing, sort, page)
    g.public_page = True  # base.html then leaves out the session's CSRF token
    html, status = render_listing(listing, sort, page)
    queries.store_page(kind, listing.id, variant, stamp, (listing.provider_id, html))
    return html, status


@bp.get("/<any(flights, hotels, cars):kinds>/<int:listing_id>/reviews")
def review_list(kinds: str, listing_id: int):
    """htmx fragment: one page of reviews in the chosen order."""
    listing = queries.get_listing(kind_of(kinds), listing_id)
    context = page_parts(
        listing, request.args.get("sort", "newest"), request.args.get("page", 1, type=int)
    )
    response = make_response(render_template("listings/_reviews.html", **context))
    response.vary.add("HX-Request")
    return response


@bp.post("/<any(flights, hotels, cars):kinds>/<int:listing_id>/reviews")
@traveler_required
def add_review(kinds: str, listing_id: int):
    listing = queries.get_listing(kind_of(kinds), listing_id)
    try:
        reviews.add_review(listing, current_user.id, author_label(current_user), request.form)
    except Invalid as exc:
        db.session.rollback()
        return render_listing(listing, errors=exc.errors, form=request.form, status=422)
    db.session.commit()
    flash("Thanks! Your review is published.", "success")
    return redirect(listing_url(listing) + "#reviews", code=303)


@bp.post("/reviews/<review_id>/helpful")
@traveler_required
def helpful(review_id: str):
    found = reviews.collection().find_one({"_id": review_id}, {"listing_kind": 1, "listing_id": 1})
    if found is None:
        abort(404)
    reviews.mark_helpful(review_id, current_user.id)
    listing = queries.get_listing(found["listing_kind"], found["listing_id"])
    return redirect(listing_url(listing) + "#reviews", code=303)


@bp.get("/media/<file_id>")
def photo(file_id: str):
    """A stored photo. Ids are content-addressed per upload, so cache for a year."""
    stored = mongo.get_file(file_id)
    if stored is None:
        abort(404)
    data, content_type = stored
    response = make_response(data)
    response.mimetype = content_type
    response.set_etag(file_id)
    response.cache_control.public = True
    response.cache_control.max_age = 31536000
    response.cache_control.immutable = True
    return response.make_conditional(request)


def price_chart(listing, history) -> dict:
    """Series per priced item, for the small Chart.js line chart."""
    names = {}
    if listing.kind == "flight":
        names = {("cabin", c.id): c.label for c in listing.cabins}
    elif listing.kind == "hotel":
        names = {("room", r.id): r.name for r in listing.rooms}
    else:
        names = {("car", listing.id): "Daily rate"}
    series: dict[str, list] = {}
    for change in history:
        label = names.get((change.item_kind, change.item_id))
        if label is None:
            continue
        series.setdefault(label, []).append(
            {"x": change.recorded_at.strftime("%Y-%m-%d"), "y": float(change.price)}
        )
    # Carry each current price to today, so a price that never changed still
    # draws as a line rather than a lone dot.
    today = utcnow().strftime("%Y-%m-%d")
    for points in series.values():
        if points[-1]["x"] != today:
            points.append({"x": today, "y": points[-1]["y"]})
    return {"series": [{"label": k, "points": v} for k, v in series.items()]}


def author_label(user) -> str:
    """How a review is signed: first name and initial, never the full name."""
    return f"{user.first_name} {user.last_name[:1]}."
