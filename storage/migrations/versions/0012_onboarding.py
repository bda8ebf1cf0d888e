"""onboarding: the team's checklist, new members' runs and their items

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 04:30:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing teams have no checklist and existing members no run: only people added from now on.
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("onboarding", sa.JSON(), nullable=True))
    op.create_table(
        "onboarding_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_onboarding_runs_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_runs")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_onboarding_runs_team_id")),
    )
    op.create_index(op.f("ix_onboarding_runs_team_id"), "onboarding_runs", ["team_id"], unique=False)
    op.create_table(
        "onboarding_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("done_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["run_id"], ["onboarding_runs.id"], name=op.f("fk_onboarding_items_run_id_onboarding_runs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_items")),
    )
    op.create_index(op.f("ix_onboarding_items_run_id"), "onboarding_items", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_onboarding_items_run_id"), table_name="onboarding_items")
    op.drop_table("onboarding_items")
    op.drop_index(op.f("ix_onboarding_runs_team_id"), table_name="onboarding_runs")
    op.drop_table("onboarding_runs")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("onboarding")
