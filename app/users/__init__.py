"""Users: travelers' accounts (profile, photo, cards, preferences, reviews,
deletion) and the admin pages that manage every account."""

from flask import Blueprint

bp = Blueprint("users", __name__, template_folder="templates", cli_group="users")

from app.users import cli, routes  # noqa: E402,F401
