"""search indexes

Revision ID: 0005_search_indexes
Revises: 0004_catalogue
Create Date: 2026-11-25 09:00:00

Indexed range scans for search (see docs/search.md and docs/performance.md):
departures from an airport by time, departures into an airport by time,
hotels around a point, cars by pickup airport.
"""

from alembic import op

revision = "0005_search_indexes"
down_revision = "0004_catalogue"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_flights_origin_departs", "flights", ["origin", "departs_at"])
    op.create_index("ix_flights_destination_departs", "flights", ["destination", "departs_at"])
    op.create_index("ix_hotels_latitude", "hotels", ["latitude", "longitude"])
    op.create_index("ix_cars_pickup_airport", "cars", ["pickup_airport"])


def downgrade():
    op.drop_index("ix_cars_pickup_airport", table_name="cars")
    op.drop_index("ix_hotels_latitude", table_name="hotels")
    op.drop_index("ix_flights_destination_departs", table_name="flights")
    op.drop_index("ix_flights_origin_departs", table_name="flights")
