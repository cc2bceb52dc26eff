"""Writes to accounts. Each public function commits once and publishes its event.

Events carry ids and the names of changed fields, never their values
(`user.updated` data: {"changed": [...]}). Changes made by an admin are also
recorded in the audit log with before and after values, in the same
transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.auth.passwords import hash_password, verify_password
from app.core import audit
from app.core.access import MANAGE_PERMISSION_BY_KIND, ROLE_PERMISSIONS, role_allows
from app.core.models import utcnow
from app.extensions import db, events
from app.payments.cards import CardDetails
from app.payments.gateway import GatewayDeclined, get_gateway
from app.users.models import (
    PREFERENCE_FIELDS,
    PROFILE_FIELDS,
    LoyaltyAccount,
    PaymentCard,
    User,
    UserPhoto,
    new_session_token,
)

log = logging.getLogger(__name__)

DUPLICATE_EMAIL = "An account with this email address already exists."


class AccountError(ValueError):
    """A write was refused; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# -- reads ----------------------------------------------------------------
def user_for_session(value: str) -> User | None:
    """The account a session cookie names, if it is still valid (see access.load_user)."""
    user_id, _, token = (value or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


def by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.lower()))


def get(user_id: int) -> User | None:
    return db.session.get(User, user_id)


@dataclass
class SearchResult:
    users: list[User]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(
    q: str = "",
    city: str = "",
    state: str = "",
    kind: str = "traveler",
    status: str = "",
    page: int = 1,
    per_page: int = 25,
) -> SearchResult:
    """Accounts matching every given filter; `q` matches names and email."""
    query = sa.select(User)
    if kind:
        query = query.where(User.kind == kind)
    for word in q.split()[:5]:
        pattern = _like(word)
        query = query.where(
            sa.or_(
                User.first_name.ilike(pattern, escape="\\"),
                User.last_name.ilike(pattern, escape="\\"),
                User.email.like(_like(word.lower()), escape="\\"),
            )
        )
    if city:
        query = query.where(User.city.ilike(_like(city), escape="\\"))
    if state:
        query = query.where(User.state == state)
    if status == "active":
        query = query.where(User.active.is_(True), User.deleted_at.is_(None))
    elif status == "deactivated":
        query = query.where(User.active.is_(False), User.deleted_at.is_(None))
    elif status == "deleted":
        query = query.where(User.deleted_at.is_not(None))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(User.last_name, User.first_name, User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return SearchResult(list(rows), total or 0, page, per_page)


# -- helpers --------------------------------------------------------------
def _email_taken(email: str, except_id: int | None = None) -> bool:
    query = sa.select(User.id).where(User.email == email)
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def _commit_or_duplicate() -> None:
    """Commit; a unique-email race that slipped past the check becomes a form error."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        if "email" in str(exc.orig).lower():
            raise AccountError(DUPLICATE_EMAIL, "email") from None
        raise


def _snapshot(user: User, fields) -> dict[str, Any]:
    return {name: getattr(user, name) for name in fields}


def _apply(user: User, values: dict[str, Any], fields) -> list[str]:
    changed = []
    for name in fields:
        if name in values and values[name] != getattr(user, name):
            setattr(user, name, values[name])
            changed.append(name)
    return changed


def _actor_id(actor: User | None, user: User) -> int:
    return (actor or user).id


# -- sign-up and accounts created by admins --------------------------------
def create_traveler(first_name: str, last_name: str, email: str, password: str) -> User:
    """Raises AccountError (field "email") if the address is taken."""
    if _email_taken(email):
        raise AccountError(DUPLICATE_EMAIL, "email")
    user = User(
        kind="traveler",
        email=email,
        first_name=first_name,
        last_name=last_name,
        password_hash=hash_password(password),
        created_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    events.publish("user.created", user.id, {"kind": "traveler"}, actor=user.id)
    _commit_or_duplicate()
    log.info("traveler signed up", extra={"user_id": user.id})
    return user


def create_staff_account(
    actor: User | None,
    kind: str,
    email: str,
    first_name: str,
    last_name: str,
    admin_role: str | None = None,
    provider_id: int | None = None,
    password: str | None = None,
) -> User:
    """An admin or partner account, made by an admin (audited) or the CLI (actor None).

    Without `password` the account has none yet: the person sets it through
    the invitation link (`auth.services.send_invitation`).
    """
    if kind not in ("admin", "partner"):
        raise AccountError("Choose an administrator or a partner account.", "kind")
    if actor is not None and not role_allows(actor.admin_role, MANAGE_PERMISSION_BY_KIND[kind]):
        raise AccountError("Your role may not create this kind of account.", "kind")
    if kind == "admin" and admin_role not in ROLE_PERMISSIONS:
        raise AccountError("Choose one of the admin roles.", "admin_role")
    if kind == "partner":
        from app.listings.models import Provider

        provider = db.session.get(Provider, provider_id) if provider_id else None
        if provider is None or provider.deleted_at is not None:
            raise AccountError("Choose the provider this partner acts for.", "provider_id")
    if _email_taken(email):
        raise AccountError(DUPLICATE_EMAIL, "email")
    user = User(
        kind=kind,
        admin_role=admin_role if kind == "admin" else None,
        provider_id=provider_id if kind == "partner" else None,
        email=email,
        first_name=first_name,
        last_name=last_name,
        password_hash=hash_password(password) if password else None,
        created_at=utcnow(),
    )
    db.session.add(user)
    db.session.flush()
    data = {"kind": kind, "admin_role": user.admin_role, "provider_id": user.provider_id}
    events.publish("user.created", user.id, data, actor=actor.id if actor else "cli")
    if actor is not None:
        audit.record(
            actor,
            "user.create",
            "user",
            user.id,
            None,
            {"email": email, "first_name": first_name, "last_name": last_name, **data},
        )
    _commit_or_duplicate()
    return user


# -- profile --------------------------------------------------------------
def update_profile(user: User, values: dict[str, Any], actor: User | None = None) -> list[str]:
    """Set profile attributes; returns the names of those that changed.

    `actor` is the admin making the change (audited), None for the traveler.
    Raises AccountError (field "email") for an address another account uses.
    """
    fields = PROFILE_FIELDS + PREFERENCE_FIELDS
    new_email = values.get("email", user.email)
    if new_email != user.email and _email_taken(new_email, except_id=user.id):
        raise AccountError(DUPLICATE_EMAIL, "email")
    before = _snapshot(user, fields)
    changed = _apply(user, values, fields)
    if not changed:
        return []
    if actor is not None:
        audit.record(
            actor,
            "user.update",
            "user",
            user.id,
            {name: before[name] for name in changed},
            {name: getattr(user, name) for name in changed},
        )
    events.publish("user.updated", user.id, {"changed": changed}, actor=_actor_id(actor, user))
    old_email = before["email"]
    _commit_or_duplicate()
    if "email" in changed:
        _notify_email_change(old_email, user)
    return changed


def _notify_email_change(old_email: str, user: User) -> None:
    from app.core.mail import MailError, send

    try:
        send(
            old_email,
            "Your Kayak email address was changed",
            f"Hello {user.first_name},\n\nThe email address of your Kayak account was changed "
            f"to {user.email}. If you did not do this, reply to this message or contact "
            "support at once.\n\n— Kayak",
        )
    except MailError:
        log.exception("could not notify the old address of an email change")


def set_photo(user: User, jpeg: bytes, actor: User | None = None) -> None:
    photo = db.session.get(UserPhoto, user.id)
    if photo is None:
        photo = UserPhoto(user_id=user.id)
        db.session.add(photo)
    photo.content = jpeg
    photo.content_type = "image/jpeg"
    photo.updated_at = user.photo_updated_at = utcnow()
    if actor is not None:
        audit.record(actor, "user.photo.replace", "user", user.id, None, {"photo": "new"})
    events.publish("user.updated", user.id, {"changed": ["photo"]}, actor=_actor_id(actor, user))
    db.session.commit()


def remove_photo(user: User, actor: User | None = None) -> bool:
    photo = db.session.get(UserPhoto, user.id)
    if photo is None:
        return False
    db.session.delete(photo)
    user.photo_updated_at = None
    if actor is not None:
        audit.record(actor, "user.photo.remove", "user", user.id, {"photo": "set"}, {"photo": None})
    events.publish("user.updated", user.id, {"changed": ["photo"]}, actor=_actor_id(actor, user))
    db.session.commit()
    return True


def photo_of(user: User) -> UserPhoto | None:
    return db.session.get(UserPhoto, user.id) if user.photo_updated_at else None


# -- cards ----------------------------------------------------------------
def add_card(user: User, card: CardDetails, holder_name: str) -> PaymentCard:
    """Tokenise through the gateway and keep the token. Raises AccountError."""
    for saved in user.cards:
        if (saved.brand, saved.last4, saved.exp_month, saved.exp_year) == (
            card.brand,
            card.last4,
            card.exp_month,
            card.exp_year,
        ):
            raise AccountError("This card is already saved in your account.", "number")
    if len(user.cards) >= 10:
        raise AccountError("You can save up to 10 cards; remove one first.", "number")
    try:
        token = get_gateway().tokenise(card, holder_name)
    except GatewayDeclined as exc:
        log.info("card declined by the gateway", extra={"user_id": user.id, "code": exc.code})
        raise AccountError(exc.message, "number") from None
    saved = PaymentCard(
        user=user,
        token=token.token,
        brand=token.brand,
        last4=token.last4,
        exp_month=token.exp_month,
        exp_year=token.exp_year,
        holder_name=holder_name,
        created_at=utcnow(),
    )
    db.session.add(saved)
    events.publish("user.updated", user.id, {"changed": ["cards"]}, actor=user.id)
    db.session.commit()
    log.info("card saved", extra={"user_id": user.id, "card_id": saved.id, "brand": saved.brand})
    return saved


def remove_card(user: User, card: PaymentCard, actor: User | None = None) -> None:
    token = card.token
    if actor is not None:
        audit.record(
            actor,
            "user.card.remove",
            "user",
            user.id,
            {"card": f"{card.brand_label} •••• {card.last4} {card.expiry}"},
            {"card": None},
        )
    user.cards.remove(card)
    events.publish("user.updated", user.id, {"changed": ["cards"]}, actor=_actor_id(actor, user))
    db.session.commit()
    get_gateway().detach(token)


# -- preferences ----------------------------------------------------------
def add_loyalty(user: User, program: str, number: str, actor: User | None = None):
    if any(a.program.lower() == program.lower() for a in user.loyalty_accounts):
        raise AccountError("You already saved a number for this program.", "program")
    account = LoyaltyAccount(user=user, program=program, number=number, created_at=utcnow())
    db.session.add(account)
    if actor is not None:
        audit.record(actor, "user.loyalty.add", "user", user.id, None, {program: number})
    events.publish("user.updated", user.id, {"changed": ["loyalty"]}, actor=_actor_id(actor, user))
    db.session.commit()
    return account


def remove_loyalty(user: User, account: LoyaltyAccount, actor: User | None = None) -> None:
    if actor is not None:
        audit.record(
            actor, "user.loyalty.remove", "user", user.id, {account.program: account.number}, None
        )
    user.loyalty_accounts.remove(account)
    events.publish("user.updated", user.id, {"changed": ["loyalty"]}, actor=_actor_id(actor, user))
    db.session.commit()


# -- passwords ------------------------------------------------------------
def set_password(user: User, new_password: str, reason: str = "change") -> None:
    """Store a new hash and sign out every other session (new session token)."""
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    events.publish(
        "user.updated", user.id, {"changed": ["password"], "reason": reason}, actor=user.id
    )
    db.session.commit()


def change_password(user: User, current: str, new_password: str) -> None:
    """Raises AccountError (field "current_password") if `current` is wrong."""
    if not verify_password(user.password_hash, current):
        raise AccountError("That is not your current password.", "current_password")
    if verify_password(user.password_hash, new_password):
        raise AccountError("Choose a password different from the current one.", "password")
    set_password(user, new_password)


# -- admin actions ----------------------------------------------------------
def may_manage(actor: User, user: User) -> bool:
    """Whether `actor`'s role may change accounts of `user`'s kind."""
    return role_allows(actor.admin_role, MANAGE_PERMISSION_BY_KIND.get(user.kind, "*"))


def require_manage(actor: User, user: User) -> None:
    """Raises PermissionError if `actor` may not change `user`."""
    if not may_manage(actor, user):
        raise PermissionError("Your role may not change this account.")


def record_password_link(actor: User, user: User) -> None:
    """Audit that an admin mailed a password link to the account."""
    audit.record(actor, "user.password_link", "user", user.id, None, {"sent_to": user.email})
    db.session.commit()


def providers() -> list:
    """Providers a partner account can act for (the catalogue owns them)."""
    from app.listings.models import Provider

    return list(
        db.session.scalars(
            sa.select(Provider).where(Provider.deleted_at.is_(None)).order_by(Provider.name)
        )
    )


def set_active(actor: User, user: User, active: bool) -> bool:
    """Deactivate (signs the person out everywhere) or reactivate; audited."""
    require_manage(actor, user)
    if user.id == actor.id:
        raise AccountError("You can't deactivate your own account.")
    if user.deleted_at is not None:
        raise AccountError("This account was deleted; it can't be reactivated.")
    if bool(user.active) == active:
        return False
    audit.record(
        actor,
        "user.reactivate" if active else "user.deactivate",
        "user",
        user.id,
        {"active": user.active},
        {"active": active},
    )
    user.active = active
    user.deactivated_at = None if active else utcnow()
    if not active:
        user.session_token = new_session_token()
    events.publish("user.updated", user.id, {"changed": ["active"]}, actor=actor.id)
    db.session.commit()
    return True


def set_admin_role(actor: User, user: User, role: str) -> bool:
    require_manage(actor, user)
    if user.kind != "admin" or role not in ROLE_PERMISSIONS:
        raise AccountError("Choose one of the admin roles.", "admin_role")
    if user.id == actor.id:
        raise AccountError("You can't change your own role.", "admin_role")
    if role == user.admin_role:
        return False
    audit.record(
        actor, "user.role", "user", user.id, {"admin_role": user.admin_role}, {"admin_role": role}
    )
    user.admin_role = role
    user.session_token = new_session_token()
    events.publish("user.updated", user.id, {"changed": ["admin_role"]}, actor=actor.id)
    db.session.commit()
    return True


# -- deletion ---------------------------------------------------------------
def delete_account(user: User, password: str) -> None:
    """Anonymise the account and remove what only concerns the person.

    Kept: the row and its id (bookings and invoices reference it and keep their
    own copies of billing details), created_at, and the audit trail with its
    values redacted. Removed: names, contact details, address, preferences,
    loyalty numbers, saved cards (their gateway tokens are detached), the
    photo, the password. Reviews keep their text under "Former traveler"
    (the `users.forget_deleted_user` handler of `user.deleted`).
    Raises AccountError (field "password") for a wrong password.
    """
    if not verify_password(user.password_hash, password):
        raise AccountError("That is not your password.", "password")
    tokens = [card.token for card in user.cards]
    user.cards.clear()
    user.loyalty_accounts.clear()
    photo = db.session.get(UserPhoto, user.id)
    if photo is not None:
        db.session.delete(photo)
    old_email = user.email
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.first_name, user.last_name = "Deleted", "account"
    for name in ("phone", "address", "city", "state", "zip_code", "photo_updated_at"):
        setattr(user, name, None)
    for name in PREFERENCE_FIELDS:
        setattr(user, name, None)
    user.password_hash = None
    user.session_token = new_session_token()
    user.active = False
    user.deleted_at = utcnow()
    audit.redact_target("user", user.id)
    events.publish("user.deleted", user.id, {"kind": user.kind}, actor=user.id)
    db.session.commit()
    gateway = get_gateway()
    for token in tokens:
        gateway.detach(token)
    from app.core.mail import forget_recipient

    try:
        forget_recipient(old_email)
    except Exception:  # the account is already deleted; a leftover dev mail is no reason to fail
        log.warning("could not drop development mail of a deleted account", exc_info=True)
    log.info("account deleted", extra={"user_id": user.id})
