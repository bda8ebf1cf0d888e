"""replicas: the outbox workers running on this database, and when each last said it was alive

Slack's limits are per workspace and app; with several replicas each paced every workspace on its
own, and a fan-out sent a workspace more than it allows. The replicas now share out the workspaces
with a backlog (``bot/kernel/replicas.py``), and need to know who is running.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 15:00:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "replicas",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("seen_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replicas")),
    )


def downgrade() -> None:
    op.drop_table("replicas")
