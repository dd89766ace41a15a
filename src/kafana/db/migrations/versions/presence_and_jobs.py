"""Presence across nodes, job leases, custom status expiries.

Revision ID: presence_and_jobs
Revises: media
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "presence_and_jobs"
down_revision: str | None = "media"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "presence",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("node_id", sa.String(length=26), nullable=False),
        sa.Column("seen_at", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("user_id", "node_id", name=op.f("pk_presence")),
    )
    op.create_index("ix_presence_node_id", "presence", ["node_id"])
    op.create_index("ix_presence_seen_at", "presence", ["seen_at"])
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=26), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_leases")),
    )
    op.create_table(
        "custom_status_expiries",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_custom_status_expiries")),
    )
    op.create_index("ix_custom_status_expiries_expires_at", "custom_status_expiries", ["expires_at"])


def downgrade() -> None:
    op.drop_table("custom_status_expiries")
    op.drop_table("job_leases")
    op.drop_table("presence")
