"""Structured logging: one JSON object a line, each carrying the request id."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


_base_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args, **kwargs) -> logging.LogRecord:
    """Every record made during a request carries its id, whatever the logger."""
    record = _base_factory(*args, **kwargs)
    record.request_id = g.get("request_id") if has_request_context() else None
    return record


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if getattr(record, "request_id", None):
            entry["request_id"] = record.request_id
        for key, value in vars(record).items():
            if key not in _RESERVED:
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(app: Flask) -> None:
    logging.setLogRecordFactory(_record_with_request_id)
    handler = logging.StreamHandler(sys.stderr)
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(app.config["LOG_LEVEL"])
    for noisy in ("kafka", "werkzeug", "alembic.runtime.plugins"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    access = logging.getLogger("kayak.access")

    @app.before_request
    def assign_request_id():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming[:64] if incoming.isprintable() and incoming else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if access.isEnabledFor(logging.INFO) and request.endpoint not in (
            "static",
            "main.healthz",
        ):
            # A view whose URL carries a secret (a one-time link) sets g.log_path.
            path = g.get("log_path") or request.path
            access.info(
                "%s %s %s",
                request.method,
                path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - g.get("started", 0)) * 1000, 1),
                },
            )
        return response
