"""Search: flights (with connections and round trips), hotels and cars over
the catalogue, with filters, facet counts, sorts, caching and a partner API."""

from flask import Blueprint

bp = Blueprint(
    "search",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/search/static",
)

from app.search import api, routes  # noqa: E402,F401
