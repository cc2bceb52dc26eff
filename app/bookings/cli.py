"""`flask bookings ...`: the scheduled jobs of the bookings domain.

- `flask bookings expire-holds`: release unpaid holds past their expiry
  (booking.abandoned). The relay runs it every 30 s (app/core/periodic.py);
  this command is for operators and tests.
- `flask bookings reconcile`: settle stragglers (a payment left pending by a
  crash, a hold past expiry); run it every few minutes.
"""

from __future__ import annotations

import time

import click

from app.bookings import bp, tasks


@bp.cli.command("expire-holds")
@click.option("--loop", is_flag=True, help="Keep going, once every --every seconds.")
@click.option("--every", default=30.0, show_default=True)
def expire_holds_command(loop: bool, every: float):
    """Release unpaid holds past their expiry (publishes booking.abandoned)."""
    while True:
        click.echo(f"released {tasks.expire_holds_job()} expired holds")
        if not loop:
            return
        time.sleep(every)


@bp.cli.command("reconcile")
def reconcile_command():
    """Settle pending payments and expired holds; prints what was done."""
    counts = tasks.reconcile_job()
    click.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))
