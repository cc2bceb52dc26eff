"""Analytics: the raw event log and rollups in MongoDB, fed by event handlers."""

from flask import Blueprint

bp = Blueprint("analytics", __name__, url_prefix="/admin/analytics", template_folder="templates")
