"""Mattermost's bulk export format: a zip holding `import.jsonl` (one object per line: version, emoji, teams,
channels, users with their memberships, posts with replies, reactions and attachments, direct channels and
their posts) and `data/…` (the attachments' and emoji's bytes). Mattermost's importer, and Kafana's
(`actions/bulk_import.py`), read it. Passwords, sessions and MFA secrets are never exported.

Rows are read in pages of 500 and written as they come, so an export of any size runs in bounded memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana import __version__
from kafana.actions import audit
from kafana.actions.context import Services
from kafana.models import Channel, ChannelMember, Emoji, FileInfo, Post, Preference, Reaction, Team, TeamMember, User

PAGE = 500
FLAGGED = "flagged_post"
FAVORITE = "favorite_channel"


@dataclass(slots=True)
class ExportProgress:
    lines: int = 0
    posts: int = 0
    files: int = 0


def team_roles(m: TeamMember) -> str:
    return "team_guest" if m.scheme_guest else "team_user team_admin" if m.scheme_admin else "team_user"


def channel_roles(m: ChannelMember) -> str:
    return "channel_user channel_admin" if m.scheme_admin else "channel_user"


async def _pages(db: AsyncSession, stmt: Any, key: Any) -> AsyncIterator[list[Any]]:
    """Rows of `stmt` in pages ordered by `key` (a unique column), by keyset: no OFFSET scans."""
    after = ""
    while True:
        rows = list((await db.execute(stmt.where(key > after).order_by(key).limit(PAGE))).scalars())
        if not rows:
            return
        yield rows
        after = getattr(rows[-1], key.key)


class _Writer:
    def __init__(self, archive: zipfile.ZipFile, jsonl: IO[bytes], progress: ExportProgress, report: Callable[[ExportProgress], None] | None) -> None:
        self.archive, self.jsonl, self.progress, self.report = archive, jsonl, progress, report

    def line(self, kind: str, body: dict[str, Any]) -> None:
        self.jsonl.write(orjson.dumps({"type": kind, kind: body}) + b"\n")
        self.progress.lines += 1

    async def data(self, svc: Services, key: str, name: str) -> str:
        """Copy stored bytes into the archive under data/; returns the path the line refers to."""
        folder = key.rsplit("/", 1)[0]  # keys end in a folder per object: the original name stays readable
        path = f"data/{folder}/{name.replace('/', '_')}"
        with self.archive.open(path, "w", force_zip64=True) as out:
            async for chunk in svc.storage.read(key):
                out.write(chunk)
        self.progress.files += 1
        return path


async def export_bulk(
    svc: Services,
    target: Path,
    *,
    team_names: Sequence[str] = (),
    attachments: bool = True,
    include_private: bool = False,
    report: Callable[[ExportProgress], None] | None = None,
) -> ExportProgress:
    """Write the server (or the named teams) to `target` (a .zip). Private channels and direct/group messages
    are left out unless `include_private` (A16: an admin export does not carry private talk by default).
    The export is written to the audit log."""
    progress = ExportProgress()
    jsonl_path = target.with_suffix(".jsonl.tmp")
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive, jsonl_path.open("wb") as jsonl:
        w = _Writer(archive, jsonl, progress, report)
        info = {"generator": "kafana", "version": __version__, "created": datetime.now(UTC).isoformat()}
        jsonl.write(orjson.dumps({"type": "version", "version": 1, "info": info}) + b"\n")
        async with svc.db.read() as db:
            teams = await _teams(db, team_names)
            team_by_id = {t.id: t for t in teams}
            await _emoji(svc, db, w)
            for team in teams:
                w.line(
                    "team",
                    {
                        "name": team.name,
                        "display_name": team.display_name,
                        "type": team.type,
                        "description": team.description,
                        "allow_open_invite": team.allow_open_invite,
                    },
                )
            kinds = ("O", "P") if include_private else ("O",)
            channels = [c for c in await _all(db, select(Channel).where(Channel.team_id.in_(list(team_by_id)))) if c.type in kinds]
            channel_by_id = {c.id: c for c in channels}
            for c in channels:
                w.line(
                    "channel",
                    {
                        "team": team_by_id[c.team_id].name,
                        "name": c.name,
                        "display_name": c.display_name,
                        "type": c.type,
                        "header": c.header,
                        "purpose": c.purpose,
                        "deleted_at": c.delete_at,
                    },
                )
            users = await _users(svc, db, w, team_by_id, channel_by_id, whole=not team_names)
            for channel in channels:
                await _channel_posts(svc, db, w, channel, team_by_id[channel.team_id].name, users, attachments)
            if include_private:
                await _direct(svc, db, w, users, attachments)
        jsonl.flush()
    with zipfile.ZipFile(target, "a", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        archive.write(jsonl_path, "import.jsonl")
    jsonl_path.unlink()
    await audit.record(svc, "bulk_export", target_id=target.name, teams=",".join(team_names) or "all", private=include_private, posts=progress.posts)
    return progress


async def _all(db: AsyncSession, stmt: Any) -> list[Any]:
    return list((await db.execute(stmt)).scalars())


async def _teams(db: AsyncSession, names: Sequence[str]) -> list[Team]:
    stmt = select(Team).where(Team.delete_at == 0).order_by(Team.name)
    if names:
        stmt = stmt.where(Team.name.in_(list(names)))
    return await _all(db, stmt)


async def _emoji(svc: Services, db: AsyncSession, w: _Writer) -> None:
    for emoji in await _all(db, select(Emoji).where(Emoji.delete_at == 0).order_by(Emoji.name)):
        w.line("emoji", {"name": emoji.name, "image": await w.data(svc, emoji.path, emoji.name)})


async def _users(svc: Services, db: AsyncSession, w: _Writer, teams: dict[str, Team], channels: dict[str, Channel], *, whole: bool) -> dict[str, str]:
    """User lines with their memberships; returns username by id for everyone exported."""
    names: dict[str, str] = {}
    async for page in _pages(db, select(User).where(User.is_bot.is_(False)), User.id):
        ids = [u.id for u in page]
        team_members = await _all(db, select(TeamMember).where(TeamMember.user_id.in_(ids), TeamMember.team_id.in_(list(teams)), TeamMember.delete_at == 0))
        channel_members = await _all(db, select(ChannelMember).where(ChannelMember.user_id.in_(ids), ChannelMember.channel_id.in_(list(channels))))
        favorites = {
            (p.user_id, p.name)
            for p in await _all(db, select(Preference).where(Preference.user_id.in_(ids), Preference.category == FAVORITE, Preference.value == "true"))
        }
        for user in page:
            mine = [m for m in team_members if m.user_id == user.id]
            if not whole and not mine:
                continue
            names[user.id] = user.username
            memberships = []
            for tm in mine:
                in_team = [m for m in channel_members if m.user_id == user.id and channels[m.channel_id].team_id == tm.team_id]
                memberships.append(
                    {
                        "name": teams[tm.team_id].name,
                        "roles": team_roles(tm),
                        "channels": [
                            {
                                "name": channels[m.channel_id].name,
                                "roles": channel_roles(m),
                                "notify_props": {
                                    "desktop": m.notify_props.get("desktop", "default"),
                                    "mobile": m.notify_props.get("push", "default"),
                                    "mark_unread": m.notify_props.get("mark_unread", "all"),
                                },
                                "favorite": (user.id, m.channel_id) in favorites,
                                "last_viewed_at": m.last_viewed_at,
                                "msg_count": m.msg_count,
                                "msg_count_root": m.msg_count_root,
                                "mention_count": m.mention_count,
                                "mention_count_root": m.mention_count_root,
                            }
                            for m in in_team
                        ],
                    }
                )
            w.line(
                "user",
                {
                    "username": user.username,
                    "email": user.email,
                    "auth_service": user.auth_service,
                    "auth_data": user.auth_data or None,
                    "nickname": user.nickname,
                    "first_name": user.first_name,
                    "last_name": user.last_name,
                    "position": user.position,
                    "roles": user.roles,
                    "locale": user.locale,
                    "delete_at": user.delete_at,
                    "notify_props": _user_notify_props(user.notify_props or {}),
                    "teams": memberships,
                },
            )
    return names


def _user_notify_props(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "desktop": props.get("desktop", "mention"),
        "desktop_sound": props.get("desktop_sound", "true"),
        "email": props.get("email", "true"),
        "mobile": props.get("push", "mention"),
        "mobile_push_status": props.get("push_status", "away"),
        "channel": props.get("channel", "true"),
        "comments": props.get("comments", "never"),
        "mention_keys": props.get("mention_keys", ""),
    }


async def _post_body(svc: Services, db: AsyncSession, w: _Writer, post: Post, users: dict[str, str], attachments: bool) -> dict[str, Any]:
    """The fields a post and a reply share."""
    reactions = await _all(db, select(Reaction).where(Reaction.post_id == post.id).order_by(Reaction.create_at)) if post.has_reactions else []
    flagged = await _all(db, select(Preference.user_id).where(Preference.category == FLAGGED, Preference.name == post.id))
    body: dict[str, Any] = {
        "user": users.get(post.user_id, ""),
        "type": post.type or None,
        "message": post.message,
        "props": post.props or None,
        "create_at": post.create_at,
        "edit_at": post.edit_at,
        "reactions": [{"user": users[r.user_id], "create_at": r.create_at, "emoji_name": r.emoji_name} for r in reactions if r.user_id in users],
        "flagged_by": [users[u] for u in flagged if u in users],
    }
    if post.file_ids and attachments:
        files = await _all(db, select(FileInfo).where(FileInfo.post_id == post.id, FileInfo.delete_at == 0).order_by(FileInfo.create_at))
        body["attachments"] = [{"path": await w.data(svc, f.path, f.name)} for f in files]
    return body


async def _with_replies(svc: Services, db: AsyncSession, w: _Writer, root: Post, users: dict[str, str], attachments: bool) -> dict[str, Any]:
    body = await _post_body(svc, db, w, root, users, attachments)
    body["is_pinned"] = root.is_pinned
    replies = await _all(db, select(Post).where(Post.root_id == root.id, Post.delete_at == 0).order_by(Post.create_at, Post.id)) if root.reply_count else []
    body["replies"] = [await _post_body(svc, db, w, r, users, attachments) for r in replies if r.user_id in users]
    w.progress.posts += 1 + len(body["replies"])
    if w.report:
        w.report(w.progress)
    return body


def _roots(channel_id: str) -> Any:
    return select(Post).where(Post.channel_id == channel_id, Post.root_id == "", Post.delete_at == 0)


async def _channel_posts(svc: Services, db: AsyncSession, w: _Writer, channel: Channel, team: str, users: dict[str, str], attachments: bool) -> None:
    async for page in _pages(db, _roots(channel.id), Post.id):
        for root in page:
            if root.user_id in users:
                w.line("post", {"team": team, "channel": channel.name, **await _with_replies(svc, db, w, root, users, attachments)})


async def _direct(svc: Services, db: AsyncSession, w: _Writer, users: dict[str, str], attachments: bool) -> None:
    """Direct and group channels whose members are all exported, then their posts."""
    conversations = await _all(db, select(Channel).where(Channel.type.in_(("D", "G"))).order_by(Channel.id))
    exported: list[tuple[Channel, list[str]]] = []
    for channel in conversations:
        member_ids = await _all(db, select(ChannelMember.user_id).where(ChannelMember.channel_id == channel.id))
        if not member_ids or any(u not in users for u in member_ids):
            continue
        members = sorted(users[u] for u in member_ids)
        favorited = await _all(db, select(Preference.user_id).where(Preference.category == FAVORITE, Preference.name == channel.id, Preference.value == "true"))
        w.line("direct_channel", {"members": members, "favorited_by": [users[u] for u in favorited if u in users], "header": channel.header})
        exported.append((channel, members))
    for channel, members in exported:  # every direct_channel line comes before the first direct_post
        async for page in _pages(db, _roots(channel.id), Post.id):
            for root in page:
                w.line("direct_post", {"channel_members": members, **await _with_replies(svc, db, w, root, users, attachments)})
