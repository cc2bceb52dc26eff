"""Admin operations on the event pipeline."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.exceptions import NotFound

from app.core.models import DeadLetter
from app.core.tasks import retry_dead_letter
from app.extensions import db


def dead_letters(limit: int = 50) -> list[DeadLetter]:
    return list(
        db.session.scalars(
            sa.select(DeadLetter)
            .where(DeadLetter.status == "dead")
            .order_by(DeadLetter.failed_at.desc())
            .limit(limit)
        )
    )


def retry(dead_letter_id: int) -> str:
    """Re-enqueue one dead letter. Raises NotFound if it is not waiting."""
    row = db.session.get(DeadLetter, dead_letter_id)
    if row is None or row.status != "dead":
        raise NotFound(f"No dead letter {dead_letter_id} is waiting for a retry.")
    job_id = retry_dead_letter(row)
    db.session.commit()
    return job_id
