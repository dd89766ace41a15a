"""Emoji reactions on posts. Bulk reads for post lists are `store.posts.get_reactions_for_posts`."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Post, Reaction
from kafana.store.dialect import insert_ignore


async def lock_post(session: AsyncSession, post_id: str) -> Post | None:
    """The post, row-locked on PostgreSQL so that concurrent reactions count distinct emoji one at a time
    (SQLite's writer already holds the database lock)."""
    return (await session.execute(select(Post).where(Post.id == post_id).with_for_update())).scalar_one_or_none()


async def get_reactions_for_post(session: AsyncSession, post_id: str) -> list[Reaction]:
    stmt = select(Reaction).where(Reaction.post_id == post_id).order_by(Reaction.create_at, Reaction.user_id, Reaction.emoji_name)
    return list((await session.execute(stmt)).scalars())


async def emoji_on_post(session: AsyncSession, post_id: str, emoji_name: str) -> bool:
    stmt = select(Reaction.user_id).where(Reaction.post_id == post_id, Reaction.emoji_name == emoji_name).limit(1)
    return (await session.execute(stmt)).first() is not None


async def count_distinct_emoji(session: AsyncSession, post_id: str) -> int:
    stmt = select(func.count(func.distinct(Reaction.emoji_name))).where(Reaction.post_id == post_id)
    return int((await session.execute(stmt)).scalar_one())


async def add_reaction(session: AsyncSession, reaction: Reaction) -> bool:
    """Insert unless the same user already reacted with the same emoji; returns whether a row was added."""
    row = {
        "post_id": reaction.post_id,
        "user_id": reaction.user_id,
        "emoji_name": reaction.emoji_name,
        "channel_id": reaction.channel_id,
        "create_at": reaction.create_at,
    }
    return await insert_ignore(session, Reaction.__table__, [row], ["post_id", "user_id", "emoji_name"]) > 0


async def get_reaction(session: AsyncSession, post_id: str, user_id: str, emoji_name: str) -> Reaction | None:
    return await session.get(Reaction, (post_id, user_id, emoji_name))


async def remove_reaction(session: AsyncSession, post_id: str, user_id: str, emoji_name: str) -> None:
    await session.execute(delete(Reaction).where(Reaction.post_id == post_id, Reaction.user_id == user_id, Reaction.emoji_name == emoji_name))


async def has_reactions(session: AsyncSession, post_id: str) -> bool:
    return (await session.execute(select(Reaction.user_id).where(Reaction.post_id == post_id).limit(1))).first() is not None
