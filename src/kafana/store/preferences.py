"""Preferences (Mattermost's per-user key/value settings) and the saved ("flagged") posts kept among them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Channel, Post, Preference
from kafana.store.dialect import upsert

FLAGGED_POST = "flagged_post"
FAVORITE_CHANNEL = "favorite_channel"


async def get_preferences(session: AsyncSession, user_id: str, *, category: str = "", name: str | None = None) -> list[Preference]:
    """The user's preferences, all or one category (and one name), in a stable order."""
    stmt = select(Preference).where(Preference.user_id == user_id)
    if category:
        stmt = stmt.where(Preference.category == category)
    if name is not None:
        stmt = stmt.where(Preference.name == name)
    return list((await session.execute(stmt.order_by(Preference.category, Preference.name))).scalars())


async def get_value_for_users(session: AsyncSession, user_ids: Sequence[str], category: str, name: str) -> dict[str, str]:
    """One preference of many users: {user_id: value} for those who set it."""
    if not user_ids:
        return {}
    stmt = select(Preference.user_id, Preference.value).where(Preference.user_id.in_(list(user_ids)), Preference.category == category, Preference.name == name)
    return {user_id: value for user_id, value in (await session.execute(stmt)).all()}


async def get_preference_names(session: AsyncSession, user_id: str, category: str, *, value: str | None = None) -> list[str]:
    stmt = select(Preference.name).where(Preference.user_id == user_id, Preference.category == category)
    if value is not None:
        stmt = stmt.where(Preference.value == value)
    return list((await session.execute(stmt)).scalars())


async def save_preferences(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Upsert on (user_id, category, name). Callers pass each key once (PostgreSQL refuses a key twice per statement)."""
    await upsert(session, Preference.__table__, rows, ["user_id", "category", "name"], ["value"])


async def delete_preferences(session: AsyncSession, user_id: str, keys: Sequence[tuple[str, str]]) -> None:
    """Delete (category, name) pairs of one user."""
    if not keys:
        return
    await session.execute(delete(Preference).where(Preference.user_id == user_id, tuple_(Preference.category, Preference.name).in_(list(set(keys)))))


async def get_flagged_post_ids(session: AsyncSession, user_id: str, *, channel_id: str = "", team_id: str = "", offset: int = 0, limit: int = 60) -> list[str]:
    """Live posts the user saved, newest first; `team_id` also keeps their DMs and GMs (as Mattermost does).

    Whether the user may still read each post is for the caller to decide (access checks), not this query.
    """
    stmt = (
        select(Post.id)
        .join(Preference, and_(Preference.name == Post.id, Preference.user_id == user_id, Preference.category == FLAGGED_POST))
        .where(Post.delete_at == 0, Preference.value == "true")
    )
    if channel_id:
        stmt = stmt.where(Post.channel_id == channel_id)
    elif team_id:
        stmt = stmt.join(Channel, Channel.id == Post.channel_id).where(or_(Channel.team_id == team_id, Channel.team_id == ""))
    stmt = stmt.order_by(Post.create_at.desc(), Post.id.desc()).offset(offset).limit(limit)
    return list((await session.execute(stmt)).scalars())
