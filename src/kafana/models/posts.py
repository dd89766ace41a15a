"""Posts, reactions, threads and thread memberships."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kafana.models.base import Base, flag, id_pk, ms, ref, text


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[str] = id_pk()
    create_at: Mapped[int] = ms()
    update_at: Mapped[int] = ms()
    edit_at: Mapped[int] = ms()
    delete_at: Mapped[int] = ms()
    is_pinned: Mapped[bool] = flag()
    user_id: Mapped[str] = ref()
    channel_id: Mapped[str] = ref()
    root_id: Mapped[str] = text(26)
    original_id: Mapped[str] = text(26)
    message: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = text(64)
    props: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hashtags: Mapped[str] = text(1000)
    file_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # NULL when the client sent none: the unique index then only binds real retries.
    pending_post_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reply_count: Mapped[int] = ms()
    last_reply_at: Mapped[int] = ms()
    has_reactions: Mapped[bool] = flag()
    # OpenGraph previews of the message's first link (metadata.embeds), filled in after the post is made.
    embeds: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)

    __table_args__ = (
        UniqueConstraint("user_id", "pending_post_id"),
        Index("ix_posts_channel_create", "channel_id", "create_at", "id"),
        Index("ix_posts_channel_update", "channel_id", "update_at"),
        Index("ix_posts_root_create", "root_id", "create_at"),
        Index("ix_posts_create", "create_at"),  # server statistics: posts per day
    )

    def to_api(self, *, metadata: dict[str, Any] | None = None, reply_count: int | None = None) -> dict[str, Any]:
        return post_to_api(self, metadata=metadata, reply_count=reply_count)


def post_to_api(p: Any, *, metadata: dict[str, Any] | None = None, reply_count: int | None = None) -> dict[str, Any]:
    """The Mattermost Post JSON from a Post or a row of the posts table (history pages read rows: no ORM cost)."""
    out: dict[str, Any] = {
        "id": p.id,
        "create_at": p.create_at,
        "update_at": p.update_at,
        "edit_at": p.edit_at,
        "delete_at": p.delete_at,
        "is_pinned": p.is_pinned,
        "user_id": p.user_id,
        "channel_id": p.channel_id,
        "root_id": p.root_id,
        "original_id": p.original_id,
        "message": p.message,
        "type": p.type,
        "props": p.props or {},
        "hashtags": p.hashtags,
        "pending_post_id": p.pending_post_id or "",
        "reply_count": p.reply_count if reply_count is None else reply_count,
        "last_reply_at": p.last_reply_at,
        "participants": None,
        "metadata": metadata if metadata is not None else {},
    }
    if p.file_ids:
        out["file_ids"] = p.file_ids
    if p.has_reactions:
        out["has_reactions"] = True
    return out


def post_metadata(post: Any, files: Sequence[Any] = (), reactions: Sequence[Any] = (), emojis: Sequence[Any] = ()) -> dict[str, Any]:
    """The post's `metadata`: link previews (embeds), custom emoji it uses, attached files (FileInfo) and reactions."""
    meta: dict[str, Any] = {"embeds": list(post.embeds or []), "emojis": [e.to_api() for e in emojis], "files": [f.to_api() for f in files], "images": {}}
    if reactions:
        meta["reactions"] = [r.to_api() for r in reactions]
    return meta


EMOJI_IN_TEXT = re.compile(r":([a-zA-Z0-9\-+_]{1,64}):")


def emoji_names(post: Any, reactions: Sequence[Any] = ()) -> set[str]:
    """Names of the emoji a post shows: `:name:` in its message and its reactions."""
    names = {r.emoji_name for r in reactions}
    if ":" in post.message:
        names.update(EMOJI_IN_TEXT.findall(post.message))
    return names


class Reaction(Base):
    __tablename__ = "reactions"

    post_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    emoji_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel_id: Mapped[str] = ref()
    create_at: Mapped[int] = ms()

    def to_api(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "post_id": self.post_id,
            "emoji_name": self.emoji_name,
            "create_at": self.create_at,
            "update_at": self.create_at,
            "delete_at": 0,
            "remote_id": "",
            "channel_id": self.channel_id,
        }


class Thread(Base):
    """One row per root post that has replies: the collapsed-threads summary."""

    __tablename__ = "threads"

    post_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    channel_id: Mapped[str] = ref(index=True)
    reply_count: Mapped[int] = ms()
    last_reply_at: Mapped[int] = ms()
    participants: Mapped[list[str]] = mapped_column(JSON, default=list)


class ThreadMembership(Base):
    __tablename__ = "thread_memberships"

    post_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(26), primary_key=True)
    following: Mapped[bool] = flag(True)
    last_viewed: Mapped[int] = ms()
    last_updated: Mapped[int] = ms()
    unread_mentions: Mapped[int] = ms()

    __table_args__ = (Index("ix_thread_memberships_user", "user_id", "last_updated"),)
