"""RQ jobs of the event pipeline: one job per (event, handler).

`dispatch` is what the consumer (or, embedded, the relay) calls for each
event. `run_handler` runs in an RQ worker that holds an app context; it runs
the handler at most once per event (the processed_events ledger), retries a
failure with exponential backoff, and files a dead letter after the last try.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core.models import DeadLetter, ProcessedEvent, utcnow
from app.extensions import db, events, queues

log = logging.getLogger(__name__)


def dispatch(envelope: dict[str, Any]) -> list[str]:
    """Enqueue one job per handler subscribed to the event; returns job ids."""
    job_ids = []
    for handler in events.handlers_for(envelope["type"]):
        job = queues.enqueue(
            run_handler,
            handler.name,
            envelope,
            1,
            job_id=f"evt-{envelope['id']}-{handler.name.replace('.', '_')}",
            description=f"{envelope['type']} -> {handler.name}",
            result_ttl=3600,
            failure_ttl=86400,
        )
        job_ids.append(job.id)
    return job_ids


def retry_delay(attempt: int) -> float:
    base = current_app.config["EVENT_RETRY_BASE_SECONDS"]
    return min(base * 2 ** (attempt - 1), 600.0)


def already_processed(event_id: str, handler_name: str) -> bool:
    return db.session.get(ProcessedEvent, (event_id, handler_name)) is not None


def run_handler(handler_name: str, envelope: dict[str, Any], attempt: int = 1) -> str:
    """Run one handler for one event. Returns "done", "duplicate", "retry" or "dead"."""
    event_id = envelope["id"]
    if already_processed(event_id, handler_name):
        return "duplicate"
    try:
        events.handler(handler_name).func(envelope)
        db.session.add(ProcessedEvent(event_id=event_id, handler=handler_name))
        db.session.commit()
    except IntegrityError:
        # Another delivery of the same event committed first.
        db.session.rollback()
        if already_processed(event_id, handler_name):
            return "duplicate"
        return _failed(handler_name, envelope, attempt)
    except Exception:
        db.session.rollback()
        return _failed(handler_name, envelope, attempt)
    finally:
        db.session.remove()
    log.info("handled %s %s by %s", envelope["type"], event_id, handler_name)
    return "done"


def _failed(handler_name: str, envelope: dict[str, Any], attempt: int) -> str:
    error = traceback.format_exc(limit=8)
    max_attempts = current_app.config["EVENT_MAX_ATTEMPTS"]
    if attempt < max_attempts:
        delay = retry_delay(attempt)
        log.warning(
            "handler %s failed on %s (attempt %d/%d), retrying in %.1fs",
            handler_name,
            envelope["id"],
            attempt,
            max_attempts,
            delay,
        )
        queues.enqueue_in(
            timedelta(seconds=delay),
            run_handler,
            handler_name,
            envelope,
            attempt + 1,
            description=f"{envelope['type']} -> {handler_name} (attempt {attempt + 1})",
        )
        return "retry"
    db.session.add(
        DeadLetter(
            event_id=envelope["id"],
            event_type=envelope["type"],
            handler=handler_name,
            envelope=json.dumps(envelope, default=str),
            error=error[-60000:],
            attempts=attempt,
        )
    )
    db.session.commit()
    log.error("handler %s gave up on %s after %d attempts", handler_name, envelope["id"], attempt)
    return "dead"


def retry_dead_letter(dead_letter: DeadLetter) -> str:
    """Send a dead letter back to its handler with a fresh set of attempts."""
    job = queues.enqueue(
        run_handler,
        dead_letter.handler,
        dead_letter.as_envelope(),
        1,
        description=f"{dead_letter.event_type} -> {dead_letter.handler} (retry)",
    )
    dead_letter.status = "retried"
    dead_letter.retried_at = utcnow()
    return job.id
