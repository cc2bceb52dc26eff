"""Card checks (pure) and the simulated gateway."""

from datetime import date
from decimal import Decimal

import pytest

from app.payments import cards
from app.payments.gateway import GatewayDeclined, SimulatedGateway

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    "number",
    [
        "4242424242424242",
        "4111111111111111",
        "5555555555554444",
        "378282246310005",
        "6011111111111117",
    ],
)
def test_luhn_accepts_real_test_numbers(number):
    assert cards.luhn_ok(number)


@pytest.mark.parametrize("number", ["4242424242424241", "1234567812345678", "", "42a2"])
def test_luhn_rejects_wrong_check_digits(number):
    assert not cards.luhn_ok(number)


@pytest.mark.parametrize(
    "number, brand",
    [
        ("4242424242424242", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("3056930009020004", "diners"),
        ("3566002020360505", "jcb"),
        ("6200000000000005", "unionpay"),
        ("9999999999999995", None),
    ],
)
def test_brand_detection(number, brand):
    assert cards.detect_brand(number) == brand


def test_clean_number_strips_spaces_and_dashes():
    assert cards.clean_number(" 4242 4242-4242 4242 ") == "4242424242424242"


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "Enter the card number."),
        ("4242 4242 4242 424x", "digits only"),
        ("４２４２４２４２４２４２４２４２", "digits only"),
        ("4242", "12 to 19 digits"),
        ("4" * 20, "12 to 19 digits"),
    ],
)
def test_clean_number_messages(raw, message):
    with pytest.raises(cards.CardError, match=message):
        cards.clean_number(raw)


@pytest.mark.parametrize(
    "raw, expected",
    [("08/29", (8, 2029)), ("8/29", (8, 2029)), ("11/2026", (11, 2026)), ("12-30", (12, 2030))],
)
def test_expiry_parsing(raw, expected):
    assert cards.parse_expiry(raw, TODAY) == expected


@pytest.mark.parametrize(
    "raw, message",
    [
        ("", "MM/YY"),
        ("0829", "MM/YY"),
        ("13/29", "between 01 and 12"),
        ("00/29", "between 01 and 12"),
        ("10/26", "expired"),
        ("01/2020", "expired"),
        ("01/60", "too far in the future"),
    ],
)
def test_expiry_messages(raw, message):
    with pytest.raises(cards.CardError, match=message):
        cards.parse_expiry(raw, TODAY)


def test_card_expiring_this_month_is_still_valid():
    assert cards.parse_expiry("11/26", TODAY) == (11, 2026)


def test_security_code_length_depends_on_brand():
    assert cards.check_cvc("123", "visa") == "123"
    assert cards.check_cvc("1234", "amex") == "1234"
    with pytest.raises(cards.CardError, match="3-digit"):
        cards.check_cvc("1234", "visa")
    with pytest.raises(cards.CardError, match="4-digit"):
        cards.check_cvc("123", "amex")
    with pytest.raises(cards.CardError, match="3-digit"):
        cards.check_cvc("12a", "visa")


def test_check_card_returns_details_without_showing_the_number():
    card = cards.check_card("4242 4242 4242 4242", "08/29", "123", TODAY)
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "4242", 8, 2029)
    assert "4242424242424242" not in repr(card)
    assert "123" not in repr(card)


def test_check_card_rejects_bad_luhn_and_unknown_brands():
    with pytest.raises(cards.CardError, match="not valid"):
        cards.check_card("4242424242424241", "08/29", "123", TODAY)
    with pytest.raises(cards.CardError, match="none of them"):
        cards.check_card("9999999999999995", "08/29", "123", TODAY)


def test_simulated_gateway_tokenises_and_declines_test_numbers():
    gateway = SimulatedGateway()
    token = gateway.tokenise(cards.check_card("4242424242424242", "08/29", "123", TODAY), "A B")
    assert token.token.startswith("tok_sim_") and "4242424242424242" not in token.token
    assert (token.brand, token.last4, token.exp_month, token.exp_year) == ("visa", "4242", 8, 2029)
    other = gateway.tokenise(cards.check_card("4242424242424242", "08/29", "123", TODAY), "A B")
    assert other.token != token.token
    with pytest.raises(GatewayDeclined, match="declined"):
        gateway.tokenise(cards.check_card("4000000000000002", "08/29", "123", TODAY), "A B")
    with pytest.raises(GatewayDeclined, match="insufficient funds") as exc:
        gateway.tokenise(cards.check_card("4000000000009995", "08/29", "123", TODAY), "A B")
    assert exc.value.code == "insufficient_funds"


def test_simulated_gateway_charges_idempotently_and_declines_on_charge():
    gateway = SimulatedGateway()
    good = gateway.tokenise(cards.check_card("4242424242424242", "08/29", "123", TODAY), "A B")
    first = gateway.charge(good.token, Decimal("120.50"), "USD", "booking-1")
    again = gateway.charge(good.token, Decimal("120.50"), "USD", "booking-1")
    assert first.id == again.id and first.status == "succeeded"
    assert gateway.charge(good.token, Decimal("1.00"), "USD", "booking-2").id != first.id
    with pytest.raises(ValueError):
        gateway.charge(good.token, Decimal("0"), "USD", "booking-3")
    bad = gateway.tokenise(cards.check_card("4000000000000341", "08/29", "123", TODAY), "A B")
    with pytest.raises(GatewayDeclined):
        gateway.charge(bad.token, Decimal("10.00"), "USD", "booking-4")
