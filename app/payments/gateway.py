"""The payment-gateway adapter: tokenise a card, charge a token, forget a token.

`PaymentGateway` is the contract; `SimulatedGateway` implements it without a
network so development and tests behave like a real gateway, including
declines. Its test numbers follow the common gateway conventions:

- 4000000000000002: declined when saving the card (generic decline)
- 4000000000009995: declined when saving (insufficient funds)
- 4000000000000341: saves fine, but every charge on it is declined
- 4000000000000259: needs a retry: the first charge attempt of each idempotency
  key answers GatewayRetry (nothing charged); a retry with the same key succeeds
- 4000000000000119: every charge fails with a gateway error (GatewayError,
  nothing charged), as when the processor is down
- any other number that passes the checks: accepted

Tokens are opaque strings; the card number never leaves this call. Charges and
refunds are kept in a ledger by idempotency key (in memory, or in Redis for
the app, so every process sees the same gateway): the same key always answers
the same charge, and `find_charge` tells a reconciliation job whether a charge
whose answer was lost really happened.
"""

from __future__ import annotations

import hashlib
import json
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


class GatewayError(Exception):
    """The gateway could not process the request (outage, processing error).
    Nothing was charged; the person may try again later."""

    def __init__(
        self, message: str = "The payment service did not answer.", code: str = "gateway_error"
    ):
        super().__init__(message)
        self.message = message
        self.code = code


class GatewayRetry(GatewayError):
    """A temporary failure: the same request with the same idempotency key may succeed."""


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


@dataclass(frozen=True)
class RefundResult:
    id: str
    charge_id: str
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

    def find_charge(self, idempotency_key: str) -> Charge | None:
        """The charge made under this key, if any (for reconciliation)."""

    def refund(
        self, charge_id: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        """Refund (part of) a charge once per idempotency key. Raises GatewayError."""


_DECLINE_ON_SAVE = {
    "4000000000000002": ("The card was declined by the bank. Try another card.", "card_declined"),
    "4000000000009995": (
        "The card was declined: insufficient funds. Try another card.",
        "insufficient_funds",
    ),
}
# Test numbers whose token carries a marker that decides what a charge does.
_CHARGE_MARKERS = {
    "4000000000000341": "x",  # declined on charge
    "4000000000000259": "r",  # first attempt per key: retry
    "4000000000000119": "e",  # gateway error
}
TEST_CARDS: dict[str, str] = {
    "4242424242424242": "succeeds",
    "4000000000000002": "declined (generic decline)",
    "4000000000009995": "declined (insufficient funds)",
    "4000000000000341": "saved fine, every charge declined",
    "4000000000000259": "needs a retry (the first attempt fails, a retry succeeds)",
    "4000000000000119": "fails with a gateway error (nothing charged)",
}


class MemoryLedger:
    """The simulated gateway's own records, in this process."""

    def __init__(self) -> None:
        self._data: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self._data.get(key)

    def set_once(self, key: str, value: str) -> str:
        return self._data.setdefault(key, value)

    def incr(self, key: str) -> int:
        self._data[key] = str(int(self._data.get(key, 0)) + 1)
        return int(self._data[key])


class RedisLedger:
    """The simulated gateway's records in Redis: every process sees one gateway."""

    TTL = 90 * 24 * 3600

    def __init__(self, redis, prefix: str) -> None:
        self.redis, self.prefix = redis, prefix

    def get(self, key: str) -> str | None:
        value = self.redis.get(self.prefix + key)
        return value.decode() if isinstance(value, bytes) else value

    def set_once(self, key: str, value: str) -> str:
        self.redis.set(self.prefix + key, value, nx=True, ex=self.TTL)
        return self.get(key)

    def incr(self, key: str) -> int:
        pipe = self.redis.pipeline()
        pipe.incr(self.prefix + key)
        pipe.expire(self.prefix + key, 3600)
        return int(pipe.execute()[0])


class SimulatedGateway:
    """A gateway that needs no network; its behaviour depends on test numbers."""

    TOKEN_PREFIX = "tok_sim_"

    def __init__(self, ledger=None) -> None:
        self.ledger = ledger if ledger is not None else MemoryLedger()

    def tokenise(self, card: CardDetails, holder_name: str) -> CardToken:
        if card.number in _DECLINE_ON_SAVE:
            message, code = _DECLINE_ON_SAVE[card.number]
            raise GatewayDeclined(message, code)
        marker = _CHARGE_MARKERS.get(card.number, "a")
        token = f"{self.TOKEN_PREFIX}{marker}{secrets.token_hex(12)}"
        return CardToken(token, card.brand, card.last4, card.exp_month, card.exp_year)

    def charge(self, token: str, amount: Decimal, currency: str, idempotency_key: str) -> Charge:
        if not isinstance(amount, Decimal) or amount <= 0:
            raise ValueError("amount must be a positive Decimal")
        done = self.find_charge(idempotency_key)
        if done is not None:  # a retry of a charge that happened: the same answer
            return done
        if not token.startswith(self.TOKEN_PREFIX) or len(token) <= len(self.TOKEN_PREFIX):
            raise GatewayDeclined("This saved card is no longer valid.", "invalid_token")
        marker = token[len(self.TOKEN_PREFIX)]
        if marker == "x":
            raise GatewayDeclined("The card was declined by the bank. Try another card.")
        if marker == "e":
            raise GatewayError(
                "The payment service could not process the card.", "processing_error"
            )
        if marker == "r" and self.ledger.incr(f"attempt:{idempotency_key}") == 1:
            raise GatewayRetry("The payment service is busy; try again.", "try_again")
        # The same idempotency key always yields the same charge id, as a real gateway's would.
        charge_id = "ch_sim_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        record = json.dumps([charge_id, token, str(amount), currency])
        charge_id, token, stored, currency = json.loads(
            self.ledger.set_once(f"charge:{idempotency_key}", record)
        )
        return Charge(charge_id, token, Decimal(stored), currency, "succeeded")

    def find_charge(self, idempotency_key: str) -> Charge | None:
        record = self.ledger.get(f"charge:{idempotency_key}")
        if record is None:
            return None
        charge_id, token, amount, currency = json.loads(record)
        return Charge(charge_id, token, Decimal(amount), currency, "succeeded")

    def refund(
        self, charge_id: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        if not isinstance(amount, Decimal) or amount <= 0:
            raise ValueError("amount must be a positive Decimal")
        refund_id = "re_sim_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        record = json.dumps([refund_id, charge_id, str(amount), currency])
        refund_id, charge_id, stored, currency = json.loads(
            self.ledger.set_once(f"refund:{idempotency_key}", record)
        )
        return RefundResult(refund_id, charge_id, Decimal(stored), currency, "succeeded")

    def detach(self, token: str) -> None:
        return None


def get_gateway() -> PaymentGateway:
    """The app's gateway: `app.extensions["payment_gateway"]`, simulated unless set.

    A real gateway adapter implements PaymentGateway and is placed there at start.
    """
    gateway = current_app.extensions.get("payment_gateway")
    if gateway is None:
        from app.extensions import queues

        prefix = f"{current_app.config.get('CACHE_KEY_PREFIX', 'kayak:')}sim-gateway:"
        gateway = SimulatedGateway(RedisLedger(queues.redis, prefix))
        current_app.extensions["payment_gateway"] = gateway
    return gateway
