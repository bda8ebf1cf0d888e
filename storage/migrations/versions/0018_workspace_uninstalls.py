"""workspace_uninstalls: the Slack workspaces (or Enterprise Grid orgs) that uninstalled opsbot or revoked its
bot token, when, and when their data was purged (issue 19)

Keyed by (enterprise_id, team_id), "" for the part a workspace does not have: ("", T…) for a
workspace outside Enterprise Grid, (E…, T…) for one inside, (E…, "") for an org-wide install.
A reinstall deletes the row; the data of a workspace whose row is older than
OPSBOT_WORKSPACE_RETENTION_DAYS is purged, and the row keeps ``purged_at`` as the record.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 18:40:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_uninstalls",
        sa.Column("enterprise_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("uninstalled_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("purged_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("enterprise_id", "team_id", name=op.f("pk_workspace_uninstalls")),
    )


def downgrade() -> None:
    op.drop_table("workspace_uninstalls")
