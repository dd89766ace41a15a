"""The audit log, and the client address of each session (as the privacy setting allows).

Revision ID: audit
Revises: invites
Create Date: 2026-11-30 04:39:18.984767
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'audit'
down_revision: str | None = 'invites'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('user_id', sa.String(length=26), server_default='', nullable=False),
    sa.Column('action', sa.String(length=64), server_default='', nullable=False),
    sa.Column('target_id', sa.String(length=26), server_default='', nullable=False),
    sa.Column('extra_info', sa.String(length=1024), server_default='', nullable=False),
    sa.Column('ip_address', sa.String(length=64), server_default='', nullable=False),
    sa.Column('session_id', sa.String(length=26), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_create_at', ['create_at'], unique=False)
        batch_op.create_index('ix_audit_log_user_id_create_at', ['user_id', 'create_at'], unique=False)

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ip_address', sa.String(length=64), server_default='', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('ip_address')

    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_user_id_create_at')
        batch_op.drop_index('ix_audit_log_create_at')

    op.drop_table('audit_log')
