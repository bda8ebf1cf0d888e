"""teams from Slack: who manages a team, opsbot admins, workspace admins

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 03:30:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Teams that exist already came from the teams file.
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("managed_by", sa.String(length=8), server_default="file", nullable=False))
    with op.batch_alter_table("slack_users") as batch:
        batch.add_column(sa.Column("workspace_admin", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "admins",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("added_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_admins")),
    )


def downgrade() -> None:
    op.drop_table("admins")
    with op.batch_alter_table("slack_users") as batch:
        batch.drop_column("workspace_admin")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("managed_by")
