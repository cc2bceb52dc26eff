"""Tables of the event pipeline: the outbox, the handler ledger, dead letters."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from app.extensions import db

# BIGINT autoincrement on MySQL; SQLite only autoincrements INTEGER keys.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def utcnow() -> datetime:
    """Naive UTC: MySQL DATETIME has no zone, so every stored time is UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class OutboxEvent(db.Model):
    """An event written in the same transaction as the change it describes."""

    __tablename__ = "outbox"
    __table_args__ = (
        sa.Index("ix_outbox_unsent", "sent_at", "seq"),
        # The sweeper and the lag check read only unsettled rows through this index.
        sa.Index("ix_outbox_unsettled", "settled_at", "seq"),
    )

    seq = db.Column(BigId, primary_key=True, autoincrement=True)
    event_id = db.Column(db.String(36), nullable=False, unique=True)
    type = db.Column(db.String(64), nullable=False)
    key = db.Column(db.String(64), nullable=False)
    envelope = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    sent_at = db.Column(db.DateTime)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    last_error = db.Column(db.Text)
    # Set once every subscribed handler has processed the event or filed a dead
    # letter (app/core/sweeper.py); NULL while the event is still on its way.
    settled_at = db.Column(db.DateTime)
    # How many times the sweeper re-dispatched the event, and when it looks again.
    sweeps = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    next_sweep_at = db.Column(db.DateTime)

    @classmethod
    def from_envelope(cls, envelope: dict[str, Any]) -> OutboxEvent:
        return cls(
            event_id=envelope["id"],
            type=envelope["type"],
            key=envelope["key"][:64],
            envelope=json.dumps(envelope, separators=(",", ":"), default=str),
            created_at=utcnow(),
        )

    def as_envelope(self) -> dict[str, Any]:
        return json.loads(self.envelope)


class ProcessedEvent(db.Model):
    """Ledger that makes handlers idempotent: one row per (event, handler)."""

    __tablename__ = "processed_events"

    event_id = db.Column(db.String(36), primary_key=True)
    handler = db.Column(db.String(191), primary_key=True)
    processed_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class DeadLetter(db.Model):
    """A handler run that kept failing; an admin can read it and retry it."""

    __tablename__ = "dead_letters"
    __table_args__ = (sa.Index("ix_dead_letters_status", "status", "failed_at"),)

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    event_id = db.Column(db.String(36), nullable=False, index=True)
    event_type = db.Column(db.String(64), nullable=False)
    handler = db.Column(db.String(191), nullable=False)
    envelope = db.Column(db.Text, nullable=False)
    error = db.Column(db.Text, nullable=False)
    attempts = db.Column(db.Integer, nullable=False)
    # dead | retried (an admin sent it back) | resolved (a later run succeeded)
    status = db.Column(db.String(16), nullable=False, default="dead")
    failed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    retried_at = db.Column(db.DateTime)

    def as_envelope(self) -> dict[str, Any]:
        return json.loads(self.envelope)
