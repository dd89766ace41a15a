"""File infos: by id, by post, by channel; attaching to posts and hiding with them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import FileInfo, Post
from kafana.store import NO_SYNC


async def get_file(session: AsyncSession, file_id: str) -> FileInfo | None:
    return await session.get(FileInfo, file_id)


async def get_files_by_ids(session: AsyncSession, ids: Sequence[str]) -> list[FileInfo]:
    if not ids:
        return []
    return list((await session.execute(select(FileInfo).where(FileInfo.id.in_(list(set(ids)))))).scalars())


async def get_files_for_posts(session: AsyncSession, post_ids: Sequence[str]) -> dict[str, list[FileInfo]]:
    """Live files of each post, oldest first (the order they were attached in)."""
    out: dict[str, list[FileInfo]] = {}
    if not post_ids:
        return out
    stmt = select(FileInfo).where(FileInfo.post_id.in_(list(post_ids)), FileInfo.delete_at == 0).order_by(FileInfo.create_at, FileInfo.id)
    for info in (await session.execute(stmt)).scalars():
        out.setdefault(info.post_id, []).append(info)
    return out


async def get_channel_files(session: AsyncSession, channel_id: str, offset: int, limit: int) -> list[FileInfo]:
    """Files attached to live posts of the channel, newest first."""
    stmt = (
        select(FileInfo)
        .join(Post, Post.id == FileInfo.post_id)
        .where(FileInfo.channel_id == channel_id, FileInfo.delete_at == 0, Post.delete_at == 0)
        .order_by(FileInfo.create_at.desc(), FileInfo.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def total_size_by_user(session: AsyncSession, user_id: str) -> int:
    """Bytes of the user's live files (attached or not): what the upload quota counts."""
    stmt = select(func.coalesce(func.sum(FileInfo.size), 0)).where(FileInfo.creator_id == user_id, FileInfo.delete_at == 0)
    return int((await session.execute(stmt)).scalar_one())


async def count_channel_files(session: AsyncSession, channel_id: str) -> int:
    stmt = (
        select(func.count())
        .select_from(FileInfo)
        .join(Post, Post.id == FileInfo.post_id)
        .where(FileInfo.channel_id == channel_id, FileInfo.delete_at == 0, Post.delete_at == 0)
    )
    return int((await session.execute(stmt)).scalar_one())


async def attachable(session: AsyncSession, ids: Sequence[str], user_id: str, channel_id: str) -> list[FileInfo]:
    """The files among `ids` that this user uploaded to this channel and no post holds yet, in `ids` order."""
    found = {
        f.id: f for f in await get_files_by_ids(session, ids) if f.creator_id == user_id and f.channel_id == channel_id and not f.post_id and not f.delete_at
    }
    return [found[i] for i in dict.fromkeys(ids) if i in found]


async def hide_files_of_posts(session: AsyncSession, post_id: str, at: int) -> None:
    """A deleted post hides its files, and those of its replies (which are deleted with it)."""
    replies = select(Post.id).where(Post.root_id == post_id)
    stmt = update(FileInfo).where(or_(FileInfo.post_id == post_id, FileInfo.post_id.in_(replies)), FileInfo.delete_at == 0).values(delete_at=at, update_at=at)
    await session.execute(stmt, execution_options=NO_SYNC)
