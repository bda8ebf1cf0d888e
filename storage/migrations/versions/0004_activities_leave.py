"""activities with review rounds and retrospectives; leave requests

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 03:26:12.400383
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.String(length=32), nullable=False),
    sa.Column('theme', sa.String(length=150), nullable=False),
    sa.Column('format', sa.String(length=150), nullable=False),
    sa.Column('starts_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('participants', sa.JSON(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('resources', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=32), nullable=True),
    sa.Column('decided_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('card_channel', sa.String(length=32), nullable=True),
    sa.Column('card_ts', sa.String(length=32), nullable=True),
    sa.Column('retro', sa.JSON(), nullable=True),
    sa.Column('retro_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_activities_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_team_id'), ['team_id'], unique=False)

    op.create_table('leaves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by', sa.String(length=32), nullable=True),
    sa.Column('decided_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('cancelled_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('card_channel', sa.String(length=32), nullable=True),
    sa.Column('card_ts', sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_leaves_team_id_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leaves'))
    )
    with op.batch_alter_table('leaves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_leaves_team_id'), ['team_id'], unique=False)
        batch_op.create_index('ix_leaves_team_user_dates', ['team_id', 'user_id', 'start_date', 'end_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_leaves_user_id'), ['user_id'], unique=False)

    op.create_table('activity_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('submitted_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('decided_by', sa.String(length=32), nullable=True),
    sa.Column('decided_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activities.id'], name=op.f('fk_activity_rounds_activity_id_activities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_rounds')),
    sa.UniqueConstraint('activity_id', 'round', name=op.f('uq_activity_rounds_activity_id'))
    )
    with op.batch_alter_table('activity_rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_rounds_activity_id'), ['activity_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('activity_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_rounds_activity_id'))

    op.drop_table('activity_rounds')
    with op.batch_alter_table('leaves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_leaves_user_id'))
        batch_op.drop_index('ix_leaves_team_user_dates')
        batch_op.drop_index(batch_op.f('ix_leaves_team_id'))

    op.drop_table('leaves')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_team_id'))
        batch_op.drop_index(batch_op.f('ix_activities_status'))
        batch_op.drop_index(batch_op.f('ix_activities_owner_id'))

    op.drop_table('activities')
