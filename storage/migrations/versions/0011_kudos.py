"""kudos: colleagues' recognition, the honour of the month, a team's recognition settings

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 04:00:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("recognition", sa.JSON(), nullable=True))
    op.create_table(
        "kudos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("giver_id", sa.String(length=32), nullable=False),
        sa.Column("recipient_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_kudos_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos")),
    )
    op.create_index("ix_kudos_team_created", "kudos", ["team_id", "created_at"])
    op.create_index(op.f("ix_kudos_giver_id"), "kudos", ["giver_id"])
    op.create_index(op.f("ix_kudos_recipient_id"), "kudos", ["recipient_id"])
    op.create_table(
        "kudos_honours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("citation", sa.Text(), nullable=False),
        sa.Column("honoured_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_kudos_honours_team_id_teams")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kudos_honours")),
        sa.UniqueConstraint("team_id", "month", name=op.f("uq_kudos_honours_team_id")),
    )
    op.create_index(op.f("ix_kudos_honours_user_id"), "kudos_honours", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_kudos_honours_user_id"), table_name="kudos_honours")
    op.drop_table("kudos_honours")
    op.drop_index(op.f("ix_kudos_recipient_id"), table_name="kudos")
    op.drop_index(op.f("ix_kudos_giver_id"), table_name="kudos")
    op.drop_index("ix_kudos_team_created", table_name="kudos")
    op.drop_table("kudos")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("recognition")
