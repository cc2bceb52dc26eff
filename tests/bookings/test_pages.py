"""The booking pages with the test client: start -> review -> pay -> trip,
declines, sold out, cancel, invoice and its PDF, trips JSON, owners only."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from app.bookings.models import BillingRecord, Booking, Payment
from app.extensions import db
from tests.bookings.conftest import SOON


def review_form(client, url):
    page = client.get(url)
    assert page.status_code == 200, page.get_data(as_text=True)[:2000]
    html = page.get_data(as_text=True)
    fields = dict(
        re.findall(r'name="(idem|quoted_total|csrf_token)" type="hidden" value="([^"]*)"', html)
    )
    return html, fields


def book(client, url, travelers=1, **extra):
    html, fields = review_form(client, url)
    data = {**fields, "contact_email": "ada@example.com", **extra}
    for i in range(travelers):
        data |= {
            f"t{i}_first_name": "Ada",
            f"t{i}_last_name": "Lovelace",
            f"t{i}_date_of_birth": "1990-01-01",
        }
    return client.post(url, data=data)


def pay(client, reference, number="4242424242424242", attempt="a1"):
    return client.form(
        f"/trips/{reference}/pay",
        {"attempt": attempt, "source": "new", "holder_name": "Ada Lovelace", "number": number,
         "expiry": "12/30", "cvc": "123"},
    )  # fmt: skip


def test_flight_from_listing_to_confirmation_invoice_and_cancel(flight, traveler, login_as):
    client = login_as(traveler)
    url = f"/book/flight/{flight.id}?cabin=economy&travelers=2"
    html, _ = review_form(client, url)
    assert "Federal excise tax" in html and "USD 632.55" in html, html[html.find("<main") :][:3000]
    held = book(client, url, travelers=2)
    assert held.status_code == 303 and "/pay" in held.headers["Location"]
    reference = held.headers["Location"].split("/")[2]
    assert client.get(f"/trips/{reference}/pay").status_code == 200
    paid = pay(client, reference)
    assert paid.status_code == 303
    trip = client.get(paid.headers["Location"]).get_data(as_text=True)
    assert "Confirmed" in trip and reference in trip
    invoice = client.get(f"/trips/{reference}/invoice").get_data(as_text=True)
    assert reference in invoice and "632.55" in invoice
    pdf = client.get(f"/trips/{reference}/invoice.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    trips = client.get("/trips.json").get_json()
    assert trips["bookings"][0]["reference"] == reference
    assert client.get(f"/trips/{reference}/cancel").status_code == 200
    done = client.form(f"/trips/{reference}/cancel")
    assert done.status_code == 303
    db.session.rollback()
    assert db.session.scalar(sa.select(Booking.status)) == "cancelled"
    assert "cancelled" in client.get("/trips").get_data(as_text=True).lower()


def test_reserve_without_options_asks_for_them(hotel, traveler, login_as):
    client = login_as(traveler)
    page = client.get(f"/book/hotel/{hotel.id}")
    assert page.status_code == 200 and 'name="check_in"' in page.get_data(as_text=True)
    bad = client.get(f"/book/hotel/{hotel.id}?check_in=2020-01-01&check_out=2020-01-03")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "in the past" in html
    assert 'aria-describedby="f-check_in-error1"' in html


def test_hotel_and_car_bookings(hotel, car, traveler, login_as):
    client = login_as(traveler)
    stay = book(
        client,
        f"/book/hotel/{hotel.id}?check_in={SOON}&check_out={SOON + timedelta(days=2)}"
        "&rooms=1&guests=2",
    )
    assert stay.status_code == 303
    pickup = f"{SOON}T10:00"
    rental = book(
        client, f"/book/car/{car.id}?pickup={pickup}&dropoff={SOON + timedelta(days=3)}T10:00"
    )
    assert rental.status_code == 303
    reference = rental.headers["Location"].split("/")[2]
    assert pay(client, reference).status_code == 303


def test_declined_card_says_so_and_charges_nothing(flight, traveler, login_as):
    client = login_as(traveler)
    reference = (
        book(client, f"/book/flight/{flight.id}?travelers=1").headers["Location"].split("/")[2]
    )
    declined = pay(client, reference, "4000000000000341")
    html = declined.get_data(as_text=True)
    assert declined.status_code == 402 and "declined" in html and "Nothing was charged" in html
    assert 'aria-describedby="number-error1"' in html
    db.session.rollback()
    assert db.session.scalar(sa.select(Booking.status)) == "held"
    assert db.session.scalar(sa.select(sa.func.count(BillingRecord.id))) == 0


def test_double_click_makes_one_booking_and_one_charge(flight, traveler, login_as):
    client = login_as(traveler)
    url = f"/book/flight/{flight.id}?travelers=1"
    _, fields = review_form(client, url)
    data = {**fields, "contact_email": "a@example.com", "t0_first_name": "A", "t0_last_name": "B",
            "t0_date_of_birth": "1990-01-01"}  # fmt: skip
    first, second = client.post(url, data=data), client.post(url, data=data)
    assert first.headers["Location"] == second.headers["Location"]
    reference = first.headers["Location"].split("/")[2]
    assert pay(client, reference, attempt="x").status_code == 303
    assert pay(client, reference, attempt="x").status_code == 303
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 1


def test_sold_out_between_review_and_hold(flight, traveler, login_as):
    from app.listings.models import FlightCabin

    client = login_as(traveler)
    url = f"/book/flight/{flight.id}?travelers=2"
    _, fields = review_form(client, url)
    db.session.execute(sa.update(FlightCabin).values(seats_available=1))
    db.session.commit()
    data = {**fields, "contact_email": "a@example.com"}
    for i in range(2):
        data |= {
            f"t{i}_first_name": "A",
            f"t{i}_last_name": "B",
            f"t{i}_date_of_birth": "1990-01-01",
        }
    response = client.post(url, data=data)
    assert response.status_code == 409 and "Just sold out" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0


def test_price_change_is_announced_before_paying(flight, traveler, login_as):
    client = login_as(traveler)
    page = client.get(f"/book/flight/{flight.id}?travelers=1&price=250.00")
    assert "The price changed" in page.get_data(as_text=True)


def test_another_travelers_booking_is_404(flight, traveler, make_user, login_as):
    client = login_as(traveler)
    reference = (
        book(client, f"/book/flight/{flight.id}?travelers=1").headers["Location"].split("/")[2]
    )
    other = login_as(make_user("traveler", email="someone@example.com"))
    for path in ("", "/pay", "/cancel", "/invoice", "/invoice.pdf"):
        assert other.get(f"/trips/{reference}{path}").status_code == 404
    assert other.form(f"/trips/{reference}/cancel").status_code == 404
    assert other.get("/trips.json").get_json() == {"bookings": []}


def test_admin_finds_bills_by_month_and_exports(flight, traveler, make_user, login_as):
    client = login_as(traveler)
    reference = (
        book(client, f"/book/flight/{flight.id}?travelers=1").headers["Location"].split("/")[2]
    )
    pay(client, reference)
    admin = login_as(make_user("support"))
    db.session.rollback()
    month = db.session.scalar(sa.select(BillingRecord.transaction_date)).strftime("%Y-%m")
    page = admin.get(f"/admin/billing?month={month}&kind=flight&status=paid")
    assert page.status_code == 200 and reference in page.get_data(as_text=True)
    assert reference not in admin.get("/admin/billing?month=2001-01").get_data(as_text=True)
    assert admin.get("/admin/billing?month=nope").status_code == 422
    csv = admin.get(f"/admin/billing/export.csv?month={month}&min_total=1")
    assert csv.status_code == 200 and reference in csv.get_data(as_text=True)
    bill_id = db.session.scalar(sa.select(BillingRecord.billing_id))
    assert reference in admin.get(f"/admin/billing/{bill_id}").get_data(as_text=True)
    assert login_as(make_user("analyst")).get("/admin/billing").status_code == 403


def test_pay_with_a_saved_card(flight, traveler, login_as):
    from app.payments.cards import check_card
    from app.users import services as users

    saved = users.add_card(traveler, check_card("4242424242424242", "12/30", "123"), "Ada L")
    client = login_as(traveler)
    reference = (
        book(client, f"/book/flight/{flight.id}?travelers=1").headers["Location"].split("/")[2]
    )
    page = client.get(f"/trips/{reference}/pay").get_data(as_text=True)
    assert "ending in 4242" in page
    paid = client.form(f"/trips/{reference}/pay", {"attempt": "s1", "source": str(saved.id)})
    assert paid.status_code == 303
    db.session.rollback()
    payment = db.session.scalar(sa.select(Payment))
    assert payment.token == saved.token and payment.status == "succeeded"
