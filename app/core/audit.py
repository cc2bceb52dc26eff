"""The audit log: every change an administrator makes, with before and after.

Services call `record(...)` in the same transaction as the change, so an
entry exists exactly when the change does. Entries are never edited, except
that deleting an account redacts the values it holds about that person
(`redact_target`), keeping who did what and when.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request

from app.core.models import BigId, utcnow
from app.extensions import db

REDACTED = "[redacted]"


class AuditEntry(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_target", "target_type", "target_id", "created_at"),
        sa.Index("ix_audit_log_created_at", "created_at"),
    )

    id = db.Column(BigId, primary_key=True, autoincrement=True)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"), index=True)
    actor_label = db.Column(db.String(254), nullable=False)  # email and role at the time
    action = db.Column(db.String(64), nullable=False)
    target_type = db.Column(db.String(32), nullable=False)
    target_id = db.Column(db.String(64), nullable=False)
    before = db.Column(db.Text)  # JSON object of the fields as they were
    after = db.Column(db.Text)  # JSON object of the same fields afterwards
    ip = db.Column(db.String(45))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    actor = db.relationship("User", foreign_keys=[actor_id], lazy="joined")

    @property
    def before_data(self) -> dict[str, Any]:
        return json.loads(self.before) if self.before else {}

    @property
    def after_data(self) -> dict[str, Any]:
        return json.loads(self.after) if self.after else {}

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for each field the entry mentions."""
        before, after = self.before_data, self.after_data
        return [(name, before.get(name), after.get(name)) for name in {**before, **after}]


def record(
    actor,
    action: str,
    target_type: str,
    target_id: Any,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry to the session (the caller commits).

    `actor` is the admin User making the change.
    """
    label = actor.email + (f" ({actor.admin_role})" if getattr(actor, "admin_role", None) else "")
    entry = AuditEntry(
        actor_id=actor.id,
        actor_label=label[:254],
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        before=json.dumps(before, default=str, sort_keys=True) if before is not None else None,
        after=json.dumps(after, default=str, sort_keys=True) if after is not None else None,
        ip=(request.remote_addr or "")[:45] if has_request_context() else None,
        created_at=utcnow(),
    )
    db.session.add(entry)
    return entry


def redact_target(target_type: str, target_id: Any) -> int:
    """Replace the recorded values about one target with REDACTED (names stay)."""
    entries = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.target_type == target_type, AuditEntry.target_id == str(target_id)
        )
    ).all()
    for entry in entries:
        for column in ("before", "after"):
            data = json.loads(getattr(entry, column) or "null")
            if isinstance(data, dict):
                redacted = {k: (None if v is None else REDACTED) for k, v in data.items()}
                setattr(entry, column, json.dumps(redacted, sort_keys=True))
    return len(entries)


def entries(
    target_type: str | None = None,
    target_id: Any = None,
    actor_id: int | None = None,
    action: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[AuditEntry]:
    query = sa.select(AuditEntry)
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if target_id is not None:
        query = query.where(AuditEntry.target_id == str(target_id))
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if action:
        query = query.where(AuditEntry.action == action)
    query = query.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    return list(db.session.scalars(query.limit(limit).offset(offset)))
