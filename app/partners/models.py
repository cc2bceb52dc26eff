"""API keys: a provider's credentials for the partner JSON API."""

from __future__ import annotations

from app.core.models import utcnow
from app.extensions import db


class ApiKey(db.Model):
    """Only the SHA-256 of a key is kept; `prefix` identifies it in lists and logs.

    A key is "kyk_<prefix>_<secret>": the prefix finds the row, the hash of the
    whole key proves it. Keys have 256 bits of randomness, so a fast hash is
    enough (a slow password hash would only slow every API call).
    """

    __tablename__ = "api_keys"

    id = db.Column(db.Integer, primary_key=True)
    provider_id = db.Column(db.Integer, db.ForeignKey("providers.id"), nullable=False, index=True)
    name = db.Column(db.String(80), nullable=False)
    prefix = db.Column(db.String(16), nullable=False, unique=True)
    key_hash = db.Column(db.String(64), nullable=False)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime)
    revoked_at = db.Column(db.DateTime)
    revoked_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    provider = db.relationship("Provider", lazy="joined")
    created_by = db.relationship("User", foreign_keys=[created_by_id])

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    @property
    def display(self) -> str:
        return f"kyk_{self.prefix}_…"
