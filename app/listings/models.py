"""Relational truth of the catalogue."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.models import utcnow
from app.extensions import db

PROVIDER_KINDS = {
    "airline": "Airline",
    "hotel": "Hotel brand or independent hotel",
    "car_rental": "Car rental company",
}


class Provider(db.Model):
    """An airline, hotel brand or rental company; every listing belongs to one."""

    __tablename__ = "providers"
    __table_args__ = (sa.UniqueConstraint("kind", "name", name="uq_providers_kind_name"),)

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(16), nullable=False, index=True)
    name = db.Column(db.String(120), nullable=False)
    code = db.Column(db.String(8))  # IATA airline code, brand code
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    deleted_at = db.Column(db.DateTime)

    @property
    def kind_label(self) -> str:
        return PROVIDER_KINDS.get(self.kind, self.kind)

    def __repr__(self) -> str:
        return f"<Provider {self.id} {self.kind} {self.name!r}>"
