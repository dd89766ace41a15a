"""Sidebar categories: a user's per-team grouping of channels (favorites, channels, direct messages, custom).

Rows store only explicit placements; which channels appear where is derived at read time by the actions
(see actions/categories.py) from these rows and the user's channel memberships.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Channel, ChannelMember, SidebarCategory
from kafana.store.dialect import insert_ignore


@dataclass(frozen=True, slots=True)
class SidebarChannel:
    id: str
    type: str
    team_id: str


async def get_categories(session: AsyncSession, user_id: str, team_id: str, *, for_update: bool = False) -> list[SidebarCategory]:
    """The user's categories in a team, in sidebar order."""
    stmt = select(SidebarCategory).where(SidebarCategory.user_id == user_id, SidebarCategory.team_id == team_id)
    stmt = stmt.order_by(SidebarCategory.sort_order, SidebarCategory.id)
    if for_update:
        stmt = stmt.with_for_update()
    return list((await session.execute(stmt)).scalars())


async def get_categories_of_type(session: AsyncSession, user_id: str, type: str) -> list[SidebarCategory]:
    """One user's categories of one type in every team (e.g. every Favorites)."""
    stmt = select(SidebarCategory).where(SidebarCategory.user_id == user_id, SidebarCategory.type == type).order_by(SidebarCategory.team_id)
    return list((await session.execute(stmt)).scalars())


async def insert_categories(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows whose id is not taken yet (default categories have fixed ids, so this is idempotent)."""
    return await insert_ignore(session, SidebarCategory.__table__, rows, ["id"])


async def delete_category(session: AsyncSession, category_id: str) -> None:
    await session.execute(delete(SidebarCategory).where(SidebarCategory.id == category_id))


async def get_sidebar_channels(session: AsyncSession, user_id: str, team_id: str) -> list[SidebarChannel]:
    """The channels the user is a member of in the team, plus their DMs and GMs, by display name. Archived
    channels stay in their categories, as in Mattermost (clients hide them; archiving changes no category)."""
    stmt = (
        select(Channel.id, Channel.type, Channel.team_id)
        .join(ChannelMember, and_(ChannelMember.channel_id == Channel.id, ChannelMember.user_id == user_id))
        .where(
            or_(and_(Channel.team_id == team_id, Channel.type.in_(["O", "P"])), and_(Channel.team_id == "", Channel.type.in_(["D", "G"]))),
        )
        .order_by(Channel.display_name, Channel.name, Channel.id)
    )
    return [SidebarChannel(r[0], r[1], r[2]) for r in (await session.execute(stmt)).all()]
