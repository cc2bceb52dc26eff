"""Test fixtures: the app on the real test servers, started once per run.

The servers come from the environment (`make test` brings up the local
stack and exports their URLs; the defaults below are that stack's). Each run
uses its own databases and topic: `kayak_test` on MySQL and MongoDB, Redis
db 1, and a Kafka topic and group named after the run, so nothing from a
previous run leaks in. Tables are emptied before each test.
"""

from __future__ import annotations

import contextvars
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
RUN_ID = uuid.uuid4().hex[:8]

STACK_DEFAULTS = {
    "DATABASE_URL": "mysql+pymysql://kayak:kayak@127.0.0.1:13306/kayak",
    "MONGO_URL": "mongodb://127.0.0.1:27018/",
    "REDIS_URL": "redis://127.0.0.1:16379/0",
    "KAFKA_BOOTSTRAP": "127.0.0.1:19092",
}


def _server_url(name: str) -> str:
    return os.environ.get(name) or STACK_DEFAULTS[name]


SERVER_DATABASE_URL = _server_url("DATABASE_URL")
# Overridable so two people (or two trees) can run the suite on one stack at once.
# A database per run, so runs side by side (developers, helpers) never collide.
TEST_DB_NAME = os.environ.get("KAYAK_TEST_DB") or f"kayak_test_{RUN_ID}"
TEST_REDIS_DB = os.environ.get("KAYAK_TEST_REDIS_DB") or "1"
TEST_ENV = {
    "APP_ENV": "testing",
    "DATABASE_URL": sa.engine.make_url(SERVER_DATABASE_URL)
    .set(database=TEST_DB_NAME)
    .render_as_string(hide_password=False),
    "MONGO_URL": _server_url("MONGO_URL"),
    "MONGO_DB": TEST_DB_NAME,
    "REDIS_URL": _server_url("REDIS_URL").rsplit("/", 1)[0] + "/" + TEST_REDIS_DB,
    "KAFKA_BOOTSTRAP": _server_url("KAFKA_BOOTSTRAP"),
    "KAFKA_TOPIC": f"kayak.test.{RUN_ID}",
    "KAFKA_GROUP": f"kayak-test-{RUN_ID}",
    "RQ_QUEUE": f"kayak-test-{RUN_ID}",
    "KAFKA_ACTIVITY_TOPIC": f"kayak.test-activity.{RUN_ID}",
    "KAFKA_ACTIVITY_GROUP": f"kayak-test-activity-{RUN_ID}",
    "RQ_ACTIVITY_QUEUE": f"kayak-test-activity-{RUN_ID}",
    "EVENT_MAX_ATTEMPTS": "3",
    "EVENT_RETRY_BASE_SECONDS": "0.2",
    "RELAY_POLL_SECONDS": "0.2",
    "PERIODIC_JOBS": "0",  # tests run them directly; a relay must not race them
    "LOG_FORMAT": "text",
    "SECRET_KEY": "testing-only-not-a-secret",
}
# Set before the app is imported: config classes read the environment.
os.environ.update(TEST_ENV)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2, message=""):
    """Poll until predicate() is truthy; returns its value or fails the test.

    `message` may be a callable, evaluated only on failure (e.g. process logs).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            detail = message() if callable(message) else message
            pytest.fail(f"timed out after {timeout}s waiting for {detail or predicate}")
        time.sleep(interval)


def _recreate_mysql_database() -> None:
    url = sa.engine.make_url(SERVER_DATABASE_URL)
    engine = sa.create_engine(url.set(database=""))
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{TEST_DB_NAME}`"))
            conn.execute(
                sa.text(
                    f"CREATE DATABASE `{TEST_DB_NAME}` "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
            )
    except sa.exc.OperationalError as exc:
        pytest.exit(
            f"MySQL is not reachable at {url.render_as_string()}: {exc.orig}. "
            "Start the stack with `scripts/stack.sh up` (make test does it).",
            returncode=3,
        )
    finally:
        engine.dispose()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    Without it a test that holds `app_ctx` would share `g` (flask-login's cached
    user, Flask-WTF's CSRF token) and the database session across requests.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        from flask import has_app_context

        if has_app_context():
            # End the test's own transaction so its next read sees what the
            # request committed (MySQL's REPEATABLE READ would hide it).
            from app.extensions import db

            db.session.rollback()
        return response


def _drop_mysql_database() -> None:
    engine = sa.create_engine(sa.engine.make_url(SERVER_DATABASE_URL).set(database=""))
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{TEST_DB_NAME}`"))
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The app on the test servers, with the schema migrated from empty."""
    os.environ["KAYAK_INSTANCE_PATH"] = str(tmp_path_factory.mktemp("instance"))
    _recreate_mysql_database()
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import mongo, queues

    app = create_app("testing", {"CACHE_KEY_PREFIX": f"kayak:test-{RUN_ID}:"})
    app.test_client_class = IsolatedClient
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        mongo.client.drop_database(TEST_DB_NAME)
        assert mongo.ensure_indexes() == []  # as create_app does on a fresh store
    yield app
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
        mongo.client.drop_database(TEST_DB_NAME)
        for key in queues.redis.scan_iter(f"{app.config['CACHE_KEY_PREFIX']}*"):
            queues.redis.delete(key)
        queues.redis.delete(f"kayak:activity-stats:{app.config['RQ_ACTIVITY_QUEUE']}")
    _drop_mysql_database()


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Empty every table and collection before a test that uses the app."""
    if "app" not in request.fixturenames:
        yield
        return
    empty_all_stores(request.getfixturevalue("app"))
    yield


def empty_all_stores(app) -> None:
    """Delete every row, document and cache key the app keeps (not the schema)."""
    from app.extensions import cache, db, mongo

    with app.app_context():
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "mysql":
                conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
            for table in tables:
                conn.execute(table.delete())
            if conn.dialect.name == "mysql":
                conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=1"))
        for name in mongo.db.list_collection_names():
            mongo.db[name].delete_many({})
        cache.clear()


@pytest.fixture()
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture()
def client(app):
    return app.test_client()


class Process:
    """A worker, relay or consumer child process with the test environment."""

    def __init__(self, name: str, args: list[str], log_dir: Path, env: dict | None = None):
        self.name = name
        self.args = args
        self.log_path = log_dir / f"{name}.log"
        self.env = dict(os.environ) if env is None else env  # the whole environment
        self.proc: subprocess.Popen | None = None

    def start(self) -> Process:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def pipeline(app, tmp_path_factory):
    """Real worker, relay and consumer processes for the whole run."""
    log_dir = tmp_path_factory.mktemp("pipeline-logs")
    procs = {
        "worker": Process("worker", ["-m", "workers.worker", "--name", f"test-{RUN_ID}"], log_dir),
        "relay": Process("relay", ["-m", "workers.relay"], log_dir),
        "consumer": Process("consumer", ["-m", "workers.consumer"], log_dir),
    }
    for proc in procs.values():
        proc.start()
    yield procs
    for proc in procs.values():
        proc.stop()


# -- accounts: factories and signed-in clients ---------------------------------
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def password_hash(app):
    """One Argon2 hash of PASSWORD for every factory user (hashing is slow on purpose)."""
    from app.auth.passwords import hash_password

    return hash_password(PASSWORD)


@pytest.fixture()
def make_provider(app_ctx):
    """make_provider(name=..., kind="airline") -> a committed Provider."""
    from app.extensions import db
    from app.listings.models import Provider

    counter = iter(range(1, 10_000))

    def make(name: str | None = None, kind: str = "airline", code: str | None = None):
        n = next(counter)
        provider = Provider(kind=kind, name=name or f"Provider {n}", code=code)
        db.session.add(provider)
        db.session.commit()
        return provider

    return make


@pytest.fixture()
def make_user(app_ctx, password_hash, make_provider):
    """make_user(role="traveler" | "partner" | an admin role, **attributes) -> a committed User.

    Every user's password is PASSWORD. A partner gets a new provider unless one is given.
    """
    from app.core.access import ROLE_PERMISSIONS
    from app.extensions import db
    from app.users.models import User

    counter = iter(range(1, 10_000))

    def make(role: str = "traveler", email: str | None = None, provider=None, **attributes):
        n = next(counter)
        values = {
            "first_name": attributes.pop("first_name", f"Test{chr(64 + n % 26 or 26)}"),
            "last_name": attributes.pop("last_name", f"Person{n}"),
            "email": email or f"{role.replace('_', '-')}{n}@example.com",
            "password_hash": password_hash,
        }
        if role in ROLE_PERMISSIONS:
            values.update(kind="admin", admin_role=role)
        elif role == "partner":
            values.update(kind="partner", provider_id=(provider or make_provider()).id)
        elif role == "traveler":
            values.update(kind="traveler")
        else:
            raise ValueError(f"unknown role {role!r}")
        user = User(**values, **attributes)
        db.session.add(user)
        db.session.commit()
        return user

    return make


def csrf_token_for(client) -> str:
    """A CSRF token valid for this client's session (read from a rendered page)."""
    import re

    html = client.get("/").get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


@pytest.fixture()
def login_as(app):
    """login_as(user) -> a new test client signed in as `user` (no password round-trip).

    The client has `.csrf()` for a token and `.form(url, data)` to POST with one.
    """

    def login(user):
        client = app.test_client()
        if user is not None:
            with client.session_transaction() as session:
                session["_user_id"] = user.get_id()
                session["_fresh"] = True
        client.csrf = lambda: csrf_token_for(client)
        client.form = lambda url, data=None, **kw: client.post(
            url, data={"csrf_token": csrf_token_for(client), **(data or {})}, **kw
        )
        return client

    return login
