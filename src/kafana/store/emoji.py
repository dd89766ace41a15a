"""Custom emoji rows (live ones have delete_at = 0)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Emoji


async def get_emoji(session: AsyncSession, emoji_id: str) -> Emoji | None:
    emoji = await session.get(Emoji, emoji_id)
    return emoji if emoji is not None and not emoji.delete_at else None


async def get_emoji_by_name(session: AsyncSession, name: str) -> Emoji | None:
    stmt = select(Emoji).where(Emoji.name == name, Emoji.delete_at == 0)
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_emoji_by_names(session: AsyncSession, names: Sequence[str]) -> list[Emoji]:
    if not names:
        return []
    stmt = select(Emoji).where(Emoji.name.in_(list(set(names))), Emoji.delete_at == 0).order_by(Emoji.name)
    return list((await session.execute(stmt)).scalars())


async def list_emoji(session: AsyncSession, offset: int, limit: int, *, by_name: bool) -> list[Emoji]:
    order = (Emoji.name,) if by_name else (Emoji.create_at, Emoji.id)
    stmt = select(Emoji).where(Emoji.delete_at == 0).order_by(*order).offset(offset).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def search_emoji(session: AsyncSession, term: str, limit: int, *, prefix_only: bool) -> list[Emoji]:
    """Names starting with `term` (or containing it), case-insensitively; `%` and `_` match themselves."""
    escaped = term.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"{escaped}%" if prefix_only else f"%{escaped}%"
    stmt = select(Emoji).where(Emoji.delete_at == 0, func.lower(Emoji.name).like(pattern, escape="\\")).order_by(Emoji.name).limit(limit)
    return list((await session.execute(stmt)).scalars())
