"""One-time tokens that email links carry (verification, password reset), stored as SHA-256."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import UserToken


async def take(session: AsyncSession, token_hash: str, kind: str) -> UserToken | None:
    """Use up a token (DELETE … RETURNING: of two concurrent uses only one gets it), expired or not: the caller
    checks `expires_at`."""
    cols = (UserToken.user_id, UserToken.email, UserToken.create_at, UserToken.expires_at)
    stmt = delete(UserToken).where(UserToken.token_hash == token_hash, UserToken.kind == kind).returning(*cols)
    row = (await session.execute(stmt)).first()
    if row is None:
        return None
    return UserToken(token_hash=token_hash, kind=kind, user_id=row[0], email=row[1], create_at=row[2], expires_at=row[3])


async def drop_for_user(session: AsyncSession, user_id: str, kind: str) -> None:
    await session.execute(delete(UserToken).where(UserToken.user_id == user_id, UserToken.kind == kind))


async def drop_expired(session: AsyncSession, now: int) -> None:
    await session.execute(delete(UserToken).where(UserToken.expires_at < now))
