"""Periodic jobs: domains register them, the relay process runs them.

`@periodic.every(30)` on a function of a domain (e.g. releasing unpaid
booking holds) makes the relay call it every 30 seconds, in an app context,
after its own round; a failing job is logged and tried again next time, and
never stops the relaying. Each job must be safe to run in several relay
processes at once (row locks, idempotent writes). PERIODIC_JOBS=0 turns
them off (the test suite does, and runs them directly).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    func: Callable[[], object]
    seconds: float
    next_at: float = 0.0


JOBS: dict[str, Job] = {}


def every(seconds: float, name: str | None = None):
    """Decorator: run the function every `seconds` in the relay process."""

    def register(func):
        job_name = name or f"{func.__module__}.{func.__qualname__}"
        JOBS[job_name] = Job(job_name, func, float(seconds))
        return func

    return register


def run_due(now: float | None = None) -> list[str]:
    """Run the jobs whose time has come; returns their names."""
    from app.extensions import db

    now = time.monotonic() if now is None else now
    ran = []
    for job in JOBS.values():
        if now < job.next_at:
            continue
        job.next_at = now + job.seconds
        try:
            job.func()
            ran.append(job.name)
        except Exception as exc:
            db.session.rollback()
            log.warning("periodic job %s failed (%s)", job.name, exc)
        finally:
            db.session.remove()
    return ran
