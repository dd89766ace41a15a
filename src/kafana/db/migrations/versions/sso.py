"""Single sign-on: logins in progress, and finding accounts by their provider's subject.

Revision ID: sso
Revises: bots
Create Date: 2026-11-30 05:03:34.605278
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'sso'
down_revision: str | None = 'bots'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sso_states',
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('service', sa.String(length=32), server_default='', nullable=False),
    sa.Column('redirect_to', sa.String(length=512), server_default='', nullable=False),
    sa.Column('mobile', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('code_verifier', sa.String(length=128), server_default='', nullable=False),
    sa.Column('invite_token', sa.String(length=128), server_default='', nullable=False),
    sa.Column('invite_id', sa.String(length=64), server_default='', nullable=False),
    sa.Column('expires_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.PrimaryKeyConstraint('state_hash', name=op.f('pk_sso_states'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_auth_service_auth_data', ['auth_service', 'auth_data'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_auth_service_auth_data')

    op.drop_table('sso_states')
