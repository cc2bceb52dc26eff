"""The payment-gateway adapter: tokenise a card, charge a token, forget a token.

`PaymentGateway` is the contract; `SimulatedGateway` implements it without a
network so development and tests behave like a real gateway, including
declines. Its test numbers follow the common gateway conventions:

- 4000000000000002: declined when saving the card (generic decline)
- 4000000000009995: declined when saving (insufficient funds)
- 4000000000000341: saves fine, but every charge on it is declined
- any other number that passes the checks: accepted

Tokens are opaque strings; the card number never leaves this call.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from flask import current_app

from app.payments.cards import CardDetails


class GatewayDeclined(Exception):
    """The gateway refused the card or the charge; `message` is for the person."""

    def __init__(self, message: str, code: str = "card_declined"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class CardToken:
    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class Charge:
    id: str
    token: str
    amount: Decimal
    currency: str
    status: str  # "succeeded"


class PaymentGateway(Protocol):
    def tokenise(self, card: CardDetails, holder_name: str) -> CardToken:
        """Exchange card details for a reusable token. Raises GatewayDeclined."""

    def charge(self, token: str, amount: Decimal, currency: str, idempotency_key: str) -> Charge:
        """Charge a token once per idempotency key. Raises GatewayDeclined."""

    def detach(self, token: str) -> None:
        """Forget a token (the traveler removed the card or deleted the account)."""


_DECLINE_ON_SAVE = {
    "4000000000000002": ("The card was declined by the bank. Try another card.", "card_declined"),
    "4000000000009995": (
        "The card was declined: insufficient funds. Try another card.",
        "insufficient_funds",
    ),
}
_DECLINE_ON_CHARGE = "4000000000000341"


class SimulatedGateway:
    """A gateway that needs no network; its behaviour depends on test numbers."""

    TOKEN_PREFIX = "tok_sim_"

    def tokenise(self, card: CardDetails, holder_name: str) -> CardToken:
        if card.number in _DECLINE_ON_SAVE:
            message, code = _DECLINE_ON_SAVE[card.number]
            raise GatewayDeclined(message, code)
        marker = "x" if card.number == _DECLINE_ON_CHARGE else "a"
        token = f"{self.TOKEN_PREFIX}{marker}{secrets.token_hex(12)}"
        return CardToken(token, card.brand, card.last4, card.exp_month, card.exp_year)

    def charge(self, token: str, amount: Decimal, currency: str, idempotency_key: str) -> Charge:
        if not isinstance(amount, Decimal) or amount <= 0:
            raise ValueError("amount must be a positive Decimal")
        if not token.startswith(self.TOKEN_PREFIX):
            raise GatewayDeclined("This saved card is no longer valid.", "invalid_token")
        if token[len(self.TOKEN_PREFIX)] == "x":
            raise GatewayDeclined("The card was declined by the bank. Try another card.")
        # The same idempotency key always yields the same charge id, as a real gateway's would.
        charge_id = "ch_sim_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        return Charge(charge_id, token, amount, currency, "succeeded")

    def detach(self, token: str) -> None:
        return None


def get_gateway() -> PaymentGateway:
    """The app's gateway: `app.extensions["payment_gateway"]`, simulated unless set.

    A real gateway adapter implements PaymentGateway and is placed there at start.
    """
    gateway = current_app.extensions.get("payment_gateway")
    if gateway is None:
        gateway = current_app.extensions["payment_gateway"] = SimulatedGateway()
    return gateway
