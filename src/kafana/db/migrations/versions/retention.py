"""Granular data retention policies and their teams and channels.

Revision ID: retention
Revises: notify
Create Date: 2026-11-30 07:28:14.264008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'retention'
down_revision: str | None = 'notify'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('retention_policies',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('display_name', sa.String(length=64), server_default='', nullable=False),
    sa.Column('post_duration', sa.BigInteger(), server_default='-1', nullable=False),
    sa.Column('file_duration', sa.BigInteger(), nullable=True),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_policies'))
    )
    op.create_table('retention_policy_channels',
    sa.Column('channel_id', sa.String(length=26), nullable=False),
    sa.Column('policy_id', sa.String(length=26), nullable=False),
    sa.PrimaryKeyConstraint('channel_id', name=op.f('pk_retention_policy_channels'))
    )
    with op.batch_alter_table('retention_policy_channels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_policy_channels_policy_id'), ['policy_id'], unique=False)

    op.create_table('retention_policy_teams',
    sa.Column('team_id', sa.String(length=26), nullable=False),
    sa.Column('policy_id', sa.String(length=26), nullable=False),
    sa.PrimaryKeyConstraint('team_id', name=op.f('pk_retention_policy_teams'))
    )
    with op.batch_alter_table('retention_policy_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_policy_teams_policy_id'), ['policy_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('retention_policy_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_policy_teams_policy_id'))

    op.drop_table('retention_policy_teams')
    with op.batch_alter_table('retention_policy_channels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_policy_channels_policy_id'))

    op.drop_table('retention_policy_channels')
    op.drop_table('retention_policies')
