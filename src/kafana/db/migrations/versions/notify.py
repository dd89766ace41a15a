"""Notifications: user groups, the push outbox and Web Push subscriptions.

Revision ID: notify
Revises: sso
Create Date: 2026-11-30 07:18:40.275971
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'notify'
down_revision: str | None = 'sso'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('group_members',
    sa.Column('group_id', sa.String(length=26), nullable=False),
    sa.Column('user_id', sa.String(length=26), nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('group_id', 'user_id', name=op.f('pk_group_members'))
    )
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.create_index('ix_group_members_user_id', ['user_id'], unique=False)

    op.create_table('push_outbox',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('kind', sa.String(length=16), server_default='', nullable=False),
    sa.Column('user_id', sa.String(length=26), nullable=False),
    sa.Column('target', sa.String(length=512), server_default='', nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('attempts', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('next_attempt_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_outbox')),
    sa.UniqueConstraint('key', name=op.f('uq_push_outbox_key'))
    )
    with op.batch_alter_table('push_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_outbox_next_attempt_at'), ['next_attempt_at'], unique=False)

    op.create_table('user_groups',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(length=128), server_default='', nullable=False),
    sa.Column('description', sa.String(length=1024), server_default='', nullable=False),
    sa.Column('source', sa.String(length=32), server_default='custom', nullable=False),
    sa.Column('allow_reference', sa.Boolean(), server_default='1', nullable=False),
    sa.Column('creator_id', sa.String(length=26), server_default='', nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('update_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('delete_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_groups')),
    sa.UniqueConstraint('name', name=op.f('uq_user_groups_name'))
    )
    op.create_table('webpush_subscriptions',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('user_id', sa.String(length=26), nullable=False),
    sa.Column('session_id', sa.String(length=26), server_default='', nullable=False),
    sa.Column('endpoint', sa.String(length=1024), nullable=False),
    sa.Column('p256dh', sa.String(length=128), server_default='', nullable=False),
    sa.Column('auth', sa.String(length=64), server_default='', nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webpush_subscriptions')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_webpush_subscriptions_endpoint'))
    )
    with op.batch_alter_table('webpush_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webpush_subscriptions_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('webpush_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webpush_subscriptions_user_id'))

    op.drop_table('webpush_subscriptions')
    op.drop_table('user_groups')
    with op.batch_alter_table('push_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_outbox_next_attempt_at'))

    op.drop_table('push_outbox')
    with op.batch_alter_table('group_members', schema=None) as batch_op:
        batch_op.drop_index('ix_group_members_user_id')

    op.drop_table('group_members')
