"""full-text GIN indexes without a pending list (PostgreSQL): each query otherwise scans the whole list

With fastupdate on (PostgreSQL's default), new entries wait in an unsorted pending list of up to
gin_pending_list_limit (4 MB) until a vacuum merges them, and every search reads that list in full: a
two-rare-word query read ~260 pages of it instead of a handful. A chat index takes a few words per post, so
inserting into the tree at once costs little, and search latency no longer depends on when autovacuum ran.

Revision ID: gin_fastupdate_off
Revises: file_search
Create Date: 2026-11-30 10:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "gin_fastupdate_off"
down_revision: str | None = "file_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = ("ix_post_search_terms", "ix_file_search_terms")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} SET (fastupdate = off)")
        op.execute(f"SELECT gin_clean_pending_list('{name}')")  # what already waits goes into the tree now


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"ALTER INDEX {name} RESET (fastupdate)")
