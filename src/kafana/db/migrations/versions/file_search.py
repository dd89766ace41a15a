"""file search index: file_search, with FTS5 (SQLite) or a tsvector + GIN (PostgreSQL); attached files backfilled

Revision ID: file_search
Revises: admin_console
Create Date: 2026-11-30 07:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kafana.search.text import index_text

revision: str = "file_search"
down_revision: str | None = "admin_console"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHIFT = 20  # models.search.DOC_ID_SHIFT at the time of writing
BATCH = 5000


def upgrade() -> None:
    op.create_table(
        "file_search",
        sa.Column("doc_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False),
        sa.Column("file_id", sa.String(length=26), nullable=False),
        sa.Column("post_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("extension", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("doc_id", name=op.f("pk_file_search")),
        sa.UniqueConstraint("file_id", name=op.f("uq_file_search_file_id")),
    )
    with op.batch_alter_table("file_search", schema=None) as batch_op:
        batch_op.create_index("ix_file_search_post", ["post_id"], unique=False)
        batch_op.create_index("ix_file_search_channel_doc", ["channel_id", "doc_id"], unique=False)
        batch_op.create_index("ix_file_search_user_doc", ["user_id", "doc_id"], unique=False)

    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE VIRTUAL TABLE files_fts USING fts5(body, tags, tokenize = 'unicode61 remove_diacritics 2')")
    else:
        op.execute("ALTER TABLE file_search ADD COLUMN terms tsvector NOT NULL")
        op.execute("CREATE SEQUENCE file_search_doc_seq")
    _backfill(sqlite)
    if not sqlite:
        op.execute("CREATE INDEX ix_file_search_terms ON file_search USING gin (terms)")


def _backfill(sqlite: bool) -> None:
    """Index the files already attached to live, searchable posts, oldest first (doc ids follow create_at)."""
    conn = op.get_bind()
    page = sa.text(
        "SELECT f.id, f.post_id, f.channel_id, f.creator_id, f.create_at, f.name, f.extension FROM file_infos f JOIN posts p ON p.id = f.post_id "
        "WHERE f.delete_at = 0 AND p.delete_at = 0 AND p.type NOT LIKE 'system%' AND (f.create_at, f.id) > (:at, :id) ORDER BY f.create_at, f.id LIMIT :n"
    )
    last_ms, counter, after = -1, 0, (-1, "")
    while batch := conn.execute(page, {"at": after[0], "id": after[1], "n": BATCH}).all():
        after = (batch[-1][4], batch[-1][0])
        docs = []
        for file_id, post_id, channel_id, user_id, create_at, name, extension in batch:
            counter = counter + 1 if create_at == last_ms else 0
            last_ms = create_at
            doc_id = (create_at << SHIFT) | counter
            docs.append(
                {"doc_id": doc_id, "file_id": file_id, "post_id": post_id, "channel_id": channel_id, "user_id": user_id, "extension": extension, "body": index_text(name)}
            )
        columns = "doc_id, file_id, post_id, channel_id, user_id, extension"
        values = ":doc_id, :file_id, :post_id, :channel_id, :user_id, :extension"
        if sqlite:
            conn.execute(sa.text(f"INSERT INTO file_search ({columns}) VALUES ({values})"), docs)
            conn.execute(sa.text("INSERT INTO files_fts (rowid, body, tags) VALUES (:doc_id, :body, '')"), docs)
        else:
            conn.execute(sa.text(f"INSERT INTO file_search ({columns}, terms) VALUES ({values}, setweight(to_tsvector('simple', :body), 'D'))"), docs)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE files_fts")
    else:
        op.execute("DROP SEQUENCE file_search_doc_seq")
    with op.batch_alter_table("file_search", schema=None) as batch_op:
        batch_op.drop_index("ix_file_search_user_doc")
        batch_op.drop_index("ix_file_search_channel_doc")
        batch_op.drop_index("ix_file_search_post")
    op.drop_table("file_search")
