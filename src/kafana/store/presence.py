"""Presence rows: which node has open WebSockets for which user, and when that node last said so."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Presence
from kafana.store.dialect import upsert


async def mark(session: AsyncSession, node_id: str, user_ids: Sequence[str], now: int) -> None:
    """These users have sockets on this node as of `now` (insert or refresh)."""
    rows = [{"user_id": u, "node_id": node_id, "seen_at": now} for u in user_ids]
    await upsert(session, Presence.__table__, rows, ["user_id", "node_id"], ["seen_at"])


async def unmark(session: AsyncSession, node_id: str, user_id: str) -> None:
    await session.execute(delete(Presence).where(Presence.user_id == user_id, Presence.node_id == node_id))


async def present(session: AsyncSession, user_ids: Sequence[str]) -> set[str]:
    """Those of `user_ids` with sockets on any node."""
    if not user_ids:
        return set()
    stmt = select(Presence.user_id).where(Presence.user_id.in_(list(set(user_ids)))).distinct()
    return set((await session.execute(stmt)).scalars())


async def remove_stale(session: AsyncSession, seen_before: int) -> set[str]:
    """Delete the rows of nodes that stopped beating; returns their users."""
    stale = (await session.execute(select(Presence.user_id).where(Presence.seen_at < seen_before))).scalars()
    users = set(stale)
    if users:
        await session.execute(delete(Presence).where(Presence.seen_at < seen_before))
    return users
