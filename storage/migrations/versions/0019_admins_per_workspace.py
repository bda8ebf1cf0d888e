"""admins.workspace: an opsbot admin of one Slack workspace, or of the whole deployment (issue 19)

``workspace`` is the Slack team id (``T…``) an admin is an admin of (an Enterprise Grid org id,
``E…``, for whoever installed the app org-wide), or "" for an admin of the whole deployment: the
teams file's admins, OPSBOT_ADMINS and ``opsbot admins add`` (and every admin of the
single-workspace mode). The key becomes (user_id, workspace): one person may install opsbot in two
workspaces, or be named by the operator and install it too.

An installer already stored (source ``install``) becomes an admin of the workspace(s) the
installations table says they installed in; one the table does not know stays deployment-wide.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("admins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workspace", sa.String(length=32), server_default="", nullable=False))
        batch_op.drop_constraint("pk_admins", type_="primary")
        batch_op.create_primary_key("pk_admins", ["user_id", "workspace"])
    _installers_to_their_workspaces()


def _installers_to_their_workspaces() -> None:
    conn = op.get_bind()
    admins = sa.table("admins", sa.column("user_id", sa.String), sa.column("workspace", sa.String),
                      sa.column("source", sa.String), sa.column("added_at", sa.DateTime))
    installs = sa.table("slack_installations", sa.column("user_id", sa.String), sa.column("team_id", sa.String),
                        sa.column("enterprise_id", sa.String), sa.column("is_enterprise_install", sa.Boolean))
    rows = conn.execute(sa.select(admins.c.user_id, admins.c.added_at)
                        .where(admins.c.source == "install", admins.c.workspace == "")).all()
    for user_id, added_at in rows:
        found = conn.execute(sa.select(installs.c.team_id, installs.c.enterprise_id, installs.c.is_enterprise_install)
                             .where(installs.c.user_id == user_id)).all()
        places = sorted({(ent if org_wide else team) or "" for team, ent, org_wide in found} - {""})
        if not places:
            continue
        conn.execute(sa.delete(admins).where(admins.c.user_id == user_id, admins.c.workspace == ""))
        conn.execute(sa.insert(admins), [{"user_id": user_id, "workspace": w, "source": "install",
                                          "added_at": added_at} for w in places])


def downgrade() -> None:
    conn = op.get_bind()
    admins = sa.table("admins", sa.column("user_id", sa.String), sa.column("workspace", sa.String))
    # One row per person again: a deployment-wide row wins, else any one of their workspaces'.
    rows = conn.execute(sa.select(admins.c.user_id, admins.c.workspace)
                        .order_by(admins.c.user_id, admins.c.workspace)).all()
    kept: set[str] = set()
    for user_id, workspace in rows:
        if user_id in kept:
            conn.execute(sa.delete(admins).where(admins.c.user_id == user_id, admins.c.workspace == workspace))
        kept.add(user_id)
    with op.batch_alter_table("admins", schema=None) as batch_op:
        batch_op.drop_constraint("pk_admins", type_="primary")
        batch_op.create_primary_key("pk_admins", ["user_id"])
        batch_op.drop_column("workspace")
