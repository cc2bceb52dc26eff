"""event delivery: settled outbox rows, sweeper bookkeeping

Revision ID: 0006_event_delivery
Revises: 0005_search_indexes
Create Date: 2026-11-25 09:00:00

`outbox.settled_at` is set once every subscribed handler has processed the
event (or filed a dead letter); the sweeper (app/core/sweeper.py) reads only
unsettled rows through `ix_outbox_unsettled`. `sweeps` and `next_sweep_at`
count and pace its re-dispatches. Rows already sent before this revision are
taken as settled, so the first sweep does not replay history.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_event_delivery"
down_revision = "0005_search_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("settled_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("sweeps", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("next_sweep_at", sa.DateTime(), nullable=True))
        batch_op.create_index("ix_outbox_unsettled", ["settled_at", "seq"], unique=False)
    op.execute("UPDATE outbox SET settled_at = sent_at WHERE sent_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_unsettled")
        batch_op.drop_column("next_sweep_at")
        batch_op.drop_column("sweeps")
        batch_op.drop_column("settled_at")
