"""Listings: providers and their flights, hotels and cars; reviews and media."""

from flask import Blueprint

bp = Blueprint("listings", __name__, template_folder="templates")

from app.listings import admin, api, routes  # noqa: E402,F401
