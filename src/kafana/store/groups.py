"""Custom user groups and their members."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import GroupMember, UserGroup
from kafana.store.dialect import insert_ignore


async def get_group(session: AsyncSession, group_id: str) -> UserGroup | None:
    return await session.get(UserGroup, group_id)


async def get_group_by_name(session: AsyncSession, name: str) -> UserGroup | None:
    return (await session.execute(select(UserGroup).where(UserGroup.name == name.lower()))).scalar_one_or_none()


async def members_of_named(session: AsyncSession, names: Sequence[str]) -> dict[str, set[str]]:
    """user id -> names of the live, mentionable groups among `names` that the user belongs to."""
    if not names:
        return {}
    stmt = (
        select(GroupMember.user_id, UserGroup.name)
        .join(UserGroup, UserGroup.id == GroupMember.group_id)
        .where(UserGroup.name.in_(list(names)), UserGroup.delete_at == 0, UserGroup.allow_reference.is_(True))
    )
    out: dict[str, set[str]] = {}
    for user_id, name in (await session.execute(stmt)).all():
        out.setdefault(user_id, set()).add(name)
    return out


async def member_counts(session: AsyncSession, group_ids: Sequence[str]) -> dict[str, int]:
    if not group_ids:
        return {}
    stmt = select(GroupMember.group_id, func.count()).where(GroupMember.group_id.in_(list(group_ids))).group_by(GroupMember.group_id)
    return {gid: int(n) for gid, n in (await session.execute(stmt)).all()}


async def add_members(session: AsyncSession, group_id: str, user_ids: Sequence[str], at: int) -> None:
    rows = [{"group_id": group_id, "user_id": uid, "create_at": at} for uid in dict.fromkeys(user_ids)]
    if rows:
        await insert_ignore(session, GroupMember.__table__, rows, ["group_id", "user_id"])


async def remove_members(session: AsyncSession, group_id: str, user_ids: Sequence[str]) -> None:
    if user_ids:
        await session.execute(delete(GroupMember).where(GroupMember.group_id == group_id, GroupMember.user_id.in_(list(user_ids))))


async def member_ids(session: AsyncSession, group_id: str) -> list[str]:
    stmt = select(GroupMember.user_id).where(GroupMember.group_id == group_id).order_by(GroupMember.user_id)
    return list((await session.execute(stmt)).scalars())


async def groups_of(session: AsyncSession, user_id: str) -> list[UserGroup]:
    """The live groups the user belongs to."""
    stmt = (
        select(UserGroup)
        .join(GroupMember, GroupMember.group_id == UserGroup.id)
        .where(GroupMember.user_id == user_id, UserGroup.delete_at == 0)
        .order_by(UserGroup.display_name, UserGroup.id)
    )
    return list((await session.execute(stmt)).scalars())
