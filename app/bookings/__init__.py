"""Bookings: from a listing to a held, paid, confirmed and cancellable trip;
payments through app.payments, billing records, the traveler's trips, the
admin billing search and the partners' bookings API (docs/bookings.md)."""

from flask import Blueprint

bp = Blueprint("bookings", __name__, template_folder="templates", cli_group="bookings")

from app.bookings import api, cli, routes, tasks  # noqa: E402,F401
