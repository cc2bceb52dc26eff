"""The delivery sweeper: the end-to-end check that every business event reaches
every handler subscribed to it, whatever step dropped it.

Each step of the pipeline has its own guard (the outbox, the relay's
acknowledged sends, the consumer's commit after enqueueing, the handler
ledger, retries, dead letters), but a job can still vanish between them: a
worker killed after taking a job off the queue and before running it, or in
the middle of running it, leaves nothing that RQ re-runs. So the sweeper does
not ask how an event got lost. It compares each sent, unsettled outbox row
with the ledger (`processed_events`) and the dead letters, and once the
event is older than the grace period it re-dispatches the handlers still
owed a run, straight onto the RQ queue. Handlers are idempotent, so a run
that was only slow costs a duplicate, never a double effect. After
`EVENT_SWEEP_MAX` re-dispatches without success it files a dead letter per
missing handler: an operator sees it on /admin/status; nothing is silent.

Only unsettled rows are read (`ix_outbox_unsettled`): `settled_at` is set by
the run that completes an event (app/core/tasks.py) or by the sweeper, so a
round costs what is in flight, not the history. It runs as a periodic step
of the relay process (`python -m workers.relay`, and in embedded mode) and as
`flask events sweep`.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.core.models import OutboxEvent, utcnow
from app.extensions import db, events

log = logging.getLogger(__name__)

MAX_PACE_SECONDS = 3600  # the longest wait between two re-dispatches of one event


@dataclass(frozen=True)
class Decision:
    """What the sweeper does with one unsettled event.

    action: "settle" (no handler is owed a run), "wait" (every missing run is
    queued or scheduled in Redis), "redispatch" (runs are missing and not in
    Redis: enqueue them again) or "give_up" (re-dispatched too often: file
    dead letters for `handlers`).
    """

    action: str
    handlers: list[str] = field(default_factory=list)


def decide(
    wanted: set[str],
    done: set[str],
    dead: set[str],
    waiting: set[str],
    sweeps: int,
    max_sweeps: int,
) -> Decision:
    """The sweeper's rule for one event, apart from any I/O (unit-tested)."""
    missing = wanted - done - dead
    if not missing:
        return Decision("settle")
    lost = sorted(missing - waiting)
    if not lost:
        return Decision("wait", sorted(missing))
    if sweeps >= max_sweeps:
        return Decision("give_up", lost)
    return Decision("redispatch", lost)


def next_pace(grace: float, sweeps: int) -> float:
    """Seconds before the sweeper looks at an event again after `sweeps` re-dispatches."""
    return min(grace * 2 ** max(sweeps - 1, 0), MAX_PACE_SECONDS)


def effective_grace(config) -> float:
    """The grace period, never shorter than a failing handler's whole retry schedule,
    so the sweeper does not start a second retry chain beside a running one."""
    base = config["EVENT_RETRY_BASE_SECONDS"]
    retry_span = sum(
        min(base * 2 ** (n - 1), 600.0) for n in range(1, config["EVENT_MAX_ATTEMPTS"])
    )
    return max(float(config["EVENT_SWEEP_GRACE_SECONDS"]), retry_span)


def sweep_once(batch_size: int = 200) -> Counter:
    """One round over due, unsettled, sent events; returns counts per action.

    Rows are locked with SKIP LOCKED (MySQL), so several relays may sweep at once.
    """
    from app.core.tasks import dispatch, file_dead_letter, handler_states, job_waiting

    config = current_app.config
    grace = effective_grace(config)
    max_sweeps = config["EVENT_SWEEP_MAX"]
    now = utcnow()
    query = (
        sa.select(OutboxEvent)
        .where(
            OutboxEvent.settled_at.is_(None),
            OutboxEvent.sent_at.is_not(None),
            OutboxEvent.sent_at <= now - timedelta(seconds=grace),
            sa.or_(OutboxEvent.next_sweep_at.is_(None), OutboxEvent.next_sweep_at <= now),
        )
        .order_by(OutboxEvent.seq)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    counts: Counter = Counter()
    rows = list(db.session.scalars(query))
    for row in rows:
        wanted = {h.name for h in events.handlers_for(row.type)}
        done, dead = handler_states(row.event_id)
        missing = wanted - done - dead
        waiting = {h for h in missing if job_waiting(row.event_id, h)}
        decision = decide(wanted, done, dead, waiting, row.sweeps, max_sweeps)
        counts[decision.action] += 1
        if decision.action == "settle":
            row.settled_at = now
        elif decision.action == "wait":
            row.next_sweep_at = now + timedelta(seconds=grace)
        elif decision.action == "redispatch":
            envelope = row.as_envelope()
            dispatch(envelope, decision.handlers)
            row.sweeps += 1
            row.next_sweep_at = now + timedelta(seconds=next_pace(grace, row.sweeps))
            log.warning(
                "sweeper re-dispatched %s %s to %s (sweep %d/%d)",
                row.type,
                row.event_id,
                ", ".join(decision.handlers),
                row.sweeps,
                max_sweeps,
            )
        else:  # give_up
            envelope = row.as_envelope()
            for handler in decision.handlers:
                file_dead_letter(
                    envelope,
                    handler,
                    f"EventNotDelivered: no run of {handler} recorded {row.sweeps} "
                    f"re-dispatches after the event was sent at {row.sent_at:%Y-%m-%d %H:%M:%S} "
                    "UTC (jobs lost or workers failing; see the worker logs)",
                    row.sweeps,
                )
            if set(decision.handlers) == missing:
                row.settled_at = now
            else:
                row.next_sweep_at = now + timedelta(seconds=grace)
            log.error("sweeper gave up on %s %s for %s", row.type, row.event_id, decision.handlers)
    db.session.commit()
    return counts


def event_lag() -> dict[str, Any]:
    """Events not yet processed by all their handlers, and the age of the oldest.

    Counts unsent rows too: this is the true lag from the write to the last
    handler, where the outbox backlog is only the first step of it. Events
    whose handlers gave up are settled and show as dead letters instead.
    """
    pending, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(OutboxEvent.created_at)).where(
            OutboxEvent.settled_at.is_(None)
        )
    ).one()
    age = (utcnow() - oldest).total_seconds() if oldest else 0.0
    return {"pending": pending, "oldest_age_seconds": round(max(age, 0.0), 1)}
