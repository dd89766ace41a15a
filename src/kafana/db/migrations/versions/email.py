"""Email: the outbox, notifications waiting for their batch, one-time tokens (verification, password reset).

Revision ID: email
Revises: moderation
Create Date: 2026-11-30 07:19:28.596868
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'email'
down_revision: str | None = 'moderation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('email_notifications',
    sa.Column('user_id', sa.String(length=26), nullable=False),
    sa.Column('post_id', sa.String(length=26), nullable=False),
    sa.Column('channel_id', sa.String(length=26), nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'post_id', name=op.f('pk_email_notifications'))
    )
    op.create_table('email_outbox',
    sa.Column('id', sa.String(length=26), nullable=False),
    sa.Column('to_address', sa.String(length=128), server_default='', nullable=False),
    sa.Column('subject', sa.String(length=512), server_default='', nullable=False),
    sa.Column('text_body', sa.Text(), nullable=False),
    sa.Column('html_body', sa.Text(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('send_after', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('attempts', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('claimed_by', sa.String(length=26), server_default='', nullable=False),
    sa.Column('claim_until', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('sent_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('failed_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('last_error', sa.String(length=512), server_default='', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_outbox'))
    )
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_email_outbox_sent_at_send_after', ['sent_at', 'send_after'], unique=False)

    op.create_table('user_tokens',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), server_default='', nullable=False),
    sa.Column('user_id', sa.String(length=26), nullable=False),
    sa.Column('email', sa.String(length=128), server_default='', nullable=False),
    sa.Column('create_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('expires_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_user_tokens'))
    )
    with op.batch_alter_table('user_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_tokens_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('user_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_tokens_user_id'))

    op.drop_table('user_tokens')
    with op.batch_alter_table('email_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_email_outbox_sent_at_send_after')

    op.drop_table('email_outbox')
    op.drop_table('email_notifications')
