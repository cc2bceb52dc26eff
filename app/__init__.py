"""Kayak: travel search and booking. `create_app` builds the Flask app."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from config import load_config

# Domain packages, each with a blueprint `bp`; their `models` and `events`
# modules are imported here so every process knows every table and handler.
DOMAINS = (
    "main",
    "admin",
    "analytics",
    "listings",
    "search",
    "auth",
    "users",
    "partners",
    "bookings",  # before "api": it adds its routes to the api blueprint
    "api",
)


def create_app(config: str | type | None = None, overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("KAYAK_INSTANCE_PATH") or None)
    app.config.from_object(config if isinstance(config, type) else load_config(config))
    if overrides:
        app.config.update(overrides)
    prepare_instance(app)
    from app.core.logging import configure_logging

    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_document_indexes(app)
    register_errorhandlers(app)
    register_cli(app)
    return app


def prepare_instance(app: Flask) -> None:
    """Create instance/ and fill the embedded defaults that live there."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        if app.config["APP_ENV"] == "production":
            raise RuntimeError("SECRET_KEY must be set in production")
        key_file = Path(app.instance_path, "secret_key")
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            key_file.chmod(0o600)
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path, 'kayak.db')}"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # SQLite: wait for a writer instead of failing at once (web + worker + relay).
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}


def register_extensions(app: Flask) -> None:
    from app.extensions import activity, cache, csrf, db, events, login, migrate, mongo, queues

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login.init_app(app)
    queues.init_app(app)
    app.config.setdefault("CACHE_KEY_PREFIX", f"kayak:{app.config['APP_ENV']}:")
    cache.init_app(
        app,
        config={
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": app.config["REDIS_URL_RESOLVED"],
            "CACHE_KEY_PREFIX": app.config["CACHE_KEY_PREFIX"],
            "CACHE_DEFAULT_TIMEOUT": app.config["CACHE_DEFAULT_TIMEOUT"],
        },
    )
    mongo.init_app(app)
    events.init_app(app)
    activity.init_app(app)

    from app.core import audit, models  # noqa: F401  (register the pipeline and audit tables)


def register_blueprints(app: Flask) -> None:
    import importlib

    for name in DOMAINS:
        package = importlib.import_module(f"app.{name}")
        app.register_blueprint(package.bp)
        for module in ("models", "events"):
            try:
                importlib.import_module(f"app.{name}.{module}")
            except ModuleNotFoundError as exc:
                if exc.name != f"app.{name}.{module}":
                    raise
    from app.core.security import register_security_headers

    register_security_headers(app)


def register_document_indexes(app: Flask) -> None:
    """Every domain's declared indexes exist before its first write (idempotent)."""
    from app.extensions import mongo

    with app.app_context():
        mongo.ensure_indexes()


def register_errorhandlers(app: Flask) -> None:
    from app.core.errors import register_errorhandlers as register

    register(app)


def register_cli(app: Flask) -> None:
    from app.core.cli import register_commands

    register_commands(app)
