"""card posts: the first post of a card, claimed by one outbox worker before the call

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-05 13:00:00
"""

import sqlalchemy as sa
from alembic import op

import storage.types

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('card_posts',
    sa.Column('item', sa.String(length=16), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('claimed_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('item', 'item_id', name=op.f('pk_card_posts'))
    )


def downgrade() -> None:
    op.drop_table('card_posts')
