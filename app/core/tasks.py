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

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.core.models import DeadLetter, OutboxEvent, ProcessedEvent, utcnow
from app.extensions import db, events, queues

log = logging.getLogger(__name__)


def job_id_for(event_id: str, handler_name: str, attempt: int = 1) -> str:
    """Deterministic RQ job id of one handler run (retries get their own suffix)."""
    base = f"evt-{event_id}-{handler_name.replace('.', '_')}"
    return base if attempt <= 1 else f"{base}-a{attempt}"


def dispatch(envelope: dict[str, Any], handler_names: list[str] | None = None) -> list[str]:
    """Enqueue one job per handler subscribed to the event; returns job ids.

    `handler_names` limits it to those handlers (the sweeper's re-dispatch).
    A job id may still exist in Redis (a job a killed worker had dequeued, or
    one in the failed registry): enqueueing under the same id saves a fresh
    job and pushes it again, so it runs again; leftovers of the old one are
    removed first so RQ's own maintenance does not act on them later.
    """
    job_ids = []
    for handler in events.handlers_for(envelope["type"]):
        if handler_names is not None and handler.name not in handler_names:
            continue
        job_id = job_id_for(envelope["id"], handler.name)
        if handler_names is not None:
            _forget_job(job_id)
        job = queues.enqueue(
            run_handler,
            handler.name,
            envelope,
            1,
            job_id=job_id,
            description=f"{envelope['type']} -> {handler.name}",
            result_ttl=3600,
            failure_ttl=86400,
        )
        job_ids.append(job.id)
    return job_ids


def _forget_job(job_id: str) -> None:
    """Drop a job id from the intermediate list and the failed registry of the queue."""
    queue = queues.queue
    with queues.redis.pipeline() as pipe:
        pipe.lrem(queue.intermediate_queue_key, 0, job_id)
        pipe.zrem(queue.failed_job_registry.key, job_id)
        pipe.execute()


def job_waiting(event_id: str, handler_name: str, scan_limit: int = 20_000) -> bool:
    """Is a run of this handler for this event on its way in Redis: queued, a
    scheduled retry, or started by a worker whose heartbeat has not expired?

    A job a dead worker took off the queue is in none of these places (a job
    it had started stays in the started registry only until its heartbeat
    expires). With a backlog longer than `scan_limit` the queue is not
    scanned and the job counts as waiting: workers are behind, and the
    sweeper looks again later.
    """
    import time

    queue = queues.queue
    max_attempts = current_app.config["EVENT_MAX_ATTEMPTS"]
    ids = [job_id_for(event_id, handler_name, n) for n in range(1, max_attempts + 1)]
    with queues.redis.pipeline() as pipe:
        pipe.llen(queue.key)
        pipe.zrangebyscore(queue.started_job_registry.key, time.time(), "+inf")
        for job_id in ids:
            pipe.lpos(queue.key, job_id, maxlen=scan_limit)
            pipe.zscore(queue.scheduled_job_registry.key, job_id)
        length, started, *found = pipe.execute()
    running = {entry.decode().rsplit(":", 1)[0] for entry in started}
    return (
        length > scan_limit
        or any(item is not None for item in found)
        or any(job_id in running for job_id in ids)
    )


def retry_delay(attempt: int) -> float:
    base = current_app.config["EVENT_RETRY_BASE_SECONDS"]
    return min(base * 2 ** (attempt - 1), 600.0)


def already_processed(event_id: str, handler_name: str) -> bool:
    return db.session.get(ProcessedEvent, (event_id, handler_name)) is not None


def run_handler(handler_name: str, envelope: dict[str, Any], attempt: int = 1) -> str:
    """Run one handler for one event. Returns "done", "duplicate", "retry" or "dead"."""
    event_id = envelope["id"]
    if already_processed(event_id, handler_name):
        # A redelivery, or a run whose worker died after its commit: settle now
        # rather than leave it to the sweeper.
        db.session.remove()
        _after_run(envelope, handler_name, resolved=True)
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
    _after_run(envelope, handler_name, resolved=True)
    return "done"


def _after_run(envelope: dict[str, Any], handler_name: str, resolved: bool) -> None:
    """Close what a finished run settles; the sweeper does it later if this fails.

    A success resolves a dead letter still open for the same event and handler
    (a run that was thought lost arrived after all), and the outbox row is
    settled once every handler has processed the event or filed a dead letter.
    """
    try:
        if resolved:
            db.session.execute(
                sa.update(DeadLetter)
                .where(
                    DeadLetter.event_id == envelope["id"],
                    DeadLetter.handler == handler_name,
                    DeadLetter.status == "dead",
                )
                .values(status="resolved", retried_at=utcnow())
            )
        settle_if_complete(envelope["id"], envelope["type"])
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.warning("could not settle %s after %s", envelope["id"], handler_name, exc_info=True)
    finally:
        db.session.remove()


def handler_states(event_id: str) -> tuple[set[str], set[str]]:
    """(handlers that processed the event, handlers with an open dead letter for it)."""
    done = set(
        db.session.scalars(
            sa.select(ProcessedEvent.handler).where(ProcessedEvent.event_id == event_id)
        )
    )
    dead = set(
        db.session.scalars(
            sa.select(DeadLetter.handler).where(
                DeadLetter.event_id == event_id, DeadLetter.status == "dead"
            )
        )
    )
    return done, dead


def settle_if_complete(event_id: str, event_type: str) -> bool:
    """Mark the outbox row settled when no subscribed handler is still owed a run."""
    done, dead = handler_states(event_id)
    wanted = {h.name for h in events.handlers_for(event_type)}
    if not wanted <= done | dead:
        return False
    db.session.execute(
        sa.update(OutboxEvent)
        .where(OutboxEvent.event_id == event_id, OutboxEvent.settled_at.is_(None))
        .values(settled_at=utcnow())
    )
    return True


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
            job_id=job_id_for(envelope["id"], handler_name, attempt + 1),
            description=f"{envelope['type']} -> {handler_name} (attempt {attempt + 1})",
            result_ttl=3600,
            failure_ttl=86400,
        )
        return "retry"
    file_dead_letter(envelope, handler_name, error, attempt)
    db.session.commit()
    log.error("handler %s gave up on %s after %d attempts", handler_name, envelope["id"], attempt)
    _after_run(envelope, handler_name, resolved=False)
    return "dead"


def file_dead_letter(envelope: dict[str, Any], handler_name: str, error: str, attempts: int):
    """Add a dead letter unless one is already open for this event and handler
    (two deliveries that both gave up make one entry for the operator)."""
    open_one = db.session.scalar(
        sa.select(DeadLetter).where(
            DeadLetter.event_id == envelope["id"],
            DeadLetter.handler == handler_name,
            DeadLetter.status == "dead",
        )
    )
    if open_one is not None:
        open_one.error = error[-60000:]
        open_one.attempts = max(open_one.attempts, attempts)
        open_one.failed_at = utcnow()
        return open_one
    row = DeadLetter(
        event_id=envelope["id"],
        event_type=envelope["type"],
        handler=handler_name,
        envelope=json.dumps(envelope, default=str),
        error=error[-60000:],
        attempts=attempts,
    )
    db.session.add(row)
    return row


def retry_dead_letter(dead_letter: DeadLetter) -> str:
    """Send a dead letter back to its handler with a fresh set of attempts."""
    job_id = job_id_for(dead_letter.event_id, dead_letter.handler)
    _forget_job(job_id)
    job = queues.enqueue(
        run_handler,
        dead_letter.handler,
        dead_letter.as_envelope(),
        1,
        job_id=job_id,
        description=f"{dead_letter.event_type} -> {dead_letter.handler} (retry)",
        result_ttl=3600,
        failure_ttl=86400,
    )
    dead_letter.status = "retried"
    dead_letter.retried_at = utcnow()
    # The event is owed a run again: the sweeper watches it until a run lands.
    grace = current_app.config["EVENT_SWEEP_GRACE_SECONDS"]
    db.session.execute(
        sa.update(OutboxEvent)
        .where(OutboxEvent.event_id == dead_letter.event_id)
        .values(settled_at=None, sweeps=0, next_sweep_at=utcnow() + timedelta(seconds=grace))
    )
    return job.id
