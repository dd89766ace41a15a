"""Reports of messages, their timelines, and suspensions (moderation).

Revision ID: moderation
Revises: retention
Create Date: 2026-11-30 07:51:17.577401
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'moderation'
down_revision: str | None = 'retention'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_events',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('report_id', sa.String(length=26), nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('user_id', sa.String(length=26), server_default='', nullable=False),
    sa.Column('kind', sa.String(length=16), server_default='', nullable=False),
    sa.Column('value', sa.String(length=64), server_default='', nullable=False),
    sa.Column('body', sa.String(length=4096), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_events'))
    )
    with op.batch_alter_table('report_events', schema=None) as batch_op:
        batch_op.create_index('ix_report_events_kind_create_at', ['kind', 'create_at'], unique=False)
        batch_op.create_index('ix_report_events_report_id_create_at', ['report_id', 'create_at'], unique=False)

    op.create_table('reports',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('update_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('reporter_id', sa.String(length=26), nullable=False),
    sa.Column('reason', sa.String(length=1024), server_default='', nullable=False),
    sa.Column('state', sa.String(length=16), server_default='open', nullable=False),
    sa.Column('assignee_id', sa.String(length=26), server_default='', nullable=False),
    sa.Column('post_id', sa.String(length=26), nullable=False),
    sa.Column('post_user_id', sa.String(length=26), nullable=False),
    sa.Column('post_username', sa.String(length=64), server_default='', nullable=False),
    sa.Column('post_message', sa.Text(), nullable=False),
    sa.Column('post_create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('channel_id', sa.String(length=26), nullable=False),
    sa.Column('channel_name', sa.String(length=64), server_default='', nullable=False),
    sa.Column('channel_display_name', sa.String(length=64), server_default='', nullable=False),
    sa.Column('channel_type', sa.String(length=1), server_default='', nullable=False),
    sa.Column('team_id', sa.String(length=26), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('reporter_id', 'post_id', name=op.f('uq_reports_reporter_id_post_id'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_state_create_at', ['state', 'create_at'], unique=False)

    op.create_table('suspensions',
    sa.Column('user_id', sa.String(length=26), nullable=False),
    sa.Column('until', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('by_id', sa.String(length=26), server_default='', nullable=False),
    sa.Column('report_id', sa.String(length=26), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_suspensions'))
    )
    with op.batch_alter_table('suspensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suspensions_until'), ['until'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('suspensions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suspensions_until'))

    op.drop_table('suspensions')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_state_create_at')

    op.drop_table('reports')
    with op.batch_alter_table('report_events', schema=None) as batch_op:
        batch_op.drop_index('ix_report_events_report_id_create_at')
        batch_op.drop_index('ix_report_events_kind_create_at')

    op.drop_table('report_events')
