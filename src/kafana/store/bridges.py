"""Bridges and their message map."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Bridge, BridgeMessage
from kafana.store.dialect import insert_ignore


async def get_bridge(session: AsyncSession, bridge_id: str) -> Bridge | None:
    return await session.get(Bridge, bridge_id)


async def list_bridges(session: AsyncSession, *, enabled_only: bool = False) -> list[Bridge]:
    stmt = select(Bridge).order_by(Bridge.create_at, Bridge.id)
    if enabled_only:
        stmt = stmt.where(Bridge.enabled.is_(True))
    return list((await session.execute(stmt)).scalars())


async def delete_bridge(session: AsyncSession, bridge_id: str) -> None:
    await session.execute(delete(BridgeMessage).where(BridgeMessage.bridge_id == bridge_id))
    await session.execute(delete(Bridge).where(Bridge.id == bridge_id))


async def set_state(session: AsyncSession, bridge_id: str, state: dict[str, Any]) -> None:
    """The worker's cursor; `update_at` stays (it marks changes of the config, which restart the worker)."""
    await session.execute(update(Bridge).where(Bridge.id == bridge_id).values(state=state))


async def map_messages(session: AsyncSession, bridge_id: str, post_id: str, remote_ids: Sequence[str], now: int) -> None:
    rows = [{"bridge_id": bridge_id, "post_id": post_id, "remote_id": remote_id, "create_at": now} for remote_id in remote_ids]
    await insert_ignore(session, BridgeMessage.__table__, rows, ["bridge_id", "post_id", "remote_id"])


async def remote_ids(session: AsyncSession, bridge_id: str, post_id: str) -> list[str]:
    stmt = select(BridgeMessage.remote_id).where(BridgeMessage.bridge_id == bridge_id, BridgeMessage.post_id == post_id).order_by(BridgeMessage.create_at)
    return list((await session.execute(stmt)).scalars())


async def post_id_for(session: AsyncSession, bridge_id: str, remote_id: str) -> str | None:
    stmt = select(BridgeMessage.post_id).where(BridgeMessage.bridge_id == bridge_id, BridgeMessage.remote_id == remote_id).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()
