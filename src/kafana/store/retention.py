"""Retention: the policies' tables, and the queries that find and delete expired rows in bounded batches."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, func, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.models import Channel, ChannelMember, FileInfo, Post, Preference, Reaction, Team, TeamMember, Thread, ThreadMembership
from kafana.models.retention import RetentionPolicy, RetentionPolicyChannel, RetentionPolicyTeam
from kafana.store.search import unindex_files, unindex_posts

FLAGGED = "flagged_post"


@dataclass(frozen=True, slots=True)
class Durations:
    """Days kept (below 1: forever) for a channel's messages and files."""

    posts: int
    files: int


def policy_durations(policy: RetentionPolicy) -> Durations:
    return Durations(policy.post_duration, policy.post_duration if policy.file_duration is None else policy.file_duration)


async def channel_durations(session: AsyncSession, default: Durations) -> dict[str, Durations]:
    """Every channel whose messages or files expire, with its durations: its own policy, else its team's,
    else `default` (the global settings)."""
    chan, team = RetentionPolicy.__table__.alias("cp"), RetentionPolicy.__table__.alias("tp")
    stmt = (
        select(Channel.id, chan.c.post_duration, chan.c.file_duration, team.c.post_duration, team.c.file_duration)
        .outerjoin(RetentionPolicyChannel, RetentionPolicyChannel.channel_id == Channel.id)
        .outerjoin(chan, chan.c.id == RetentionPolicyChannel.policy_id)
        .outerjoin(RetentionPolicyTeam, RetentionPolicyTeam.team_id == Channel.team_id)
        .outerjoin(team, team.c.id == RetentionPolicyTeam.policy_id)
    )
    out = {}
    for channel_id, c_posts, c_files, t_posts, t_files in await session.execute(stmt):
        if c_posts is not None:
            found = Durations(c_posts, c_posts if c_files is None else c_files)
        elif t_posts is not None:
            found = Durations(t_posts, t_posts if t_files is None else t_files)
        else:
            found = default
        if found.posts > 0 or found.files > 0:
            out[channel_id] = found
    return out


async def has_policies(session: AsyncSession) -> bool:
    return (await session.execute(select(RetentionPolicy.id).limit(1))).first() is not None


# Expired rows ------------------------------------------------------------------------------------------------


async def expired_posts(session: AsyncSession, channel_id: str, cutoff: int, limit: int) -> list[str]:
    stmt = select(Post.id).where(Post.channel_id == channel_id, Post.create_at < cutoff).order_by(Post.create_at).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def expired_files(session: AsyncSession, channel_id: str, cutoff: int, limit: int) -> list[FileInfo]:
    stmt = select(FileInfo).where(FileInfo.channel_id == channel_id, FileInfo.create_at < cutoff).order_by(FileInfo.create_at).limit(limit)
    return list((await session.execute(stmt)).scalars())


async def files_of_posts(session: AsyncSession, post_ids: Sequence[str]) -> list[FileInfo]:
    return list((await session.execute(select(FileInfo).where(FileInfo.post_id.in_(list(post_ids))))).scalars())


def storage_keys(files: Sequence[FileInfo]) -> list[str]:
    return [key for f in files for key in (f.path, f.thumbnail_path, f.preview_path) if key]


async def purge_posts(session: AsyncSession, post_ids: Sequence[str]) -> None:
    """Delete posts for real, with everything that hangs off them: search entries, reactions, files' rows,
    saved-post flags, and (for roots) the thread rows. Replies whose root stays leave its reply count."""
    ids = list(post_ids)
    rows = (await session.execute(select(Post.id, Post.root_id).where(Post.id.in_(ids)))).all()
    roots = [pid for pid, root_id in rows if not root_id]
    replies_per_root = Counter(root_id for _, root_id in rows if root_id)
    await unindex_posts(session, ids)
    await session.execute(delete(Reaction).where(Reaction.post_id.in_(ids)))
    await session.execute(delete(FileInfo).where(FileInfo.post_id.in_(ids)))
    await session.execute(delete(Preference).where(Preference.category == FLAGGED, Preference.name.in_(ids)))
    await session.execute(delete(ThreadMembership).where(ThreadMembership.post_id.in_(roots)))
    await session.execute(delete(Thread).where(Thread.post_id.in_(roots)))
    await session.execute(delete(Post).where(Post.id.in_(ids)))
    for root_id, gone in replies_per_root.items():
        await session.execute(update(Post).where(Post.id == root_id).values(reply_count=_less(Post.reply_count, gone)))
        await session.execute(update(Thread).where(Thread.post_id == root_id).values(reply_count=_less(Thread.reply_count, gone)))


def _less(column: Any, n: int) -> Any:
    return case((column > n, column - n), else_=0)


async def purge_files(session: AsyncSession, files: Sequence[FileInfo]) -> None:
    """Delete file rows for real and take them out of their posts' `file_ids`."""
    ids = {f.id for f in files}
    post_ids = {f.post_id for f in files if f.post_id}
    for post in (await session.execute(select(Post).where(Post.id.in_(post_ids)))).scalars():
        post.file_ids = [fid for fid in post.file_ids or [] if fid not in ids]
    await unindex_files(session, list(ids))
    await session.execute(delete(FileInfo).where(FileInfo.id.in_(ids)))


# Policies ------------------------------------------------------------------------------------------------------


async def list_policies(session: AsyncSession, offset: int, limit: int) -> list[tuple[RetentionPolicy, int, int]]:
    stmt = select(RetentionPolicy).order_by(RetentionPolicy.display_name, RetentionPolicy.id).offset(offset).limit(limit)
    policies = list((await session.execute(stmt)).scalars())
    return [(p, *(await assigned_counts(session, p.id))) for p in policies]


async def count_policies(session: AsyncSession) -> int:
    return int((await session.execute(select(func.count()).select_from(RetentionPolicy))).scalar_one())


async def assigned_counts(session: AsyncSession, policy_id: str) -> tuple[int, int]:
    teams = select(func.count()).select_from(RetentionPolicyTeam).where(RetentionPolicyTeam.policy_id == policy_id)
    channels = select(func.count()).select_from(RetentionPolicyChannel).where(RetentionPolicyChannel.policy_id == policy_id)
    return int((await session.execute(teams)).scalar_one()), int((await session.execute(channels)).scalar_one())


async def assign(session: AsyncSession, table: Any, column: str, policy_id: str, ids: Sequence[str]) -> None:
    """Put teams or channels under a policy (moving them from any other: one policy each)."""
    key = getattr(table, column)
    await session.execute(delete(table).where(key.in_(list(ids))))
    session.add_all([table(**{column: i, "policy_id": policy_id}) for i in dict.fromkeys(ids)])
    await session.flush()


async def unassign(session: AsyncSession, table: Any, column: str, policy_id: str, ids: Sequence[str]) -> None:
    await session.execute(delete(table).where(table.policy_id == policy_id, getattr(table, column).in_(list(ids))))


async def assigned_teams(session: AsyncSession, policy_id: str, offset: int, limit: int) -> list[Team]:
    stmt = (
        select(Team)
        .join(RetentionPolicyTeam, RetentionPolicyTeam.team_id == Team.id)
        .where(RetentionPolicyTeam.policy_id == policy_id)
        .order_by(Team.display_name, Team.id)
        .offset(offset)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def assigned_channels(session: AsyncSession, policy_id: str, offset: int, limit: int) -> list[tuple[Channel, Team | None]]:
    stmt = (
        select(Channel, Team)
        .join(RetentionPolicyChannel, RetentionPolicyChannel.channel_id == Channel.id)
        .outerjoin(Team, Team.id == Channel.team_id)
        .where(RetentionPolicyChannel.policy_id == policy_id)
        .order_by(Channel.display_name, Channel.id)
        .offset(offset)
        .limit(limit)
    )
    return [(c, t) for c, t in (await session.execute(stmt)).all()]


async def delete_policy(session: AsyncSession, policy_id: str) -> None:
    await session.execute(delete(RetentionPolicyTeam).where(RetentionPolicyTeam.policy_id == policy_id))
    await session.execute(delete(RetentionPolicyChannel).where(RetentionPolicyChannel.policy_id == policy_id))
    await session.execute(delete(RetentionPolicy).where(RetentionPolicy.id == policy_id))


async def user_policies(session: AsyncSession, user_id: str, target: str) -> list[tuple[str, int]]:
    """(team or channel id, post_duration) for the user's teams or channels that a policy covers."""
    if target == "teams":
        member: Any = TeamMember
        table: Any = RetentionPolicyTeam
        key, joined = TeamMember.team_id, RetentionPolicyTeam.team_id == TeamMember.team_id
        live: Any = TeamMember.delete_at == 0
    else:
        member, table = ChannelMember, RetentionPolicyChannel
        key, joined = ChannelMember.channel_id, RetentionPolicyChannel.channel_id == ChannelMember.channel_id
        live = true()
    stmt = (
        select(key, RetentionPolicy.post_duration)
        .select_from(member)
        .join(table, joined)
        .join(RetentionPolicy, RetentionPolicy.id == table.policy_id)
        .where(member.user_id == user_id, live)
        .order_by(key)
    )
    return [(i, d) for i, d in await session.execute(stmt)]
