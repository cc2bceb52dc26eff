"""Admin pages for the catalogue: search, create, edit, delete, photos, providers."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.access import admin_required
from app.extensions import db
from app.listings import bp, media, queries, services
from app.listings.models import MODELS, PROVIDER_KINDS, Car, Flight, Hotel, Provider
from app.listings.services import OWNER_KIND
from app.listings.validation import AMENITIES, Invalid

PAGE_SIZE = 25
KINDS = "<any(flight, hotel, car):kind>"


def search(kind: str, q: str, status: str, page: int):
    model = MODELS[kind]
    query = sa.select(model)
    if status == "deleted":
        query = query.where(model.deleted_at.is_not(None))
    elif status != "all":
        query = query.where(model.deleted_at.is_(None))
    q = q.strip()[:100]
    if q:
        like = f"%{q}%"
        if kind == "flight":
            compact = q.upper().replace(" ", "")
            query = query.where(
                sa.or_(
                    Flight.flight_number.ilike(like),
                    sa.func.replace(Flight.flight_number, " ", "").ilike(f"%{compact}%"),
                    Flight.origin == q.upper(),
                    Flight.destination == q.upper(),
                )
            )
        elif kind == "hotel":
            query = query.where(
                sa.or_(Hotel.name.ilike(like), Hotel.city.ilike(like), Hotel.state == q.upper())
            )
        else:
            query = query.where(
                sa.or_(
                    Car.brand.ilike(like),
                    Car.model.ilike(like),
                    Car.pickup_city.ilike(like),
                    Car.pickup_airport == q.upper(),
                )
            )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    order = Flight.departs_at if kind == "flight" else model.id.desc()
    rows = db.session.scalars(
        query.order_by(order).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    return rows, total


def providers_for(kind: str) -> list[Provider]:
    return list(
        db.session.scalars(
            sa.select(Provider)
            .where(Provider.kind == OWNER_KIND[kind], Provider.deleted_at.is_(None))
            .order_by(Provider.name)
        )
    )


def render_form(kind: str, listing, values: dict, errors: dict, status: int = 200):
    return render_template(
        "listings/admin_form.html",
        kind=kind,
        listing=listing,
        values=values,
        errors=errors,
        provider_options={str(p.id): p.name for p in providers_for(kind)},
        amenity_choices=AMENITIES,
    ), status


def form_values(kind: str) -> dict:
    """The submitted form as the cleaners' input (amenities as a list)."""
    values = request.form.to_dict()
    values.pop("csrf_token", None)
    if kind == "hotel":
        values["amenities"] = request.form.getlist("amenities")
        values["pets_allowed"] = "1" if request.form.get("pets_allowed") else "0"
    if kind == "car":
        values["available"] = "1" if request.form.get("available") else "0"
    return values


@bp.get("/admin/listings")
@admin_required("listings.view")
def admin_list():
    kind = request.args.get("kind", "flight")
    if kind not in MODELS:
        kind = "flight"
    status = request.args.get("status", "active")
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    q = request.args.get("q", "")
    rows, total = search(kind, q, status, page)
    return render_template(
        "listings/admin_list.html",
        kind=kind,
        rows=rows,
        total=total,
        q=q,
        status=status,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


@bp.route(f"/admin/listings/{KINDS}/new", methods=["GET", "POST"])
@admin_required("listings.manage")
def admin_new(kind: str):
    if request.method == "GET":
        return render_form(kind, None, {}, {})
    values = form_values(kind)
    try:
        listing = services.create_listing(kind, values, actor=current_user)
    except Invalid as exc:
        db.session.rollback()
        return render_form(kind, None, values, exc.errors, 422)
    db.session.commit()
    flash(f"{listing.title} was added.", "success")
    return redirect(url_for("listings.admin_edit", kind=kind, listing_id=listing.id), code=303)


@bp.route(f"/admin/listings/{KINDS}/<int:listing_id>/edit", methods=["GET", "POST"])
@admin_required("listings.manage")
def admin_edit(kind: str, listing_id: int):
    listing = queries.get_listing(kind, listing_id, include_deleted=True)
    if request.method == "GET":
        return render_form(kind, listing, services.as_input(listing), {})
    values = form_values(kind)
    try:
        _, changed = services.update_listing(listing, values, actor=current_user)
    except Invalid as exc:
        db.session.rollback()
        return render_form(kind, listing, values, exc.errors, 422)
    db.session.commit()
    flash("Saved: " + ", ".join(changed) if changed else "Nothing changed.", "success")
    return redirect(url_for("listings.admin_edit", kind=kind, listing_id=listing.id), code=303)


@bp.post(f"/admin/listings/{KINDS}/<int:listing_id>/delete")
@admin_required("listings.manage")
def admin_delete(kind: str, listing_id: int):
    listing = queries.get_listing(kind, listing_id, include_deleted=True)
    services.delete_listing(listing, actor=current_user)
    db.session.commit()
    flash(
        f"{listing.title} was deleted. Bookings and history keep it; you can restore it.", "success"
    )
    return redirect(url_for("listings.admin_list", kind=kind), code=303)


@bp.post(f"/admin/listings/{KINDS}/<int:listing_id>/restore")
@admin_required("listings.manage")
def admin_restore(kind: str, listing_id: int):
    listing = queries.get_listing(kind, listing_id, include_deleted=True)
    services.restore_listing(listing, actor=current_user)
    db.session.commit()
    flash(f"{listing.title} is listed again.", "success")
    return redirect(url_for("listings.admin_edit", kind=kind, listing_id=listing.id), code=303)


@bp.post(f"/admin/listings/{KINDS}/<int:listing_id>/photos")
@admin_required("listings.manage")
def admin_add_photo(kind: str, listing_id: int):
    listing = queries.get_listing(kind, listing_id, include_deleted=True)
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        flash("Choose an image file to upload.", "error")
    else:
        try:
            caption = request.form.get("caption", "")
            media.add_photo(listing, upload.read(), upload.filename, caption, current_user.id)
            flash("Photo added.", "success")
        except Invalid as exc:
            flash(exc.errors["photo"], "error")
    return redirect(url_for("listings.admin_edit", kind=kind, listing_id=listing.id) + "#photos",
                    code=303)  # fmt: skip


@bp.post(f"/admin/listings/{KINDS}/<int:listing_id>/photos/<photo_id>/delete")
@admin_required("listings.manage")
def admin_remove_photo(kind: str, listing_id: int, photo_id: str):
    listing = queries.get_listing(kind, listing_id, include_deleted=True)
    if not media.remove_photo(listing, photo_id):
        abort(404)
    flash("Photo removed.", "success")
    return redirect(url_for("listings.admin_edit", kind=kind, listing_id=listing.id) + "#photos",
                    code=303)  # fmt: skip


@bp.route("/admin/providers", methods=["GET", "POST"])
@admin_required("listings.view")
def admin_providers():
    errors, values = {}, {}
    if request.method == "POST":
        if not current_user.admin_role or not _can("listings.manage"):
            abort(403)
        values = request.form.to_dict()
        try:
            provider = services.create_provider(
                values.get("kind", ""), values.get("name", ""), values.get("code") or None
            )
            db.session.commit()
            flash(f"{provider.name} was added.", "success")
            return redirect(url_for("listings.admin_providers"), code=303)
        except Invalid as exc:
            db.session.rollback()
            errors = exc.errors
    rows = db.session.execute(
        sa.select(Provider).order_by(Provider.kind, Provider.name).limit(500)
    ).scalars()
    return render_template(
        "listings/admin_providers.html",
        providers=list(rows),
        kinds=PROVIDER_KINDS,
        errors=errors,
        values=values,
    ), (422 if errors else 200)


def _can(permission: str) -> bool:
    from app.core.access import role_allows

    return role_allows(current_user.admin_role, permission)
