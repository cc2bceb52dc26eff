"""Booking pages: start (options, traveler details and review), pay,
confirmation, trips, cancel, invoice (HTML and PDF), the traveler's JSON, and
the admin billing search. Views load or 404, authorise, call a service and
render or redirect; every booking is visible only to its owner (404 else)."""

from __future__ import annotations

import csv
import io
import secrets
from decimal import Decimal, InvalidOperation

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.bookings import bp, queries, services
from app.bookings.forms import BillingSearchForm, EmptyForm, PayForm, traveler_form
from app.bookings.models import Booking
from app.core.access import admin_required, traveler_required
from app.core.models import utcnow
from app.listings.models import CABINS, MODELS

# Query arguments of bookings.start (any of them means the traveler chose options).
OPTION_ARGS = ("cabin", "travelers", "room_type", "check_in", "check_out", "rooms", "guests",
               "pickup", "dropoff")  # fmt: skip


def _me():
    return current_user._get_current_object()


def _listing_or_404(kind: str, listing_id: int):
    from app.extensions import db

    listing = db.session.get(MODELS[kind], listing_id)
    if listing is None or listing.deleted_at is not None:
        abort(404)
    return listing


def _seen_total():
    raw = (request.values.get("quoted_total") or request.args.get("price") or "").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 < value < Decimal("1e8") else None


# -- start: options, traveler details and the review ------------------------------
@bp.route("/book/<any(flight, hotel, car):kind>/<int:listing_id>", methods=["GET", "POST"])
@traveler_required
def start(kind: str, listing_id: int):
    listing = _listing_or_404(kind, listing_id)
    try:
        wanted = services.parse_request(kind, listing.id, request.values)
    except services.BookingError as exc:
        # No (or wrong) options yet: ask for them, the message tied to its field.
        asked = any(k in request.values for k in OPTION_ARGS)
        errors = {exc.field or "form": exc.message} if asked else {}
        return _options(kind, listing, errors, 422 if asked else 200)
    form = traveler_form(wanted.people, kind)
    try:
        quote = services.quote(wanted)
    except services.SoldOut as exc:
        return _options(kind, listing, {"form": exc.message}, 409, sold_out=True)
    except services.BookingError as exc:
        return _options(kind, listing, {exc.field or "form": exc.message}, 422)
    notice = None
    seen = _seen_total()
    if request.method == "GET":
        if seen is not None and seen != quote.total:
            notice = str(services.PriceChanged(seen, quote.total))
        form.idem.data = secrets.token_urlsafe(16)
        form.quoted_total.data = str(quote.total)
        form.contact_email.data = current_user.email
        form.contact_phone.data = current_user.phone
        if wanted.people == 1:
            form.t0_first_name.data = current_user.first_name
            form.t0_last_name.data = current_user.last_name
        return _review(kind, listing, wanted, quote, form, notice)
    if not form.validate_on_submit():
        return _review(kind, listing, wanted, quote, form, notice, 422)
    people = [
        services.TravelerInput(
            form[f"t{i}_first_name"].data.strip(),
            form[f"t{i}_last_name"].data.strip(),
            form[f"t{i}_date_of_birth"].data,
        )
        for i in range(wanted.people)
    ]
    try:
        booking = services.hold(
            _me(), wanted, people, form.contact_email.data.strip(),
            (form.contact_phone.data or "").strip() or None, form.idem.data or "", seen,
        )  # fmt: skip
    except services.PriceChanged as exc:
        quote = services.quote(wanted)
        form.quoted_total.data = str(quote.total)
        return _review(kind, listing, wanted, quote, form, exc.message, 409)
    except services.SoldOut as exc:
        return _options(kind, listing, {"form": exc.message}, 409, sold_out=True)
    except services.BookingError as exc:
        return _review(kind, listing, wanted, quote, form, exc.message, 422)
    return redirect(url_for("bookings.pay", reference=booking.reference), code=303)


def _options(kind, listing, errors, status=200, sold_out=False):
    return (
        render_template(
            "bookings/options.html",
            kind=kind,
            listing=listing,
            errors=errors,
            sold_out=sold_out,
            values=request.values,
            cabins=CABINS,
        ),
        status,
    )


def _review(kind, listing, wanted, quote, form, notice=None, status=200):
    return (
        render_template(
            "bookings/review.html",
            kind=kind,
            listing=listing,
            wanted=wanted,
            quote=quote,
            form=form,
            notice=notice,
            hold_minutes=current_app_hold_minutes(),
        ),
        status,
    )


def current_app_hold_minutes() -> int:
    from flask import current_app

    return current_app.config["BOOKING_HOLD_MINUTES"]


# -- pay --------------------------------------------------------------------
@bp.route("/trips/<reference>/pay", methods=["GET", "POST"])
@traveler_required
def pay(reference: str):
    booking = queries.own_booking_or_404(reference, current_user.id)
    if booking.status == "confirmed":
        return redirect(url_for("bookings.trip", reference=booking.reference), code=303)
    if booking.status != "held":
        flash("This booking's hold was released; nothing was charged. Start again.", "warning")
        return redirect(url_for("bookings.trip", reference=booking.reference), code=303)
    saved = list(current_user.cards)
    form = PayForm()
    form.source.choices = [(str(c.id), f"{c.brand_label} ending in {c.last4}") for c in saved] + [
        ("new", "A new card")
    ]
    if request.method == "GET":
        form.attempt.data = secrets.token_urlsafe(16)
        form.source.data = str(saved[0].id) if saved else "new"
        form.holder_name.data = current_user.full_name
        return _pay_page(booking, form, saved)
    if not form.validate_on_submit():
        return _pay_page(booking, form, saved, status=422)
    choice = None
    if form.source.data and form.source.data != "new":
        card = next((c for c in saved if str(c.id) == form.source.data), None)
        if card is None:
            form.source.errors.append("Choose one of your saved cards or a new card.")
        else:
            choice = services.CardChoice(card.token, card.brand, card.last4)
    else:
        details = form.card_details()
        if details is not None:
            choice = services.CardChoice(card=details, holder_name=form.holder_name.data.strip())
    form.forget_secrets()
    if choice is None:
        return _pay_page(booking, form, saved, status=422)
    try:
        booking = services.pay(booking, _me(), choice, form.attempt.data or "")
    except services.NotPayable as exc:
        flash(exc.message, "warning")
        return redirect(url_for("bookings.trip", reference=booking.reference), code=303)
    except (services.PaymentDeclined, services.PaymentFailed) as exc:
        form.attempt.data = secrets.token_urlsafe(16)  # a new attempt may use another card
        target = form.source if form.source.data != "new" else form.number
        target.errors.append(exc.message)
        return _pay_page(booking, form, saved, status=402)
    # The trip page says "Confirmed" with the reference (confirmed=1).
    return redirect(url_for("bookings.trip", reference=booking.reference, confirmed=1), code=303)


def _pay_page(booking, form, saved, status=200):
    from flask import current_app

    return (
        render_template(
            "bookings/pay.html",
            booking=booking,
            form=form,
            saved=saved,
            minutes_left=max(0, int((booking.hold_expires_at - utcnow()).total_seconds() // 60)),
            show_test_cards=current_app.config["APP_ENV"] != "production",
        ),
        status,
    )


# -- trips ----------------------------------------------------------------------
@bp.get("/trips")
@traveler_required
def trips():
    return render_template("bookings/trips.html", groups=queries.trips_of(current_user.id))


@bp.get("/trips.json")
@traveler_required
def trips_json():
    groups = queries.trips_of(current_user.id)
    return jsonify(
        {
            "bookings": [
                booking_json(b) | {"when": when} for when, rows in groups.items() for b in rows
            ]
        }
    )


def booking_json(b: Booking) -> dict:
    return {
        "reference": b.reference,
        "kind": b.kind,
        "status": b.status,
        "title": b.title,
        "starts_at": b.starts_at.isoformat() + "Z",
        "ends_at": b.ends_at.isoformat() + "Z",
        "currency": b.currency,
        "subtotal": f"{b.subtotal:.2f}",
        "taxes": f"{b.taxes:.2f}",
        "fees": f"{b.fees:.2f}",
        "total": f"{b.total:.2f}",
        "refunded": f"{b.refund_total:.2f}",
        "created_at": b.created_at.isoformat() + "Z",
        "items": [
            {
                "kind": i.kind,
                "description": i.description,
                "quantity": i.quantity,
                "unit_price": f"{i.unit_price:.2f}",
                "amount": f"{i.amount:.2f}",
                "starts_at": i.starts_at.isoformat() + "Z",
                "ends_at": i.ends_at.isoformat() + "Z",
            }
            for i in b.items
        ],
    }


@bp.get("/trips/<reference>")
@traveler_required
def trip(reference: str):
    booking = queries.own_booking_or_404(reference, current_user.id)
    return render_template(
        "bookings/trip.html",
        booking=booking,
        bills=queries.bills_of(booking.id),
        terms=services.cancel_terms(booking),
        confirmed=request.args.get("confirmed") == "1" and booking.status == "confirmed",
    )


@bp.route("/trips/<reference>/cancel", methods=["GET", "POST"])
@traveler_required
def cancel(reference: str):
    booking = queries.own_booking_or_404(reference, current_user.id)
    terms = services.cancel_terms(booking)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            booking = services.cancel(booking, current_user.id)
        except services.NotCancellable as exc:
            flash(exc.message, "error")
        else:
            refunded = booking.refund_total or Decimal("0")
            flash(
                f"Booking {booking.reference} is cancelled."
                + (
                    f" {booking.currency} {refunded:,.2f} is refunded to your card."
                    if refunded
                    else ""
                ),
                "success",
            )
        return redirect(url_for("bookings.trip", reference=booking.reference), code=303)
    return render_template("bookings/cancel.html", booking=booking, terms=terms, form=form)


@bp.get("/trips/<reference>/invoice")
@traveler_required
def invoice(reference: str):
    booking = queries.own_booking_or_404(reference, current_user.id)
    return render_template(
        "bookings/invoice.html", booking=booking, bills=queries.bills_of(booking.id), pdf=False
    )


@bp.get("/trips/<reference>/invoice.pdf")
@traveler_required
def invoice_pdf(reference: str):
    from app.bookings.pdf import html_to_pdf

    booking = queries.own_booking_or_404(reference, current_user.id)
    html = render_template(
        "bookings/invoice.html", booking=booking, bills=queries.bills_of(booking.id), pdf=True
    )
    response = Response(html_to_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="invoice-{booking.reference}.pdf"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- admin billing ---------------------------------------------------------------
def _billing_search():
    form = BillingSearchForm(request.args)
    form.validate()
    filters, errors = queries.billing_filters(form)
    for name, message in errors.items():
        form[name].errors = [*form[name].errors, message]
    return form, filters, errors


@bp.get("/admin/billing")
@admin_required("billing.view")
def admin_billing():
    form, filters, errors = _billing_search()
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    bad = errors or any(f.errors for f in form)
    rows, count, total = ([], 0, Decimal("0")) if bad else queries.search_bills(filters, page)
    return (
        render_template(
            "bookings/admin_billing.html",
            form=form,
            rows=rows,
            count=count,
            total=total,
            page=page,
            args={k: v for k, v in request.args.items() if k != "page"},
        ),
        422 if bad else 200,
    )


@bp.get("/admin/billing/export.csv")
@admin_required("billing.view")
def admin_billing_csv():
    form, filters, errors = _billing_search()
    if errors or any(f.errors for f in form):
        abort(422)
    from app.extensions import db

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["billing_id", "transaction_date", "type", "status", "booking_reference", "booking_type",
         "user_id", "subtotal", "taxes", "fees", "total", "currency", "card"]
    )  # fmt: skip
    query = queries.billing_query(filters).order_by(queries.BillingRecord.transaction_date)
    for bill in db.session.scalars(query.execution_options(yield_per=1000)):
        writer.writerow(
            [bill.billing_id, bill.transaction_date.isoformat(sep=" "), bill.record_type,
             bill.status, bill.invoice.get("reference", ""), bill.booking_kind, bill.user_id,
             bill.subtotal, bill.taxes, bill.fees, bill.total, bill.currency,
             f"{bill.payment_brand} {bill.payment_last4}"]
        )  # fmt: skip
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="billing.csv"'
    return response


@bp.get("/admin/billing/<billing_id>")
@admin_required("billing.view")
def admin_bill(billing_id: str):
    from app.extensions import db
    from app.users.models import User

    bill = queries.bill_or_404(billing_id)
    return render_template(
        "bookings/admin_bill.html",
        bill=bill,
        user=db.session.get(User, bill.user_id),
        bills=queries.bills_of(bill.booking_id),
    )
