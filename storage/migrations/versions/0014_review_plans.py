"""review plans: a member's monthly performance plan and its rounds

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 04:10:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("agreed_round", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("agreed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_review_plans_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_plans")),
        sa.UniqueConstraint("team_id", "user_id", "period", name=op.f("uq_review_plans_team_id")),
    )
    op.create_index(op.f("ix_review_plans_team_id"), "review_plans", ["team_id"], unique=False)
    op.create_table(
        "review_plan_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("proposed_by", sa.String(length=32), nullable=False),
        sa.Column("proposed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("commented_by", sa.String(length=32), nullable=True),
        sa.Column("commented_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["review_plans.id"], name=op.f("fk_review_plan_rounds_plan_id_review_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_plan_rounds")),
        sa.UniqueConstraint("plan_id", "number", name=op.f("uq_review_plan_rounds_plan_id")),
    )
    op.create_index(op.f("ix_review_plan_rounds_plan_id"), "review_plan_rounds", ["plan_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_review_plan_rounds_plan_id"), table_name="review_plan_rounds")
    op.drop_table("review_plan_rounds")
    op.drop_index(op.f("ix_review_plans_team_id"), table_name="review_plans")
    op.drop_table("review_plans")
