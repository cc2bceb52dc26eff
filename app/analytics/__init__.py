"""Analytics: the raw event log and rollups in MongoDB, fed by event handlers,
and the beacon endpoint that puts the browser's views and clicks on the
activity path."""

from flask import Blueprint

bp = Blueprint("analytics", __name__, template_folder="templates")

from app.analytics import rollups, routes  # noqa: E402,F401  (handlers and routes)
