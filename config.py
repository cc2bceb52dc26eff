"""Configuration classes; every setting comes from the environment.

`ENV_VARS` lists each variable the app reads, with what it means. The
`.env.example` file and `docker-compose.yml` are checked against it by the
test suite, so a variable cannot be added here without being documented.
"""

from __future__ import annotations

import os
from datetime import timedelta

ENV_VARS: dict[str, str] = {
    "APP_ENV": "development (default), testing or production: picks the Config class.",
    "SECRET_KEY": "Signs sessions and tokens. Required in production; development "
    "makes a random one in instance/.",
    "DATABASE_URL": "SQLAlchemy URL of the relational database, e.g. "
    "mysql+pymysql://kayak:kayak@127.0.0.1:13306/kayak. Empty: embedded SQLite "
    "in instance/.",
    "MONGO_URL": "MongoDB URL, e.g. mongodb://127.0.0.1:27018/. Empty: the embedded "
    "document store in instance/.",
    "MONGO_DB": "Name of the MongoDB database (default kayak).",
    "EVENTS_TTL_DAYS": "Days the raw analytics event log (MongoDB `events`) keeps an event, "
    "through a TTL index where the store has them: the embedded store and MongoDB, not "
    "FerretDB 1.24 (default 7; 0 keeps every event).",
    "REDIS_URL": "Redis URL for the cache and the RQ queues, e.g. "
    "redis://127.0.0.1:16379/0. Empty: an embedded Redis server in instance/.",
    "KAFKA_BOOTSTRAP": "Kafka bootstrap servers, e.g. 127.0.0.1:19092. Empty: the relay "
    "hands events from the outbox straight to RQ jobs.",
    "KAFKA_TOPIC": "Topic that carries the domain events (default kayak.events).",
    "KAFKA_GROUP": "Consumer group of the event consumer (default kayak-consumer).",
    "RQ_QUEUE": "Name of the RQ queue the workers serve (default kayak).",
    "KAFKA_ACTIVITY_TOPIC": "Topic of the activity events: searches, views, clicks "
    "(default kayak.activity).",
    "KAFKA_ACTIVITY_GROUP": "Consumer group of the activity consumer (default kayak-activity).",
    "RQ_ACTIVITY_QUEUE": "RQ queue of the activity batches; workers serve it after "
    "RQ_QUEUE (default kayak-activity).",
    "ACTIVITY_BUFFER_SIZE": "Activity events a process holds while the broker is away; "
    "beyond it they are dropped and counted (default 10000).",
    "EVENT_MAX_ATTEMPTS": "How many times a failing event handler runs before its job "
    "goes to the dead letters (default 5).",
    "EVENT_RETRY_BASE_SECONDS": "First retry delay of a failing handler; doubles per "
    "attempt (default 2).",
    "RELAY_POLL_SECONDS": "How often the relay looks for new outbox rows (default 0.5).",
    "OUTBOX_LAG_WARN_SECONDS": "Age of the oldest unsent event above which /readyz "
    "reports the outbox as degraded (default 120).",
    "EVENT_SWEEP_GRACE_SECONDS": "Age of a sent business event after which the delivery "
    "sweeper re-dispatches the handlers still owed a run (default 90; never shorter than "
    "a failing handler's whole retry schedule).",
    "EVENT_SWEEP_INTERVAL_SECONDS": "How often the relay runs a round of the delivery "
    "sweeper (default 15; 0 turns it off).",
    "EVENT_SWEEP_MAX": "Re-dispatches of one event before the sweeper files a dead letter "
    "for each handler still missing (default 5).",
    "EVENT_LAG_WARN_SECONDS": "Age of the oldest business event not yet processed by all "
    "its handlers above which /readyz reports event lag as degraded (default 300).",
    "SESSION_COOKIE_SECURE": "1 to send the session cookie over HTTPS only (default 1 "
    "in production, 0 elsewhere).",
    "MAIL_URL": "Outgoing mail server, e.g. smtp://user:pass@smtp.example.com:587 "
    "(smtps:// for TLS from the start; STARTTLS is used when the server offers it). "
    "Empty: mail is written to the log and, outside production, listed at /auth/dev/mail.",
    "MAIL_FROM": "Sender address of account mail (default Kayak <no-reply@kayak.local>).",
    "LISTING_PAGE_MEMO_SECONDS": "How long a process serves a shared listing page it has "
    "just checked against the versions in Redis from memory, without asking again "
    "(default 0.25; 0 turns it off). A write in another process shows after at most this.",
    "PERIODIC_JOBS": "1 (default) to let the relay run the domains' periodic jobs "
    "(releasing unpaid holds, reconciling payments); 0 turns them off.",
    "BOOKING_HOLD_MINUTES": "How long a booking holds its seats, rooms or car while the "
    "traveler pays (default 10); then the expiry job releases it (booking.abandoned).",
    "LOG_LEVEL": "Logging level (default INFO).",
    "LOG_FORMAT": "json (default) or text.",
}


def env(name: str, default: str | None = None) -> str | None:
    """Read one documented variable; empty counts as unset."""
    if name not in ENV_VARS:
        raise KeyError(f"{name} is not listed in config.ENV_VARS")
    value = os.environ.get(name, "").strip()
    return value or default


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


def env_float(name: str, default: float) -> float:
    return float(env(name, str(default)))


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


class Config:
    APP_ENV = "development"
    SECRET_KEY = env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = env("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_recycle": 1800}
    MONGO_URL = env("MONGO_URL")
    MONGO_DB = env("MONGO_DB", "kayak")
    EVENTS_TTL_DAYS = env_float("EVENTS_TTL_DAYS", 7.0)
    REDIS_URL = env("REDIS_URL")
    KAFKA_BOOTSTRAP = env("KAFKA_BOOTSTRAP")
    KAFKA_TOPIC = env("KAFKA_TOPIC", "kayak.events")
    KAFKA_GROUP = env("KAFKA_GROUP", "kayak-consumer")
    RQ_QUEUE = env("RQ_QUEUE", "kayak")
    KAFKA_ACTIVITY_TOPIC = env("KAFKA_ACTIVITY_TOPIC", "kayak.activity")
    KAFKA_ACTIVITY_GROUP = env("KAFKA_ACTIVITY_GROUP", "kayak-activity")
    RQ_ACTIVITY_QUEUE = env("RQ_ACTIVITY_QUEUE", "kayak-activity")
    ACTIVITY_BUFFER_SIZE = env_int("ACTIVITY_BUFFER_SIZE", 10_000)
    EVENT_MAX_ATTEMPTS = env_int("EVENT_MAX_ATTEMPTS", 5)
    EVENT_RETRY_BASE_SECONDS = env_float("EVENT_RETRY_BASE_SECONDS", 2.0)
    RELAY_POLL_SECONDS = env_float("RELAY_POLL_SECONDS", 0.5)
    OUTBOX_LAG_WARN_SECONDS = env_int("OUTBOX_LAG_WARN_SECONDS", 120)
    EVENT_SWEEP_GRACE_SECONDS = env_float("EVENT_SWEEP_GRACE_SECONDS", 90.0)
    EVENT_SWEEP_INTERVAL_SECONDS = env_float("EVENT_SWEEP_INTERVAL_SECONDS", 15.0)
    EVENT_SWEEP_MAX = env_int("EVENT_SWEEP_MAX", 5)
    EVENT_LAG_WARN_SECONDS = env_int("EVENT_LAG_WARN_SECONDS", 300)
    BOOKING_HOLD_MINUTES = env_int("BOOKING_HOLD_MINUTES", 10)
    PERIODIC_JOBS = env_bool("PERIODIC_JOBS", True)
    LISTING_PAGE_MEMO_SECONDS = env_float("LISTING_PAGE_MEMO_SECONDS", 0.25)
    LOG_LEVEL = env("LOG_LEVEL", "INFO")
    LOG_FORMAT = env("LOG_FORMAT", "json")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None  # tied to the session instead of a clock
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    CACHE_DEFAULT_TIMEOUT = 300

    # Accounts (docs/accounts.md).
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    MAIL_URL = env("MAIL_URL")
    MAIL_FROM = env("MAIL_FROM", "Kayak <no-reply@kayak.local>")
    PASSWORD_RESET_MAX_AGE = 3600  # seconds a reset link stays valid
    ACCOUNT_INVITE_MAX_AGE = 3 * 24 * 3600  # set-password link of an account an admin created
    SIGNIN_MAX_FAILURES = 5  # per email and IP address within the window
    SIGNIN_MAX_FAILURES_PER_IP = 50  # any email, same window: slows password spraying
    SIGNIN_WINDOW_SECONDS = 15 * 60
    PASSWORD_RESET_MAX_PER_HOUR = 5  # reset mails per email address
    SIGNUP_MAX_PER_HOUR = 20  # new accounts per IP address
    PHOTO_MAX_BYTES = 5 * 1024 * 1024


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    APP_ENV = "testing"
    TESTING = True
    SECRET_KEY = env("SECRET_KEY", "testing-only-not-a-secret")


class ProductionConfig(Config):
    APP_ENV = "production"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None) -> type[Config]:
    name = name or env("APP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
