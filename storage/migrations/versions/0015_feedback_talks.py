"""feedback talks: the talk after an evaluation, its improvement plan's items, and their history

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 05:40:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_talks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("scheduled_by", sa.String(length=32), nullable=False),
        sa.Column("starts_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("place", sa.Text(), nullable=True),
        sa.Column("schedule_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("plan_version", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=32), nullable=True),
        sa.Column("objection", sa.Text(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_feedback_talks_review_id_reviews")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_feedback_talks_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_talks")),
        sa.UniqueConstraint("review_id", name=op.f("uq_feedback_talks_review_id")),
    )
    op.create_index(op.f("ix_feedback_talks_team_id"), "feedback_talks", ["team_id"], unique=False)
    op.create_index(op.f("ix_feedback_talks_user_id"), "feedback_talks", ["user_id"], unique=False)
    op.create_table(
        "improvement_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("talk_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("closed_by", sa.String(length=32), nullable=True),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["talk_id"], ["feedback_talks.id"],
                                name=op.f("fk_improvement_items_talk_id_feedback_talks")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_improvement_items_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_items")),
    )
    op.create_index(op.f("ix_improvement_items_talk_id"), "improvement_items", ["talk_id"], unique=False)
    op.create_index(op.f("ix_improvement_items_team_id"), "improvement_items", ["team_id"], unique=False)
    op.create_index(op.f("ix_improvement_items_user_id"), "improvement_items", ["user_id"], unique=False)
    op.create_index(op.f("ix_improvement_items_owner_id"), "improvement_items", ["owner_id"], unique=False)
    op.create_table(
        "feedback_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("talk_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=32), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["item_id"], ["improvement_items.id"],
                                name=op.f("fk_feedback_events_item_id_improvement_items")),
        sa.ForeignKeyConstraint(["talk_id"], ["feedback_talks.id"],
                                name=op.f("fk_feedback_events_talk_id_feedback_talks")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_events")),
    )
    op.create_index(op.f("ix_feedback_events_talk_id"), "feedback_events", ["talk_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_feedback_events_talk_id"), table_name="feedback_events")
    op.drop_table("feedback_events")
    for col in ("owner_id", "user_id", "team_id", "talk_id"):
        op.drop_index(op.f(f"ix_improvement_items_{col}"), table_name="improvement_items")
    op.drop_table("improvement_items")
    op.drop_index(op.f("ix_feedback_talks_user_id"), table_name="feedback_talks")
    op.drop_index(op.f("ix_feedback_talks_team_id"), table_name="feedback_talks")
    op.drop_table("feedback_talks")
