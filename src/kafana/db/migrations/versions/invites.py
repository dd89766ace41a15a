"""Invitations: one-time email invitation tokens, and accounts waiting for approval.

Revision ID: invites
Revises: mfa
Create Date: 2026-11-30 04:28:28.429944
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'invites'
down_revision: str | None = 'mfa'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('invitations',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('team_id', sa.String(length=26), nullable=False),
    sa.Column('email', sa.String(length=128), server_default='', nullable=False),
    sa.Column('channel_ids', sa.String(length=2048), server_default='', nullable=False),
    sa.Column('guest', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('creator_id', sa.String(length=26), nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('expires_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_invitations'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_team_id'), ['team_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approval_pending', sa.Boolean(), server_default='0', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('approval_pending')

    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_team_id'))

    op.drop_table('invitations')
