"""Channels and channel members."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Channel, ChannelMember


async def get_channel(session: AsyncSession, channel_id: str) -> Channel | None:
    return await session.get(Channel, channel_id)


async def get_channel_for_update(session: AsyncSession, channel_id: str) -> Channel | None:
    """Row-locked on PostgreSQL; SQLite's writer already holds the database lock (BEGIN IMMEDIATE)."""
    stmt = select(Channel).where(Channel.id == channel_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_channel_by_name(session: AsyncSession, team_id: str, name: str) -> Channel | None:
    stmt = select(Channel).where(Channel.team_id == team_id, Channel.name == name.lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_channel_member(session: AsyncSession, channel_id: str, user_id: str) -> ChannelMember | None:
    return await session.get(ChannelMember, (channel_id, user_id))


async def get_channel_member_ids(session: AsyncSession, channel_id: str) -> list[str]:
    stmt = select(ChannelMember.user_id).where(ChannelMember.channel_id == channel_id)
    return list((await session.execute(stmt)).scalars())


async def get_members_for_channels(session: AsyncSession, channel_ids: Sequence[str]) -> list[ChannelMember]:
    if not channel_ids:
        return []
    stmt = select(ChannelMember).where(ChannelMember.channel_id.in_(list(channel_ids)))
    return list((await session.execute(stmt)).scalars())
