"""`flask seed`: fill the catalogue with a coherent, deterministic world."""

from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("seed")
@click.option(
    "--scale",
    type=click.Choice(["demo", "full"]),
    default="demo",
    show_default=True,
    help="demo: a few thousand rows in seconds; full: 10k hotels, cars and travelers, "
    "100k+ flight departures and their reviews.",
)
@click.option(
    "--seed",
    "seed_number",
    type=click.IntRange(0, 2**31 - 1),
    default=1,
    show_default=True,
    help="The same number gives the same world.",
)
@click.option(
    "--start",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="First day of the flight schedule (default: tomorrow, UTC).",
)
@click.option("--quiet", is_flag=True, help="No progress bars.")
@with_appcontext
def seed_command(scale: str, seed_number: int, start, quiet: bool) -> None:
    """Generate providers, travelers, hotels, cars, flights, prices and reviews.

    Idempotent: what a previous run with the same scale and seed added is
    skipped. Seeded travelers sign in with the password "travel-demo-2026".
    """
    from flask import current_app

    from app.listings import seed

    if current_app.config["APP_ENV"] == "production":
        # Seeded travelers share a published password: never in production.
        raise click.ClickException("flask seed is for development, demos and load tests.")
    report = seed.run(scale, seed_number, start.date() if start else None, progress=not quiet)
    click.echo(f"seeded scale={scale} seed={seed_number}")
    for line in report.lines():
        click.echo(line)
