"""Incoming and outgoing webhooks and custom slash commands.

Revision ID: integrations
Revises: bridges
Create Date: 2026-11-30 10:43:00.431059
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'integrations'
down_revision: str | None = 'bridges'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('commands',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('token', sa.String(length=26), server_default='', nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('update_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('delete_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('creator_id', sa.String(length=26), nullable=False),
    sa.Column('team_id', sa.String(length=26), nullable=False),
    sa.Column('trigger', sa.String(length=128), server_default='', nullable=False),
    sa.Column('method', sa.String(length=1), server_default='P', nullable=False),
    sa.Column('username', sa.String(length=64), server_default='', nullable=False),
    sa.Column('icon_url', sa.String(length=1024), server_default='', nullable=False),
    sa.Column('auto_complete', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('auto_complete_desc', sa.String(length=1024), server_default='', nullable=False),
    sa.Column('auto_complete_hint', sa.String(length=1024), server_default='', nullable=False),
    sa.Column('display_name', sa.String(length=64), server_default='', nullable=False),
    sa.Column('description', sa.String(length=128), server_default='', nullable=False),
    sa.Column('url', sa.String(length=1024), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commands'))
    )
    with op.batch_alter_table('commands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_commands_creator_id'), ['creator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_commands_team_id'), ['team_id'], unique=False)

    op.create_table('incoming_webhooks',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('update_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('delete_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('user_id', sa.String(length=26), nullable=False),
    sa.Column('channel_id', sa.String(length=26), nullable=False),
    sa.Column('team_id', sa.String(length=26), nullable=False),
    sa.Column('display_name', sa.String(length=64), server_default='', nullable=False),
    sa.Column('description', sa.String(length=500), server_default='', nullable=False),
    sa.Column('username', sa.String(length=255), server_default='', nullable=False),
    sa.Column('icon_url', sa.String(length=1024), server_default='', nullable=False),
    sa.Column('channel_locked', sa.Boolean(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incoming_webhooks'))
    )
    with op.batch_alter_table('incoming_webhooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incoming_webhooks_team_id'), ['team_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incoming_webhooks_user_id'), ['user_id'], unique=False)

    op.create_table('outgoing_webhooks',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('token', sa.String(length=26), server_default='', nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('update_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('delete_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('creator_id', sa.String(length=26), nullable=False),
    sa.Column('channel_id', sa.String(length=26), server_default='', nullable=False),
    sa.Column('team_id', sa.String(length=26), nullable=False),
    sa.Column('trigger_words', sa.JSON(), nullable=False),
    sa.Column('trigger_when', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('callback_urls', sa.JSON(), nullable=False),
    sa.Column('display_name', sa.String(length=64), server_default='', nullable=False),
    sa.Column('description', sa.String(length=500), server_default='', nullable=False),
    sa.Column('content_type', sa.String(length=128), server_default='application/x-www-form-urlencoded', nullable=False),
    sa.Column('username', sa.String(length=255), server_default='', nullable=False),
    sa.Column('icon_url', sa.String(length=1024), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_webhooks'))
    )
    with op.batch_alter_table('outgoing_webhooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_webhooks_creator_id'), ['creator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_webhooks_team_id'), ['team_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outgoing_webhooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_webhooks_team_id'))
        batch_op.drop_index(batch_op.f('ix_outgoing_webhooks_creator_id'))

    op.drop_table('outgoing_webhooks')
    with op.batch_alter_table('incoming_webhooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incoming_webhooks_user_id'))
        batch_op.drop_index(batch_op.f('ix_incoming_webhooks_team_id'))

    op.drop_table('incoming_webhooks')
    with op.batch_alter_table('commands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_commands_team_id'))
        batch_op.drop_index(batch_op.f('ix_commands_creator_id'))

    op.drop_table('commands')
