"""API keys: create (shown once), revoke, and authenticate a request's key."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa

from app.core.models import utcnow
from app.extensions import db
from app.partners.models import ApiKey

log = logging.getLogger(__name__)

KEY_PREFIX = "kyk_"
MAX_ACTIVE_KEYS = 10
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one write per key a minute


class ApiKeyError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def keys_of(provider_id: int) -> list[ApiKey]:
    return list(
        db.session.scalars(
            sa.select(ApiKey)
            .where(ApiKey.provider_id == provider_id)
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc())
        )
    )


def create_key(user, name: str) -> tuple[ApiKey, str]:
    """A new key for the user's provider; returns (row, the key in clear).

    The clear key exists only in this return value: show it once, never store it.
    """
    active = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ApiKey)
        .where(ApiKey.provider_id == user.provider_id, ApiKey.revoked_at.is_(None))
    )
    if active >= MAX_ACTIVE_KEYS:
        raise ApiKeyError(f"A provider can have {MAX_ACTIVE_KEYS} active keys; revoke one first.")
    prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        provider_id=user.provider_id,
        name=name,
        prefix=prefix,
        key_hash=_hash(key),
        created_by_id=user.id,
        created_at=utcnow(),
    )
    db.session.add(row)
    db.session.commit()
    log.info("api key created", extra={"key_prefix": prefix, "provider_id": user.provider_id})
    return row, key


def revoke_key(user, key: ApiKey) -> bool:
    """Revoke a key (by a partner user of its provider, or by an admin: audited)."""
    if key.revoked_at is not None:
        return False
    key.revoked_at = utcnow()
    key.revoked_by_id = user.id
    if user.kind == "admin":
        from app.core import audit

        audit.record(
            user,
            "api_key.revoke",
            "provider",
            key.provider_id,
            {"key": f"{key.prefix} ({key.name})", "active": True},
            {"key": f"{key.prefix} ({key.name})", "active": False},
        )
    db.session.commit()
    log.info("api key revoked", extra={"key_prefix": key.prefix, "provider_id": key.provider_id})
    return True


def authenticate_key(presented: str) -> ApiKey | None:
    """The active key matching `presented`, or None. Never logs the key itself."""
    if not presented.startswith(KEY_PREFIX) or len(presented) > 200:
        return None
    prefix, _, secret = presented[len(KEY_PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    key = db.session.scalar(sa.select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or not hmac.compare_digest(key.key_hash, _hash(presented)):
        return None
    if key.revoked_at is not None or key.provider is None or key.provider.deleted_at is not None:
        return None
    now = utcnow()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
        db.session.commit()
    return key
