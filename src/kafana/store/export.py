"""The posts an export writes out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kafana.models import Post
from kafana.store.posts import POST_COLUMNS


async def channel_range(session: Any, channel_id: str, since: int, until: int, limit: int) -> list[Any]:
    """Live posts created in [since, until) (until 0: no end), oldest first, at most `limit`."""
    stmt = select(*POST_COLUMNS).where(Post.channel_id == channel_id, Post.delete_at == 0, Post.create_at >= since)
    if until:
        stmt = stmt.where(Post.create_at < until)
    stmt = stmt.order_by(Post.create_at, Post.id).limit(limit)
    return list((await session.execute(stmt)).all())
