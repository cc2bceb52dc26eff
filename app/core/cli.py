"""`flask events ...`: operator commands for the event pipeline."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from app.core.models import DeadLetter
from app.extensions import db, events
from app.listings.cli import seed_command

events_cli = AppGroup("events", help="Inspect and drive the event pipeline.")


@events_cli.command("ping")
@click.option("--count", default=1, show_default=True)
def ping(count: int) -> None:
    """Publish system.ping events through the outbox (proves the pipeline)."""
    for n in range(count):
        envelope = events.publish("system.ping", key="cli", data={"n": n})
        click.echo(envelope["id"])
    db.session.commit()


@events_cli.command("relay-once")
def relay_once_cmd() -> None:
    """Send what is in the outbox now, then exit."""
    from app.core.relay import make_transport, relay_once

    transport = make_transport()
    total = 0
    while sent := relay_once(transport):
        total += sent
    transport.close()
    click.echo(f"relayed {total} events")


@events_cli.command("sweep")
@click.option("--loop", is_flag=True, help="Keep sweeping every EVENT_SWEEP_INTERVAL_SECONDS.")
def sweep(loop: bool) -> None:
    """Re-dispatch business events some handler has not processed after the grace
    period (the relay does this on its own; this is for operators and cron)."""
    import time

    from flask import current_app

    from app.core.sweeper import event_lag, sweep_once

    while True:
        counts = sweep_once()
        lag = event_lag()
        db.session.rollback()
        click.echo(
            json.dumps(
                {
                    **dict(counts),
                    "unsettled": lag["pending"],
                    "oldest_age_seconds": lag["oldest_age_seconds"],
                }
            )
        )
        if not loop:
            return
        time.sleep(max(current_app.config["EVENT_SWEEP_INTERVAL_SECONDS"], 1.0))


@events_cli.command("handlers")
def handlers() -> None:
    """List the subscribed handlers."""
    for handler in events.handlers.values():
        click.echo(f"{handler.name}: {', '.join(sorted(handler.types))}")


@events_cli.command("dead-letters")
def dead_letters() -> None:
    """List dead letters waiting for an operator."""
    rows = db.session.scalars(
        sa.select(DeadLetter).where(DeadLetter.status == "dead").order_by(DeadLetter.id)
    )
    for row in rows:
        last_line = row.error.strip().splitlines()[-1] if row.error.strip() else ""
        click.echo(
            json.dumps(
                {
                    "id": row.id,
                    "event": row.event_id,
                    "type": row.event_type,
                    "handler": row.handler,
                    "error": last_line,
                }
            )
        )


@events_cli.command("retry")
@click.argument("dead_letter_id", type=int)
def retry(dead_letter_id: int) -> None:
    """Send a dead letter back to its handler."""
    from app.core.tasks import retry_dead_letter

    row = db.session.get(DeadLetter, dead_letter_id)
    if row is None or row.status != "dead":
        raise click.ClickException(f"no dead letter {dead_letter_id} waiting")
    job_id = retry_dead_letter(row)
    db.session.commit()
    click.echo(f"re-enqueued as job {job_id}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(events_cli)
    app.cli.add_command(seed_command)
