"""The mail adapter: `send(to, subject, body)`.

With MAIL_URL set (smtp:// or smtps://) mail goes to that server. Without it
mail is written to the log; outside production each message is also kept in
the `mail_outbox` collection, which /auth/dev/mail lists, so a developer can
follow a password-reset link without a mail server. In production the log
line never carries the body (it holds one-time links).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from flask import current_app

from app.core.models import utcnow
from app.extensions import mongo

log = logging.getLogger(__name__)

OUTBOX = "mail_outbox"


class MailError(RuntimeError):
    """The message could not be handed to the mail server."""


def send(to: str, subject: str, body: str) -> str:
    """Send a plain-text message; returns its Message-ID. Raises MailError."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="kayak.local")
    message.set_content(body)
    if config.get("MAIL_URL"):
        _send_smtp(config["MAIL_URL"], message)
        log.info("mail sent", extra={"mail_to": to, "mail_subject": subject})
    else:
        _send_log(message, body, keep=config["APP_ENV"] != "production")
    return message["Message-ID"]


def _send_log(message: EmailMessage, body: str, keep: bool) -> None:
    if not keep:
        log.warning(
            "MAIL_URL is not set: mail to %s (%s) was not delivered",
            message["To"],
            message["Subject"],
        )
        return
    log.info(
        "mail (development, not delivered) to=%s subject=%s\n%s",
        message["To"],
        message["Subject"],
        body,
    )
    mongo.db[OUTBOX].insert_one(
        {
            "message_id": message["Message-ID"],
            "to": message["To"],
            "from": message["From"],
            "subject": message["Subject"],
            "body": body,
            "created_at": utcnow(),
        }
    )


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError("MAIL_URL must look like smtp://user:password@host:587")
    port = parts.port or (465 if parts.scheme == "smtps" else 587)
    context = ssl.create_default_context()
    try:
        if parts.scheme == "smtps":
            server = smtplib.SMTP_SSL(parts.hostname, port, timeout=10, context=context)
        else:
            server = smtplib.SMTP(parts.hostname, port, timeout=10)
        with server:
            server.ehlo()
            if parts.scheme == "smtp" and server.has_extn("starttls"):
                server.starttls(context=context)
                server.ehlo()
            if parts.username:
                server.login(unquote(parts.username), unquote(parts.password or ""))
            server.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"could not send mail via {parts.hostname}:{port}: {exc}") from exc


def outbox(limit: int = 50) -> list[dict]:
    """The newest development messages (empty in production)."""
    if current_app.config["APP_ENV"] == "production":
        return []
    return list(mongo.db[OUTBOX].find({}, {"_id": 0}).sort("created_at", -1).limit(limit))


def forget_recipient(address: str) -> int:
    """Drop kept development messages to `address` (account deletion)."""
    return mongo.db[OUTBOX].delete_many({"to": address}).deleted_count
