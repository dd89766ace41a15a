"""search index: post_search, with FTS5 (SQLite) or a tsvector + GIN (PostgreSQL); existing posts backfilled

Revision ID: search_index
Revises: presence_and_jobs
Create Date: 2026-11-30 04:26:10.508355
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from kafana.search.text import hashtags_text, index_text

revision: str = "search_index"
down_revision: str | None = "presence_and_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SHIFT = 20  # models.search.DOC_ID_SHIFT at the time of writing
BATCH = 5000


def upgrade() -> None:
    op.create_table(
        "post_search",
        sa.Column("doc_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False),
        sa.Column("post_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.PrimaryKeyConstraint("doc_id", name=op.f("pk_post_search")),
        sa.UniqueConstraint("post_id", name=op.f("uq_post_search_post_id")),
    )
    with op.batch_alter_table("post_search", schema=None) as batch_op:
        batch_op.create_index("ix_post_search_channel_doc", ["channel_id", "doc_id"], unique=False)
        batch_op.create_index("ix_post_search_user_doc", ["user_id", "doc_id"], unique=False)

    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("CREATE VIRTUAL TABLE posts_fts USING fts5(body, tags, tokenize = 'unicode61 remove_diacritics 2')")
    else:
        op.execute("ALTER TABLE post_search ADD COLUMN terms tsvector NOT NULL")
        op.execute("CREATE SEQUENCE post_search_doc_seq")
    _backfill(sqlite)
    if not sqlite:  # built after the backfill: one sort instead of a GIN insertion per row
        op.execute("CREATE INDEX ix_post_search_terms ON post_search USING gin (terms)")


def _backfill(sqlite: bool) -> None:
    """Index the posts written before this migration, oldest first (doc ids follow create_at)."""
    conn = op.get_bind()
    page = sa.text(
        "SELECT id, channel_id, user_id, create_at, message, hashtags FROM posts WHERE delete_at = 0 AND type NOT LIKE 'system%' "
        "AND (create_at, id) > (:at, :id) ORDER BY create_at, id LIMIT :n"
    )
    last_ms, counter, after = -1, 0, (-1, "")
    while batch := conn.execute(page, {"at": after[0], "id": after[1], "n": BATCH}).all():
        after = (batch[-1][3], batch[-1][0])
        docs, texts = [], []
        for post_id, channel_id, user_id, create_at, message, hashtags in batch:
            counter = counter + 1 if create_at == last_ms else 0
            last_ms = create_at
            doc_id = (create_at << SHIFT) | counter
            docs.append({"doc_id": doc_id, "post_id": post_id, "channel_id": channel_id, "user_id": user_id})
            texts.append({"doc_id": doc_id, "body": index_text(message), "tags": hashtags_text(hashtags)})
        if sqlite:
            conn.execute(sa.text("INSERT INTO post_search (doc_id, post_id, channel_id, user_id) VALUES (:doc_id, :post_id, :channel_id, :user_id)"), docs)
            conn.execute(sa.text("INSERT INTO posts_fts (rowid, body, tags) VALUES (:doc_id, :body, :tags)"), texts)
        else:
            conn.execute(
                sa.text(
                    "INSERT INTO post_search (doc_id, post_id, channel_id, user_id, terms) VALUES (:doc_id, :post_id, :channel_id, :user_id, "
                    "setweight(to_tsvector('simple', :body), 'D') || setweight(to_tsvector('simple', :tags), 'A'))"
                ),
                [{**d, **t} for d, t in zip(docs, texts, strict=True)],
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE posts_fts")
    else:
        op.execute("DROP SEQUENCE post_search_doc_seq")
    with op.batch_alter_table("post_search", schema=None) as batch_op:
        batch_op.drop_index("ix_post_search_user_doc")
        batch_op.drop_index("ix_post_search_channel_doc")
    op.drop_table("post_search")
