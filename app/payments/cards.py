"""Pure card checks: digits, Luhn, brand, expiry, security code.

Each check raises CardError with a message a person can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

BRANDS: dict[str, str] = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "discover": "Discover",
    "diners": "Diners Club",
    "jcb": "JCB",
    "unionpay": "UnionPay",
}

# (brand, prefix ranges, valid lengths); checked in order.
_BRAND_RULES: list[tuple[str, list[tuple[int, int]], set[int]]] = [
    ("amex", [(34, 34), (37, 37)], {15}),
    ("diners", [(300, 305), (36, 36), (38, 39)], {14, 15, 16, 17, 18, 19}),
    ("discover", [(6011, 6011), (644, 649), (65, 65), (622126, 622925)], {16, 17, 18, 19}),
    ("jcb", [(3528, 3589)], {16, 17, 18, 19}),
    ("unionpay", [(62, 62)], {16, 17, 18, 19}),
    ("mastercard", [(51, 55), (2221, 2720)], {16}),
    ("visa", [(4, 4)], {13, 16, 19}),
]

_SEPARATORS = re.compile(r"[\s-]")


class CardError(ValueError):
    """A card detail is wrong; the message says which and how."""


@dataclass(frozen=True)
class CardDetails:
    number: str  # digits only; lives in memory just long enough to tokenise
    brand: str
    exp_month: int
    exp_year: int
    cvc: str

    @property
    def last4(self) -> str:
        return self.number[-4:]

    def __repr__(self) -> str:  # never print the number or the code
        return f"CardDetails(brand={self.brand!r}, last4={self.last4!r})"


def clean_number(raw: str) -> str:
    """Digits of a card number typed with spaces or dashes. Raises CardError."""
    number = _SEPARATORS.sub("", raw or "")
    if not number:
        raise CardError("Enter the card number.")
    if not number.isdigit() or not number.isascii():
        raise CardError("A card number has digits only (spaces and dashes are fine).")
    if not 12 <= len(number) <= 19:
        raise CardError("A card number has 12 to 19 digits; check that none is missing.")
    return number


def luhn_ok(number: str) -> bool:
    """The Luhn (mod 10) checksum every card number carries in its last digit."""
    if not number.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def detect_brand(number: str) -> str | None:
    for brand, ranges, lengths in _BRAND_RULES:
        for low, high in ranges:
            width = len(str(low))
            if len(number) >= width and low <= int(number[:width]) <= high:
                return brand if len(number) in lengths else None
    return None


def parse_expiry(raw: str, today: date | None = None) -> tuple[int, int]:
    """'MM/YY' or 'MM/YYYY' -> (month, year). Raises CardError, also when expired."""
    value = (raw or "").strip().replace(" ", "")
    match = re.fullmatch(r"(\d{1,2})[/-](\d{2}|\d{4})", value)
    if not match:
        raise CardError("Enter the expiry date as MM/YY, e.g. 08/29.")
    month, year = int(match.group(1)), int(match.group(2))
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise CardError("The expiry month must be between 01 and 12.")
    today = today or date.today()
    if (year, month) < (today.year, today.month):
        raise CardError("This card has expired. Use a card that is still valid.")
    if year > today.year + 20:
        raise CardError("That expiry date is too far in the future; check the year.")
    return month, year


def check_cvc(raw: str, brand: str | None) -> str:
    cvc = (raw or "").strip()
    want = 4 if brand == "amex" else 3
    if not cvc.isdigit() or not cvc.isascii() or len(cvc) != want:
        if brand == "amex":
            raise CardError("Enter the 4-digit security code on the front of the card.")
        raise CardError("Enter the 3-digit security code on the back of the card.")
    return cvc


def check_card(number: str, expiry: str, cvc: str, today: date | None = None) -> CardDetails:
    """All checks at once; raises CardError with the first problem's message."""
    digits = clean_number(number)
    if not luhn_ok(digits):
        raise CardError("This card number is not valid; check the digits.")
    brand = detect_brand(digits)
    if brand is None:
        raise CardError(
            "We accept Visa, Mastercard, American Express, Discover, Diners Club, JCB "
            "and UnionPay; this number is none of them."
        )
    month, year = parse_expiry(expiry, today)
    return CardDetails(digits, brand, month, year, check_cvc(cvc, brand))
