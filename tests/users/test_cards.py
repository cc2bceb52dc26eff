"""Saved cards: checked, tokenised through the gateway, never stored or logged in full."""

import logging

import pytest
import sqlalchemy as sa

NUMBER = "4242 4242 4242 4242"
CARD = {"holder_name": "Ana Lopez", "number": NUMBER, "expiry": "08/30", "cvc": "123"}


@pytest.fixture()
def ana(make_user):
    return make_user(email="ana@example.com")


def cards_in_db():
    from app.extensions import db
    from app.users.models import PaymentCard

    return db.session.scalars(sa.select(PaymentCard)).all()


def test_a_card_is_tokenised_and_only_safe_fields_are_kept(login_as, ana, app_ctx, caplog):
    from app.extensions import db

    caplog.set_level(logging.DEBUG)
    client = login_as(ana)
    response = client.form("/account/cards/new", CARD)
    assert response.status_code == 303
    (card,) = cards_in_db()
    assert card.token.startswith("tok_sim_")
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "4242", 8, 2030)
    # Nothing anywhere holds the number or the security code.
    row = db.session.execute(sa.text("SELECT * FROM payment_cards")).mappings().one()
    assert not any("4242424242424242" in str(v) for v in row.values())
    logged = "\n".join(r.getMessage() + str(vars(r)) for r in caplog.records)
    assert "4242424242424242" not in logged and NUMBER not in logged
    page = client.get("/account").get_data(as_text=True)
    assert "•••• 4242" in page and "expires 08/30" in page


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("holder_name", "", "Enter your name on the card."),
        ("number", "", "Enter the card number."),
        ("number", "4242 4242 4242 4241", "This card number is not valid; check the digits."),
        ("number", "4242", "12 to 19 digits"),
        ("number", "4242-abcd-4242-4242", "digits only"),
        ("number", "9999 9999 9999 9995", "this number is none of them"),
        ("expiry", "2030-08", "Enter the expiry date as MM/YY"),
        ("expiry", "13/30", "between 01 and 12"),
        ("expiry", "01/21", "This card has expired."),
        ("cvc", "12", "3-digit security code"),
    ],
)
def test_card_field_messages(login_as, ana, field, value, message):
    response = login_as(ana).form("/account/cards/new", {**CARD, field: value})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    assert f'value="{CARD["number"]}"' not in text  # the number is not sent back


def test_amex_wants_four_digit_codes(login_as, ana):
    data = {**CARD, "number": "3782 822463 10005", "cvc": "123"}
    text = login_as(ana).form("/account/cards/new", data).get_data(as_text=True)
    assert "4-digit security code on the front" in text
    assert login_as(ana).form("/account/cards/new", {**data, "cvc": "1234"}).status_code == 303


def test_gateway_declines_are_shown(login_as, ana, app_ctx):
    text = (
        login_as(ana)
        .form("/account/cards/new", {**CARD, "number": "4000 0000 0000 0002"})
        .get_data(as_text=True)
    )
    assert "The card was declined by the bank. Try another card." in text
    assert cards_in_db() == []


def test_the_same_card_twice_is_refused(login_as, ana):
    client = login_as(ana)
    client.form("/account/cards/new", CARD)
    text = client.form("/account/cards/new", CARD).get_data(as_text=True)
    assert "This card is already saved in your account." in text


def test_another_travelers_card_is_a_404(login_as, ana, make_user, app_ctx):
    login_as(ana).form("/account/cards/new", CARD)
    (card,) = cards_in_db()
    intruder = login_as(make_user())
    assert intruder.form(f"/account/cards/{card.id}/delete").status_code == 404
    assert len(cards_in_db()) == 1
    assert login_as(ana).form(f"/account/cards/{card.id}/delete").status_code == 303
    assert cards_in_db() == []
