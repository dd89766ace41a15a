"""The search indexes' ordinary tables: one row per searchable post (not system messages, not deleted posts),
and one per file attached to such a post (`file_search`, the same scheme, with the file's name as its text).

`doc_id` is `create_at << 20` plus a counter, so ordering by it is ordering by time and a date range is a
doc_id range; on SQLite it is also the rowid of the post's row in the FTS5 table `posts_fts` (body, tags).
On PostgreSQL the row carries a `terms` tsvector with a GIN index instead. Those engine-specific objects are
written by hand in the `search_index` migration and listed in `HAND_WRITTEN`, so the schema comparison
leaves them alone. The files' counterparts are `files_fts` and `ix_file_search_terms` (migration `file_search`).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, ref

DOC_ID_SHIFT = 20  # up to 2**20 posts per millisecond

# Engine-specific search objects made by hand (tables on SQLite; a column and an index on PostgreSQL).
HAND_WRITTEN = frozenset(
    {"posts_fts", "posts_fts_data", "posts_fts_idx", "posts_fts_content", "posts_fts_docsize", "posts_fts_config", "terms", "ix_post_search_terms"}
    | {"files_fts", "files_fts_data", "files_fts_idx", "files_fts_content", "files_fts_docsize", "files_fts_config", "ix_file_search_terms"}
)


class PostSearch(Base):
    __tablename__ = "post_search"

    # INTEGER (not BIGINT) on SQLite makes it the rowid, which the FTS5 rows share.
    doc_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False)
    post_id: Mapped[str] = mapped_column(String(26), unique=True)
    channel_id: Mapped[str] = ref()
    user_id: Mapped[str] = ref()

    __table_args__ = (
        Index("ix_post_search_channel_doc", "channel_id", "doc_id"),
        Index("ix_post_search_user_doc", "user_id", "doc_id"),
    )


class FileSearch(Base):
    """A file attached to a searchable post; `doc_id` follows the file's create_at as post_search's does."""

    __tablename__ = "file_search"

    doc_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False)
    file_id: Mapped[str] = mapped_column(String(26), unique=True)
    post_id: Mapped[str] = ref()
    channel_id: Mapped[str] = ref()
    user_id: Mapped[str] = ref()
    extension: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_file_search_post", "post_id"),
        Index("ix_file_search_channel_doc", "channel_id", "doc_id"),
        Index("ix_file_search_user_doc", "user_id", "doc_id"),
    )
