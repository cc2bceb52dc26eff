"""The relational database: migrations and a model round trip on real MySQL."""

import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.core.models import OutboxEvent
from app.extensions import db
from tests.conftest import ROOT, SERVER_DATABASE_URL


def test_test_database_is_mysql(app_ctx):
    assert db.engine.dialect.name == "mysql"
    version = db.session.execute(sa.text("SELECT VERSION()")).scalar()
    assert version


def test_migrations_apply_on_an_empty_database_and_roll_back(app):
    """Upgrade an empty schema to head, down to base, and up again."""
    name = f"kayak_migr_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(sa.engine.make_url(SERVER_DATABASE_URL).set(database=""))
    with server.begin() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    url = sa.engine.make_url(SERVER_DATABASE_URL).set(database=name)
    try:
        from app import create_app

        fresh = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url.render_as_string(False)})
        with fresh.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            tables = set(sa.inspect(db.engine).get_table_names())
            assert {"outbox", "processed_events", "dead_letters", "alembic_version"} <= tables
            downgrade(directory=str(ROOT / "migrations"), revision="base")
            assert set(sa.inspect(db.engine).get_table_names()) == {"alembic_version"}
            upgrade(directory=str(ROOT / "migrations"))
            assert "outbox" in sa.inspect(db.engine).get_table_names()
            db.engine.dispose()
    finally:
        with server.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE `{name}`"))
        server.dispose()


def test_outbox_row_round_trip(app_ctx):
    from app.extensions import events

    envelope = events.publish("system.ping", key="round-trip", data={"price": "12.50"})
    db.session.commit()
    db.session.expunge_all()
    row = db.session.scalar(sa.select(OutboxEvent).where(OutboxEvent.event_id == envelope["id"]))
    assert row.type == "system.ping"
    assert row.sent_at is None
    assert row.as_envelope() == envelope


def test_outbox_event_ids_are_unique(app_ctx):
    from app.core.events import make_envelope

    envelope = make_envelope("system.ping", "dup", {})
    db.session.add(OutboxEvent.from_envelope(envelope))
    db.session.commit()
    db.session.add(OutboxEvent.from_envelope(envelope))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_rolled_back_write_leaves_no_event(app_ctx):
    """An event belongs to its transaction: rollback means it never happened."""
    from app.extensions import events

    events.publish("system.ping", key="rollback", data={})
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxEvent)) == 0
