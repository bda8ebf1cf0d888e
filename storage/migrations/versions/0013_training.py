"""training: sessions, answers, attendance, and career development goals

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 05:00:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def _session_child(name: str, *extra: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        *extra,
        sa.ForeignKeyConstraint(["session_id"], ["training_sessions.id"],
                                name=op.f(f"fk_{name}_session_id_training_sessions")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("session_id", "user_id", name=op.f(f"uq_{name}_session_id")),
    )
    op.create_index(op.f(f"ix_{name}_session_id"), name, ["session_id"], unique=False)


def upgrade() -> None:
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("starts_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attendance_by", sa.String(length=32), nullable=True),
        sa.Column("attendance_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("card_channel", sa.String(length=32), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_training_sessions_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
    )
    op.create_index(op.f("ix_training_sessions_team_id"), "training_sessions", ["team_id"], unique=False)
    _session_child("training_answers", sa.Column("joining", sa.Boolean(), nullable=False),
                   sa.Column("answered_at", storage.types.UTCDateTime(timezone=True), nullable=False))
    _session_child("training_attendees")
    op.create_table(
        "career_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_career_goals_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_career_goals")),
        sa.UniqueConstraint("team_id", "user_id", "year", name=op.f("uq_career_goals_team_id")),
    )
    op.create_index(op.f("ix_career_goals_team_id"), "career_goals", ["team_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_career_goals_team_id"), table_name="career_goals")
    op.drop_table("career_goals")
    for name in ("training_attendees", "training_answers"):
        op.drop_index(op.f(f"ix_{name}_session_id"), table_name=name)
        op.drop_table(name)
    op.drop_index(op.f("ix_training_sessions_team_id"), table_name="training_sessions")
    op.drop_table("training_sessions")
