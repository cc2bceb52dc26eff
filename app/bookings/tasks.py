"""Jobs of the bookings domain: the relay runs them periodically
(app/core/periodic.py), and `flask bookings expire-holds | reconcile` from the
shell. Each is safe to run in several processes at once (every booking is
settled under its own row lock).
"""

from __future__ import annotations

import logging

from app.bookings import services
from app.core import periodic

log = logging.getLogger(__name__)


@periodic.every(30)
def expire_holds_job() -> int:
    released = services.expire_holds()
    if released:
        log.info("released expired holds", extra={"count": released})
    return released


@periodic.every(120)
def reconcile_job() -> dict[str, int]:
    counts = services.reconcile()
    if any(counts.values()):
        log.info("reconciled bookings", extra=counts)
    return counts
