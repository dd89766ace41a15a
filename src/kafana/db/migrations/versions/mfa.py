"""Two-factor authentication: the last used TOTP step and the recovery codes' hashes.

Revision ID: mfa
Revises: search_index
Create Date: 2026-11-30 04:22:17.192754
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = 'mfa'
down_revision: str | None = 'search_index'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mfa_last_step', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('mfa_recovery', sa.String(length=1024), server_default='', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('mfa_recovery')
        batch_op.drop_column('mfa_last_step')

