"""Posts: single rows, channel history pages, threads."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Post


async def get_post(session: AsyncSession, post_id: str) -> Post | None:
    return await session.get(Post, post_id)
