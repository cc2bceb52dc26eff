"""Sign-in, sign-up and password-reset logic.

Sign-in never says whether an email has an account: an unknown email and a
wrong password get the same message after the same amount of work. Failures
are counted per email+IP and per IP (app.auth.ratelimit).
"""

from __future__ import annotations

import hashlib
import logging

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.auth import ratelimit
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.core.mail import MailError, send
from app.core.models import utcnow
from app.extensions import db
from app.users import services as users
from app.users.models import User

log = logging.getLogger(__name__)

BAD_CREDENTIALS = "Email or password is incorrect."
DEACTIVATED = "This account has been deactivated. Contact support to restore it."


class SignInError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TooManyAttempts(SignInError):
    def __init__(self, wait_seconds: int):
        self.minutes = ratelimit.minutes(wait_seconds)
        unit = "minute" if self.minutes == 1 else "minutes"
        super().__init__(f"Too many attempts. Try again in {self.minutes} {unit}.")


# -- sign-in ----------------------------------------------------------------
def sign_in(email: str, password: str, ip: str) -> User:
    """The account for these credentials. Raises SignInError or TooManyAttempts."""
    config = current_app.config
    window = config["SIGNIN_WINDOW_SECONDS"]
    email = email.strip().lower()
    wait = max(
        ratelimit.blocked_for("signin", email, ip, limit=config["SIGNIN_MAX_FAILURES"]),
        ratelimit.blocked_for("signin-ip", ip, limit=config["SIGNIN_MAX_FAILURES_PER_IP"]),
    )
    if wait:
        raise TooManyAttempts(wait)
    user = users.by_email(email)
    usable = user is not None and user.deleted_at is None
    if not verify_password(user.password_hash if usable else None, password):
        failures = ratelimit.hit("signin", email, ip, window=window)
        ratelimit.hit("signin-ip", ip, window=window)
        log.info("sign-in failed", extra={"user_id": user.id if usable else None, "ip": ip})
        if failures >= config["SIGNIN_MAX_FAILURES"]:
            raise TooManyAttempts(window)
        raise SignInError(BAD_CREDENTIALS)
    if not user.active:
        raise SignInError(DEACTIVATED)
    ratelimit.reset("signin", email, ip)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = utcnow()
    db.session.commit()
    log.info("signed in", extra={"user_id": user.id})
    return user


def signup_allowed(ip: str) -> int:
    """Seconds to wait before this IP may create another account (0: go ahead)."""
    return ratelimit.blocked_for("signup", ip, limit=current_app.config["SIGNUP_MAX_PER_HOUR"])


def sign_up(first_name: str, last_name: str, email: str, password: str, ip: str) -> User:
    """Raises users.AccountError for a taken email."""
    user = users.create_traveler(first_name, last_name, email, password)
    ratelimit.hit("signup", ip, window=3600)
    return user


# -- one-time links -----------------------------------------------------------
PURPOSES = {"reset": "PASSWORD_RESET_MAX_AGE", "invite": "ACCOUNT_INVITE_MAX_AGE"}


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="kayak.password-link")


def _fingerprint(user: User) -> str:
    """Changes when the password or session token does: a used link stops working."""
    material = f"{user.id}:{user.session_token}:{user.password_hash or ''}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def make_password_token(user: User, purpose: str = "reset") -> str:
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user), "p": purpose})


def user_for_password_token(token: str) -> tuple[User | None, str]:
    """(user, "") for a valid link, else (None, why) with why "expired" or "invalid"."""
    longest = max(current_app.config[key] for key in PURPOSES.values())
    try:
        data, signed_at = _serializer().loads(token, max_age=longest, return_timestamp=True)
    except SignatureExpired:
        return None, "expired"
    except (BadSignature, ValueError, TypeError):
        return None, "invalid"
    if not isinstance(data, dict) or data.get("p") not in PURPOSES:
        return None, "invalid"
    age = (utcnow() - signed_at.replace(tzinfo=None)).total_seconds()
    if age > current_app.config[PURPOSES[data["p"]]]:
        return None, "expired"
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.is_active or data.get("f") != _fingerprint(user):
        return None, "invalid"
    return user, ""


def request_password_reset(email: str, ip: str) -> None:
    """Mail a reset link if an active account has this email; silent either way."""
    config = current_app.config
    sent = ratelimit.hit("reset-mail", email, window=3600)
    if sent > config["PASSWORD_RESET_MAX_PER_HOUR"]:
        log.warning("password reset mail limit reached", extra={"ip": ip})
        return
    user = users.by_email(email)
    if user is None or not user.is_active:
        log.info("password reset asked for no active account", extra={"ip": ip})
        return
    link = url_for("auth.reset_password", token=make_password_token(user), _external=True)
    minutes = config["PASSWORD_RESET_MAX_AGE"] // 60
    body = (
        f"Hello {user.first_name},\n\n"
        "Someone, hopefully you, asked to reset the password of your Kayak account.\n"
        "Choose a new password here:\n\n"
        f"{link}\n\n"
        f"The link works once and expires in {minutes} minutes. If you didn't ask, ignore "
        "this message: your password stays as it is.\n\n— Kayak"
    )
    try:
        send(user.email, "Reset your Kayak password", body)
    except MailError:
        log.exception("could not send a password reset mail", extra={"user_id": user.id})


def reset_password(user: User, new_password: str) -> None:
    users.set_password(user, new_password, reason="reset")
    ratelimit.reset("reset-mail", user.email)


def send_invitation(user: User, invited_by: User | None = None) -> bool:
    """Mail a set-your-password link to an account an admin created."""
    link = url_for("auth.reset_password", token=make_password_token(user, "invite"), _external=True)
    days = current_app.config["ACCOUNT_INVITE_MAX_AGE"] // 86400
    what = (
        f"an administrator account ({user.admin_role.replace('_', ' ')})"
        if user.kind == "admin"
        else f"a partner account for {user.provider.name if user.provider else 'your company'}"
    )
    body = (
        f"Hello {user.first_name},\n\n"
        f"{invited_by.full_name if invited_by else 'Kayak'} created {what} for you on Kayak.\n"
        "Choose your password here to start:\n\n"
        f"{link}\n\n"
        f"The link works once and expires in {days} days.\n\n— Kayak"
    )
    try:
        send(user.email, "Your Kayak account is ready", body)
        return True
    except MailError:
        log.exception("could not send an invitation", extra={"user_id": user.id})
        return False
