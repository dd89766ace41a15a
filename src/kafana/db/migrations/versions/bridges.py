"""Bridges (IRC, Telegram, Discord) and the map between their remote messages and local posts.

Revision ID: bridges
Revises: gin_fastupdate_off
Create Date: 2026-11-30 10:42:06.972445
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'bridges'
down_revision: str | None = 'gin_fastupdate_off'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('bridge_messages',
    sa.Column('bridge_id', sa.String(length=26), nullable=False),
    sa.Column('post_id', sa.String(length=26), nullable=False),
    sa.Column('remote_id', sa.String(length=128), nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('bridge_id', 'post_id', 'remote_id', name=op.f('pk_bridge_messages'))
    )
    with op.batch_alter_table('bridge_messages', schema=None) as batch_op:
        batch_op.create_index('ix_bridge_messages_bridge_id_remote_id', ['bridge_id', 'remote_id'], unique=False)

    op.create_table('bridges',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('kind', sa.String(length=16), server_default='', nullable=False),
    sa.Column('channel_id', sa.String(length=26), nullable=False),
    sa.Column('bot_user_id', sa.String(length=26), nullable=False),
    sa.Column('config', sa.JSON(), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('update_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('created_by', sa.String(length=26), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bridges'))
    )
    with op.batch_alter_table('bridges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bridges_channel_id'), ['channel_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('bridges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bridges_channel_id'))

    op.drop_table('bridges')
    with op.batch_alter_table('bridge_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_bridge_messages_bridge_id_remote_id')

    op.drop_table('bridge_messages')
