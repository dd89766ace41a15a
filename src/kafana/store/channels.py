"""Channels and channel members."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import Exists

from kafana.models import Channel, ChannelMember, Team, TeamMember, User
from kafana.store import NO_SYNC
from kafana.store.dialect import ilike_contains, ilike_prefix


async def get_channel(session: AsyncSession, channel_id: str) -> Channel | None:
    return await session.get(Channel, channel_id)


async def get_channel_with_memberships(session: AsyncSession, channel_id: str, user_id: str) -> tuple[Channel, ChannelMember | None, TeamMember | None] | None:
    """A channel with the user's channel membership and team membership (either may be missing)."""
    stmt = (
        select(Channel, ChannelMember, TeamMember)
        .outerjoin(ChannelMember, and_(ChannelMember.channel_id == Channel.id, ChannelMember.user_id == user_id))
        .outerjoin(TeamMember, and_(TeamMember.team_id == Channel.team_id, TeamMember.user_id == user_id))
        .where(Channel.id == channel_id)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1], row[2])


async def get_channel_for_update(session: AsyncSession, channel_id: str) -> Channel | None:
    """Row-locked on PostgreSQL; SQLite's writer already holds the database lock (BEGIN IMMEDIATE)."""
    stmt = select(Channel).where(Channel.id == channel_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_channel_by_name(session: AsyncSession, team_id: str, name: str) -> Channel | None:
    stmt = select(Channel).where(Channel.team_id == team_id, Channel.name == name.lower())
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_channel_member(session: AsyncSession, channel_id: str, user_id: str) -> ChannelMember | None:
    return await session.get(ChannelMember, (channel_id, user_id))


async def get_channels_by_ids(session: AsyncSession, channel_ids: Sequence[str]) -> list[Channel]:
    if not channel_ids:
        return []
    return list((await session.execute(select(Channel).where(Channel.id.in_(list(channel_ids))))).scalars())


async def get_user_memberships(session: AsyncSession, user_id: str, channel_ids: Sequence[str]) -> list[ChannelMember]:
    """The user's memberships among these channels (those they are not in are left out)."""
    if not channel_ids:
        return []
    stmt = select(ChannelMember).where(ChannelMember.user_id == user_id, ChannelMember.channel_id.in_(list(channel_ids)))
    return list((await session.execute(stmt)).scalars())


async def get_channel_member_ids(session: AsyncSession, channel_id: str) -> list[str]:
    stmt = select(ChannelMember.user_id).where(ChannelMember.channel_id == channel_id)
    return list((await session.execute(stmt)).scalars())


async def get_members_for_channels(session: AsyncSession, channel_ids: Sequence[str]) -> list[ChannelMember]:
    if not channel_ids:
        return []
    stmt = select(ChannelMember).where(ChannelMember.channel_id.in_(list(channel_ids)))
    return list((await session.execute(stmt)).scalars())


async def get_channel_totals(session: AsyncSession, channel_id: str) -> tuple[int, int]:
    """(total_msg_count, total_msg_count_root) as stored now (post counters skip the ORM's copies)."""
    stmt = select(Channel.total_msg_count, Channel.total_msg_count_root).where(Channel.id == channel_id)
    row = (await session.execute(stmt)).one_or_none()
    return (int(row[0]), int(row[1])) if row is not None else (0, 0)


async def get_team_channels(
    session: AsyncSession, team_id: str, *, types: Sequence[str] = ("O",), deleted: bool = False, offset: int = 0, limit: int = 60
) -> list[Channel]:
    """Channels of a team by type, live or archived, ordered by display name (Mattermost's order)."""
    stmt = select(Channel).where(Channel.team_id == team_id, Channel.type.in_(list(types)), (Channel.delete_at != 0) if deleted else (Channel.delete_at == 0))
    stmt = stmt.order_by(Channel.display_name, Channel.id).offset(offset).limit(limit)
    return list((await session.execute(stmt)).scalars())


def _is_member(user_id: str) -> Exists:
    return exists().where(and_(ChannelMember.channel_id == Channel.id, ChannelMember.user_id == user_id))


async def get_deleted_channels(session: AsyncSession, team_id: str, member_id: str | None, offset: int, limit: int) -> list[Channel]:
    """Archived channels: public ones, and private ones `member_id` belongs to (all of them when None)."""
    stmt = select(Channel).where(Channel.team_id == team_id, Channel.delete_at != 0, Channel.type.in_(["O", "P"]))
    if member_id is not None:
        stmt = stmt.where(or_(Channel.type == "O", _is_member(member_id)))
    stmt = stmt.order_by(Channel.display_name, Channel.id).offset(offset).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def get_channels_for_user(
    session: AsyncSession, user_id: str, *, team_id: str | None = None, include_deleted: bool = False, last_delete_at: int = 0
) -> list[Channel]:
    """The channels the user is a member of; with `team_id`, that team's plus every DM and GM."""
    stmt = select(Channel).join(ChannelMember, ChannelMember.channel_id == Channel.id).where(ChannelMember.user_id == user_id)
    if team_id is not None:
        stmt = stmt.where(or_(Channel.team_id == team_id, Channel.team_id == ""))
    if not include_deleted:
        stmt = stmt.where(Channel.delete_at == 0)
    elif last_delete_at:
        stmt = stmt.where(or_(Channel.delete_at == 0, Channel.delete_at > last_delete_at))
    return list((await session.execute(stmt.order_by(Channel.display_name, Channel.id))).scalars())


async def get_channel_members_for_user(
    session: AsyncSession, user_id: str, *, team_id: str | None = None, offset: int = 0, limit: int = 0
) -> list[ChannelMember]:
    stmt = select(ChannelMember).where(ChannelMember.user_id == user_id)
    if team_id is not None:
        stmt = stmt.join(Channel, Channel.id == ChannelMember.channel_id).where(or_(Channel.team_id == team_id, Channel.team_id == ""))
    stmt = stmt.order_by(ChannelMember.channel_id)
    if limit:
        stmt = stmt.offset(offset).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def get_team_memberships(session: AsyncSession, team_id: str, user_id: str) -> list[ChannelMember]:
    """The user's memberships in the team's channels (not DMs/GMs)."""
    stmt = (
        select(ChannelMember)
        .join(Channel, Channel.id == ChannelMember.channel_id)
        .where(ChannelMember.user_id == user_id, Channel.team_id == team_id)
        .order_by(ChannelMember.channel_id)
    )
    return list((await session.execute(stmt)).scalars())


async def get_channel_members(session: AsyncSession, channel_id: str, offset: int, limit: int) -> list[ChannelMember]:
    stmt = select(ChannelMember).where(ChannelMember.channel_id == channel_id).order_by(ChannelMember.user_id).offset(offset).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def get_channel_members_by_ids(session: AsyncSession, channel_id: str, user_ids: Sequence[str]) -> list[ChannelMember]:
    if not user_ids:
        return []
    stmt = select(ChannelMember).where(ChannelMember.channel_id == channel_id, ChannelMember.user_id.in_(list(set(user_ids)))).order_by(ChannelMember.user_id)
    return list((await session.execute(stmt)).scalars())


async def count_channel_members(session: AsyncSession, channel_id: str) -> tuple[int, int]:
    """(members whose account is active, of which guests)."""
    stmt = (
        select(func.count(), func.count().filter(ChannelMember.scheme_guest.is_(True)))
        .select_from(ChannelMember)
        .join(User, User.id == ChannelMember.user_id)
        .where(ChannelMember.channel_id == channel_id, User.delete_at == 0)
    )
    total, guests = (await session.execute(stmt)).one()
    return int(total), int(guests)


async def delete_channel_member(session: AsyncSession, channel_id: str, user_id: str) -> None:
    await session.execute(delete(ChannelMember).where(ChannelMember.channel_id == channel_id, ChannelMember.user_id == user_id))


async def search_channels(
    session: AsyncSession, team_id: str, term: str, *, member_id: str | None = None, prefix: bool = False, include_private: bool = False, limit: int = 100
) -> list[Channel]:
    """Live channels of a team whose name or display name matches `term`: public ones, and with
    `include_private` private ones too (only those `member_id` belongs to, unless it is None)."""
    match = ilike_prefix if prefix else ilike_contains
    stmt = select(Channel).where(Channel.team_id == team_id, Channel.delete_at == 0)
    if term:
        stmt = stmt.where(or_(match(Channel.name, term), match(Channel.display_name, term)))
    if not include_private:
        stmt = stmt.where(Channel.type == "O")
    elif member_id is None:
        stmt = stmt.where(Channel.type.in_(["O", "P"]))
    else:
        stmt = stmt.where(or_(Channel.type == "O", and_(Channel.type == "P", _is_member(member_id))))
    stmt = stmt.order_by(Channel.display_name, Channel.id).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def mark_viewed(session: AsyncSession, user_id: str, channel_ids: Sequence[str], at: int) -> list[str]:
    """The member has seen everything in these channels; returns the ids where the user is a member."""
    if not channel_ids:
        return []
    member_of = ChannelMember.user_id == user_id, ChannelMember.channel_id.in_(list(channel_ids))
    ids = list((await session.execute(select(ChannelMember.channel_id).where(*member_of))).scalars())
    await set_caught_up(session, user_id, ids, at)
    return ids


async def set_caught_up(session: AsyncSession, user_id: str, channel_ids: Sequence[str], at: int) -> None:
    """Seen counts := the channels' totals, mentions cleared (a no-op where the user is not a member)."""
    if not channel_ids:
        return
    total = select(Channel.total_msg_count).where(Channel.id == ChannelMember.channel_id).scalar_subquery()
    total_root = select(Channel.total_msg_count_root).where(Channel.id == ChannelMember.channel_id).scalar_subquery()
    await session.execute(
        update(ChannelMember)
        .where(ChannelMember.user_id == user_id, ChannelMember.channel_id.in_(list(channel_ids)))
        .values(
            msg_count=total,
            msg_count_root=total_root,
            mention_count=0,
            mention_count_root=0,
            urgent_mention_count=0,
            last_viewed_at=at,
            last_update_at=at,
        ),
        execution_options=NO_SYNC,
    )


async def share_a_channel(session: AsyncSession, user_a: str, user_b: str) -> bool:
    """Whether two users are both members of some team channel (direct and group messages do not count)."""
    mine = aliased(ChannelMember)
    theirs = aliased(ChannelMember)
    stmt = (
        select(mine.channel_id)
        .join(theirs, theirs.channel_id == mine.channel_id)
        .join(Channel, Channel.id == mine.channel_id)
        .where(mine.user_id == user_a, theirs.user_id == user_b, Channel.team_id != "", Channel.delete_at == 0)
        .limit(1)
    )
    return (await session.execute(stmt)).first() is not None


async def channel_mates(session: AsyncSession, user_id: str) -> set[str]:
    """Everyone who shares a channel (team channel, direct or group message) with `user_id`, themself included."""
    mine = select(ChannelMember.channel_id).where(ChannelMember.user_id == user_id)
    stmt = select(ChannelMember.user_id).where(ChannelMember.channel_id.in_(mine)).distinct()
    return set((await session.execute(stmt)).scalars()) | {user_id}


async def search_all_channels(
    session: AsyncSession, term: str, *, team_ids: Sequence[str] = (), deleted: bool | None = False, offset: int = 0, limit: int = 100
) -> list[tuple[Channel, Team]]:
    """Public and private channels of every team (or of `team_ids`) whose name or display name contains `term`,
    with their team: the system console's list. `deleted`: archived only (True), live only (False), both (None)."""
    stmt = select(Channel, Team).join(Team, Team.id == Channel.team_id).where(Channel.type.in_(["O", "P"]))
    if term:
        stmt = stmt.where(or_(ilike_contains(Channel.name, term), ilike_contains(Channel.display_name, term)))
    if team_ids:
        stmt = stmt.where(Channel.team_id.in_(list(team_ids)))
    if deleted is not None:
        stmt = stmt.where((Channel.delete_at != 0) if deleted else (Channel.delete_at == 0))
    stmt = stmt.order_by(Team.display_name, Channel.display_name, Channel.id).offset(offset).limit(limit)
    return [(channel, team) for channel, team in (await session.execute(stmt)).all()]


async def members_outside_team(session: AsyncSession, channel_id: str, team_id: str) -> list[str]:
    """The channel's members who are not active members of `team_id` (a channel moving there would lose them)."""
    in_team = exists().where(TeamMember.team_id == team_id, TeamMember.user_id == ChannelMember.user_id, TeamMember.delete_at == 0)
    stmt = select(ChannelMember.user_id).where(ChannelMember.channel_id == channel_id, ~in_team).order_by(ChannelMember.user_id)
    return list((await session.execute(stmt)).scalars())
