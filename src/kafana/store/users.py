"""Users, sessions, access tokens, statuses."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import AccessToken, ChannelMember, GroupMember, Session, Status, TeamMember, User
from kafana.store.dialect import ilike_prefix


async def get_user(session: AsyncSession, user_id: str, *, for_update: bool = False) -> User | None:
    """`for_update` locks the row on PostgreSQL (SQLite's one writer already serializes writes)."""
    return await session.get(User, user_id, with_for_update=for_update or None)


async def get_user_by_username(session: AsyncSession, username: str) -> User | None:
    return (await session.execute(select(User).where(User.username == username.lower()))).scalar_one_or_none()


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.execute(select(User).where(func.lower(User.email) == email.lower()))).scalar_one_or_none()


async def get_user_by_login(session: AsyncSession, login_id: str) -> User | None:
    login = login_id.strip().lower()
    stmt = select(User).where(or_(User.username == login, func.lower(User.email) == login))
    return (await session.execute(stmt)).scalars().first()


async def get_users_by_ids(session: AsyncSession, ids: Sequence[str], since: int = 0) -> list[User]:
    if not ids:
        return []
    stmt = select(User).where(User.id.in_(list(set(ids))))
    if since:
        stmt = stmt.where(User.update_at > since)
    return list((await session.execute(stmt.order_by(User.username))).scalars())


async def get_users_by_usernames(session: AsyncSession, names: Sequence[str]) -> list[User]:
    if not names:
        return []
    stmt = select(User).where(User.username.in_([n.lower() for n in names])).order_by(User.username)
    return list((await session.execute(stmt)).scalars())


async def count_users(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(User))).scalar_one())


async def list_users(
    session: AsyncSession,
    *,
    in_team: str = "",
    not_in_team: str = "",
    in_channel: str = "",
    not_in_channel: str = "",
    in_group: str = "",
    without_team: bool = False,
    active: bool | None = None,
    visible_team_ids: Sequence[str] | None = None,
    term: str = "",
    term_matches_email: bool = False,
    sort: str = "",
    offset: int = 0,
    limit: int = 60,
) -> list[User]:
    """The filters of GET /users. `visible_team_ids` limits results to users sharing one of those teams.
    `term` matches emails only with `term_matches_email` (for those who may see them: otherwise a search
    would tell whose address starts with what)."""
    stmt = select(User)
    if in_team:
        stmt = stmt.where(exists().where(and_(TeamMember.user_id == User.id, TeamMember.team_id == in_team, TeamMember.delete_at == 0)))
    if not_in_team:
        stmt = stmt.where(~exists().where(and_(TeamMember.user_id == User.id, TeamMember.team_id == not_in_team, TeamMember.delete_at == 0)))
    if in_channel:
        stmt = stmt.where(exists().where(and_(ChannelMember.user_id == User.id, ChannelMember.channel_id == in_channel)))
    if not_in_channel:
        stmt = stmt.where(~exists().where(and_(ChannelMember.user_id == User.id, ChannelMember.channel_id == not_in_channel)))
    if in_group:
        stmt = stmt.where(exists().where(and_(GroupMember.user_id == User.id, GroupMember.group_id == in_group)))
    if without_team:
        stmt = stmt.where(~exists().where(and_(TeamMember.user_id == User.id, TeamMember.delete_at == 0)))
    if visible_team_ids is not None:
        stmt = stmt.where(exists().where(and_(TeamMember.user_id == User.id, TeamMember.team_id.in_(list(visible_team_ids)), TeamMember.delete_at == 0)))
    if active is True:
        stmt = stmt.where(User.delete_at == 0)
    elif active is False:
        stmt = stmt.where(User.delete_at != 0)
    if term:
        t = term.lstrip("@")
        fields = [User.username, User.first_name, User.last_name, User.nickname, *([User.email] if term_matches_email else [])]
        stmt = stmt.where(or_(*(ilike_prefix(f, t) for f in fields)))
    if sort == "create_at":
        stmt = stmt.order_by(User.create_at.desc(), User.id)
    elif sort == "last_activity_at":
        stmt = stmt.order_by(User.last_activity_at.desc(), User.id)
    else:
        stmt = stmt.order_by(User.username)
    return list((await session.execute(stmt.offset(offset).limit(limit))).scalars())


async def shares_team_or_channel(session: AsyncSession, a: str, b: str) -> bool:
    """Whether two users can see each other: a common team or a common channel."""
    tm1, tm2 = TeamMember.__table__.alias(), TeamMember.__table__.alias()
    q1 = (
        select(tm1.c.team_id)
        .join(tm2, tm1.c.team_id == tm2.c.team_id)
        .where(tm1.c.user_id == a, tm2.c.user_id == b, tm1.c.delete_at == 0, tm2.c.delete_at == 0)
    )
    if (await session.execute(q1.limit(1))).first() is not None:
        return True
    cm1, cm2 = ChannelMember.__table__.alias(), ChannelMember.__table__.alias()
    q2 = select(cm1.c.channel_id).join(cm2, cm1.c.channel_id == cm2.c.channel_id).where(cm1.c.user_id == a, cm2.c.user_id == b)
    return (await session.execute(q2.limit(1))).first() is not None


# Sessions and tokens ---------------------------------------------------------------------------------


async def get_session_by_token_hash(session: AsyncSession, token_hash: str) -> Session | None:
    return (await session.execute(select(Session).where(Session.token_hash == token_hash))).scalar_one_or_none()


async def get_sessions_for_user(session: AsyncSession, user_id: str) -> list[Session]:
    stmt = select(Session).where(Session.user_id == user_id, Session.access_token_id == "").order_by(Session.last_activity_at.desc())
    return list((await session.execute(stmt)).scalars())


async def delete_sessions_for_user(session: AsyncSession, user_id: str, *, keep_session_id: str = "") -> list[str]:
    """Remove a user's login sessions (not token sessions); returns the removed token hashes."""
    cond = [Session.user_id == user_id]
    if keep_session_id:
        cond.append(Session.id != keep_session_id)
    hashes = list((await session.execute(select(Session.token_hash).where(*cond))).scalars())
    await session.execute(delete(Session).where(*cond))
    return hashes


async def delete_session(session: AsyncSession, user_id: str, session_id: str) -> str | None:
    """Remove one of `user_id`'s login sessions; its token hash, or None when there is no such session."""
    cond = (Session.id == session_id, Session.user_id == user_id, Session.access_token_id == "")
    found = (await session.execute(select(Session.token_hash).where(*cond))).scalar_one_or_none()
    if found is not None:
        await session.execute(delete(Session).where(*cond))
    return found


async def delete_all_sessions(session: AsyncSession) -> list[str]:
    """Every login session of every user (an admin's emergency logout); returns the token hashes."""
    hashes = list((await session.execute(select(Session.token_hash))).scalars())
    await session.execute(delete(Session))
    return hashes


async def delete_sessions_for_device(session: AsyncSession, user_id: str, device_id: str) -> None:
    await session.execute(delete(Session).where(Session.user_id == user_id, Session.device_id == device_id))


async def get_access_token(session: AsyncSession, token_id: str) -> AccessToken | None:
    return await session.get(AccessToken, token_id)


async def get_access_token_by_hash(session: AsyncSession, token_hash: str) -> AccessToken | None:
    return (await session.execute(select(AccessToken).where(AccessToken.token_hash == token_hash))).scalar_one_or_none()


async def get_access_tokens_for_user(session: AsyncSession, user_id: str, offset: int, limit: int) -> list[AccessToken]:
    stmt = select(AccessToken).where(AccessToken.user_id == user_id).order_by(AccessToken.create_at).offset(offset).limit(limit)
    return list((await session.execute(stmt)).scalars())


# Statuses --------------------------------------------------------------------------------------------


async def get_statuses(session: AsyncSession, user_ids: Sequence[str]) -> dict[str, Status]:
    if not user_ids:
        return {}
    rows = (await session.execute(select(Status).where(Status.user_id.in_(list(set(user_ids)))))).scalars()
    return {s.user_id: s for s in rows}


async def get_online_user_ids(session: AsyncSession, user_ids: Sequence[str]) -> set[str]:
    if not user_ids:
        return set()
    stmt = select(Status.user_id).where(Status.user_id.in_(list(user_ids)), Status.status == "online")
    return set((await session.execute(stmt)).scalars())


async def touch_user_activity(session: AsyncSession, user_id: str, at: int) -> None:
    await session.execute(update(User).where(User.id == user_id).values(last_activity_at=at))


async def set_guest_memberships(session: AsyncSession, user_id: str, guest: bool) -> None:
    """Every team and channel membership of the user becomes a guest's (or a member's again); no admin roles."""
    values = {"scheme_guest": guest, "scheme_user": not guest, "scheme_admin": False}
    await session.execute(update(TeamMember).where(TeamMember.user_id == user_id).values(**values))
    await session.execute(update(ChannelMember).where(ChannelMember.user_id == user_id).values(**values))
