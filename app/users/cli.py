"""`flask users ...`: create the first super admin (and partner users) from a shell.

There is no default admin and no default password: the password is typed at
a hidden prompt, or read from standard input when it is not a terminal
(`printf '%s\\n' "$PW" | flask users create-admin ops@example.com`).
"""

from __future__ import annotations

import sys

import click

from app.core import validation
from app.core.access import ROLE_PERMISSIONS
from app.users import bp, services


def _read_password(from_stdin: bool) -> str:
    if from_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        return validation.password(password)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def _clean(normalise, value: str, what: str) -> str:
    try:
        return normalise(value)
    except ValueError as exc:
        raise click.ClickException(f"{what}: {exc}") from None


def _create(kind: str, email: str, first: str, last: str, password_stdin: bool, **extra):
    email = _clean(validation.email_address, email, "email")
    first = _clean(lambda v: validation.person_name(v, "first name"), first, "first name")
    last = _clean(lambda v: validation.person_name(v, "last name"), last, "last name")
    password = _read_password(password_stdin)
    try:
        user = services.create_staff_account(
            None, kind, email, first, last, password=password, **extra
        )
    except services.AccountError as exc:
        raise click.ClickException(exc.message) from None
    return user


@bp.cli.command("create-admin")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(sorted(ROLE_PERMISSIONS)),
    default="super_admin",
    show_default=True,
    help="The admin role (its permissions are in app/core/access.py).",
)
@click.option("--first-name", default="Site", show_default=True)
@click.option("--last-name", default="Administrator", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_admin(email, role, first_name, last_name, password_stdin):
    """Create an administrator account (the first super admin starts here)."""
    user = _create("admin", email, first_name, last_name, password_stdin, admin_role=role)
    click.echo(f"created {role} {user.email} (user {user.id})")


@bp.cli.command("create-partner")
@click.argument("email")
@click.option("--provider-id", type=int, required=True, help="The provider this partner acts for.")
@click.option("--first-name", default="Partner", show_default=True)
@click.option("--last-name", default="Account", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_partner(email, provider_id, first_name, last_name, password_stdin):
    """Create a partner user who manages API keys for one provider."""
    user = _create("partner", email, first_name, last_name, password_stdin, provider_id=provider_id)
    click.echo(f"created partner {user.email} (user {user.id}) for provider {provider_id}")
