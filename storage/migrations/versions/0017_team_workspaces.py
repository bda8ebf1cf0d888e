"""teams.workspace and teams.enterprise_id: the Slack workspace a team lives in (issue 19), and team
names unique per workspace instead of across the deployment

``workspace`` is the Slack team id (``T…``) of a team set up in an installed workspace; "" for a
team of the single-workspace mode (the teams file, or /opsbot setup with SLACK_BOT_TOKEN), so that
the (workspace, name) constraint holds for those too (NULLs would never collide).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 18:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workspace", sa.String(length=32), server_default="", nullable=False))
        batch_op.add_column(sa.Column("enterprise_id", sa.String(length=32), nullable=True))
        batch_op.drop_constraint("uq_teams_name", type_="unique")
        batch_op.create_unique_constraint("uq_teams_workspace_name", ["workspace", "name"])
        batch_op.create_index("ix_teams_workspace", ["workspace"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_index("ix_teams_workspace")
        batch_op.drop_constraint("uq_teams_workspace_name", type_="unique")
        batch_op.create_unique_constraint("uq_teams_name", ["name"])
        batch_op.drop_column("enterprise_id")
        batch_op.drop_column("workspace")
