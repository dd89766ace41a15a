"""Import Mattermost's bulk format (a zip with a `.jsonl` and `data/…`, or a bare `.jsonl`): what
`actions/bulk_export.py` writes and what Mattermost's `mmctl export` makes. Slack exports are converted into
the same lines first (`actions/slack_import.py`).

Each line is its own transaction and is matched against what exists (teams and channels by name, users by
username, posts by channel, author, time and text, reactions by post, user and emoji), so an import that was
interrupted can be run again: it skips what it already wrote and carries on. Imported accounts have no
password (they sign in by a password reset or single sign-on), and no system messages are made.
"""

from __future__ import annotations

import asyncio
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.actions.channels import DEFAULT_CHANNELS, direct_channel_name, group_channel_name, new_channel
from kafana.actions.context import Services
from kafana.actions.emoji import image_key
from kafana.actions.files import Incoming, check_file_name, store_upload
from kafana.actions.posts import new_post
from kafana.actions.teams import check_name
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError
from kafana.lib.ids import new_id
from kafana.lib.validation import check_channel_name, check_username
from kafana.models import Channel, ChannelMember, Emoji, FileInfo, Post, Preference, Reaction, Team, TeamMember, Thread, ThreadMembership, User
from kafana.models.actor import Actor
from kafana.models.channels import DEFAULT_CHANNEL_NOTIFY_PROPS
from kafana.models.users import DEFAULT_NOTIFY_PROPS, DEFAULT_TIMEZONE
from kafana.store.search import index_files, index_post

ORDER = ("version", "emoji", "team", "channel", "user", "post", "direct_channel", "direct_post")
FLAGGED, FAVORITE = "flagged_post", "favorite_channel"
HEAD = 512  # bytes sniffed for a file's type


class ImportFailed(Exception):
    """A line that cannot be imported: its number and why. Lines before it stay imported."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(slots=True)
class ImportProgress:
    lines: int = 0
    teams: int = 0
    channels: int = 0
    users: int = 0
    posts: int = 0
    reactions: int = 0
    files: int = 0
    skipped: int = 0  # posts already there (an earlier run)
    touched: set[str] = field(default_factory=set)  # channels whose counters are recomputed at the end


class Source:
    """The lines and the attachment bytes of an export."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path) if zipfile.is_zipfile(path) else None
        self.path = path

    def lines(self) -> Iterator[bytes]:
        if self.zip is None:
            with self.path.open("rb") as fh:
                yield from fh
            return
        names = [n for n in self.zip.namelist() if n.endswith(".jsonl")]
        if len(names) != 1:
            raise ImportFailed(0, "the zip must hold exactly one .jsonl file")
        with self.zip.open(names[0]) as fh:
            yield from fh

    def open(self, path: str) -> IO[bytes]:
        if self.zip is None:
            full = (self.path.parent / path).resolve()
            if self.path.parent.resolve() not in full.parents:
                raise KeyError(path)
            return full.open("rb")
        for candidate in (path, f"data/{path}"):
            if candidate in self.zip.namelist():
                return self.zip.open(candidate)
        raise KeyError(path)


def count_lines(path: Path) -> int:
    """How many lines an import has (its progress is a share of them); reads the file once."""
    return sum(1 for line in Source(path).lines() if line.strip())


async def import_bulk(svc: Services, path: Path, *, report: Callable[[ImportProgress], None] | None = None) -> ImportProgress:
    source = Source(path)
    return await import_lines(svc, source, source.lines(), report=report)


async def import_lines(
    svc: Services, source: Source | None, lines: Iterator[bytes] | Iterator[dict[str, Any]], *, report: Callable[[ImportProgress], None] | None = None
) -> ImportProgress:
    progress = ImportProgress()
    run = _Run(svc, source, progress)
    stage = 0
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes) and not raw.strip():
            continue
        try:
            line: Any = orjson.loads(raw) if isinstance(raw, bytes) else raw
        except orjson.JSONDecodeError as exc:
            raise ImportFailed(number, f"not JSON ({exc})") from None
        kind = line.get("type") if isinstance(line, dict) else None
        if kind not in ORDER:
            raise ImportFailed(number, f"unknown type {kind!r}")
        if number == 1 and (kind != "version" or line.get("version") != 1):
            raise ImportFailed(number, 'the first line must be {"type": "version", "version": 1}')
        if ORDER.index(kind) < stage:
            raise ImportFailed(number, f"{kind} lines must come before {ORDER[stage]} lines (Mattermost's order: {', '.join(ORDER)})")
        stage = ORDER.index(kind)
        body = line.get(kind)
        if kind != "version":
            if not isinstance(body, dict):
                raise ImportFailed(number, f"{kind} must be an object")
            try:
                await getattr(run, kind)(body)
            except (AppError, KeyError, ValueError, TypeError) as exc:
                raise ImportFailed(number, _why(exc)) from None
        progress.lines = number
        if report:
            report(progress)
    await run.recount()
    return progress


def _why(exc: Exception) -> str:
    if isinstance(exc, AppError):
        return exc.message
    if isinstance(exc, KeyError):
        return f"{exc.args[0]} not found"
    return str(exc)


def _text(body: dict[str, Any], key: str, default: str = "", *, limit: int = 65_536) -> str:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str) or len(value) > limit:
        raise ValueError(f"{key} must be a string of at most {limit} characters")
    return value


def _int(body: dict[str, Any], key: str) -> int:
    value = body.get(key) or 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be a number")
    return value


class _Run:
    def __init__(self, svc: Services, source: Source | None, progress: ImportProgress) -> None:
        self.svc, self.source, self.progress = svc, source, progress
        self.teams: dict[str, Team] = {}
        self.users: dict[str, User] = {}

    # lookups ---------------------------------------------------------------------------------------------

    async def _team(self, db: AsyncSession, name: str) -> Team:
        if name not in self.teams:
            team = (await db.execute(select(Team).where(Team.name == name))).scalar_one_or_none()
            if team is None:
                raise KeyError(f"team {name!r}")
            self.teams[name] = team
        return self.teams[name]

    async def _user(self, db: AsyncSession, username: str) -> User:
        if username not in self.users:
            user = (await db.execute(select(User).where(User.username == username))).scalar_one_or_none()
            if user is None:
                raise KeyError(f"user {username!r}")
            self.users[username] = user
        return self.users[username]

    async def _channel(self, db: AsyncSession, team: str, name: str) -> Channel:
        team_id = (await self._team(db, team)).id
        channel = (await db.execute(select(Channel).where(Channel.team_id == team_id, Channel.name == name))).scalar_one_or_none()
        if channel is None:
            raise KeyError(f"channel {team}/{name}")
        return channel

    async def _conversation(self, db: AsyncSession, usernames: list[str]) -> tuple[Channel | None, list[User], str]:
        users = [await self._user(db, u) for u in dict.fromkeys(usernames)]
        ids = [u.id for u in users]
        if len(ids) == 1:
            ids = ids * 2
        name = direct_channel_name(ids[0], ids[1]) if len(ids) == 2 else group_channel_name(ids)
        existing = (await db.execute(select(Channel).where(Channel.team_id == "", Channel.name == name))).scalar_one_or_none()
        return existing, users, name

    # lines -------------------------------------------------------------------------------------------------

    async def emoji(self, body: dict[str, Any]) -> None:
        name = _text(body, "name", limit=64)
        async with self.svc.db.read() as db:
            if (await db.execute(select(Emoji.id).where(Emoji.name == name, Emoji.delete_at == 0))).first():
                return
        emoji = Emoji(id=new_id(), creator_id="", name=name, create_at=now_ms(), update_at=now_ms(), delete_at=0, path="")
        emoji.path = image_key(emoji.id)
        with self._open(_text(body, "image")) as fh:
            await self.svc.storage.write_bytes(emoji.path, fh.read(1_048_576))
        async with self.svc.db.write() as uow:
            uow.session.add(emoji)

    async def team(self, body: dict[str, Any]) -> None:
        name = check_name(_text(body, "name", limit=64))
        async with self.svc.db.write() as uow:
            db = uow.session
            team = (await db.execute(select(Team).where(Team.name == name))).scalar_one_or_none()
            if team is None:
                now = now_ms()
                team = Team(
                    id=new_id(), create_at=now, update_at=now, delete_at=0, name=name, invite_id=new_id(), email="", company_name="", allowed_domains=""
                )
                db.add(team)
                db.add_all([new_channel(team.id, n, display, "O", "") for n, display in DEFAULT_CHANNELS])
                self.progress.teams += 1
            team.display_name = _text(body, "display_name", name, limit=64)
            team.type = "I" if body.get("type") == "I" else "O"
            team.description = _text(body, "description", limit=255)
            team.allow_open_invite = bool(body.get("allow_open_invite", team.type == "O"))
        self.teams[name] = team

    async def channel(self, body: dict[str, Any]) -> None:
        async with self.svc.db.write() as uow:
            db = uow.session
            team = await self._team(db, _text(body, "team"))
            name = check_channel_name(_text(body, "name", limit=64))
            channel = (await db.execute(select(Channel).where(Channel.team_id == team.id, Channel.name == name))).scalar_one_or_none()
            kind = "P" if body.get("type") == "P" else "O"
            if channel is None:
                channel = new_channel(team.id, name, name, kind, "")
                db.add(channel)
                self.progress.channels += 1
            channel.type = kind
            channel.display_name = _text(body, "display_name", name, limit=64)
            channel.header = _text(body, "header", limit=1024)
            channel.purpose = _text(body, "purpose", limit=250)
            channel.delete_at = _int(body, "deleted_at")

    async def user(self, body: dict[str, Any]) -> None:
        username = check_username(_text(body, "username", limit=64).lower())
        async with self.svc.db.write() as uow:
            db = uow.session
            user = (await db.execute(select(User).where(User.username == username))).scalar_one_or_none()
            if user is None:
                now = now_ms()
                user = User(
                    id=new_id(), create_at=now, update_at=now, username=username, password="", email=_text(body, "email", limit=128).lower(),
                    email_verified=True, timezone=dict(DEFAULT_TIMEZONE), props={}, notify_props=dict(DEFAULT_NOTIFY_PROPS),
                )  # fmt: skip
                db.add(user)
                self.progress.users += 1
            for key, limit in (("nickname", 64), ("first_name", 64), ("last_name", 64), ("position", 128), ("auth_service", 32), ("auth_data", 128)):
                setattr(user, key, _text(body, key, limit=limit))
            roles = set(_text(body, "roles", "system_user").split()) & {"system_user", "system_admin", "system_guest"}
            user.roles = " ".join(sorted(roles or {"system_user"}, key=lambda r: r != "system_admin"))
            user.locale = _text(body, "locale", "en", limit=5) or "en"
            user.delete_at = _int(body, "delete_at")
            if isinstance(body.get("notify_props"), dict):
                user.notify_props = {**DEFAULT_NOTIFY_PROPS, **_notify_props(body["notify_props"])}
            await db.flush()
            for membership in body.get("teams") or []:
                await self._team_membership(db, user, membership)
        self.users[username] = user

    async def _team_membership(self, db: AsyncSession, user: User, body: dict[str, Any]) -> None:
        team = await self._team(db, _text(body, "name"))
        roles = _text(body, "roles", "team_user").split()
        member = await db.get(TeamMember, (team.id, user.id))
        if member is None:
            member = TeamMember(team_id=team.id, user_id=user.id, roles="", create_at=now_ms())
            db.add(member)
        member.delete_at, member.scheme_guest = 0, "team_guest" in roles
        member.scheme_admin, member.scheme_user = "team_admin" in roles, "team_guest" not in roles
        for entry in body.get("channels") or []:
            channel = await self._channel(db, team.name, _text(entry, "name"))
            cm = await db.get(ChannelMember, (channel.id, user.id))
            if cm is None:
                cm = ChannelMember(channel_id=channel.id, user_id=user.id, roles="", notify_props=dict(DEFAULT_CHANNEL_NOTIFY_PROPS))
                db.add(cm)
            cm.scheme_admin = "channel_admin" in _text(entry, "roles").split()
            cm.scheme_user = True
            for key in ("last_viewed_at", "msg_count", "msg_count_root", "mention_count", "mention_count_root"):
                setattr(cm, key, _int(entry, key))
            props = entry.get("notify_props") or {}
            cm.notify_props = {
                **DEFAULT_CHANNEL_NOTIFY_PROPS,
                **{k: str(props[src]) for k, src in (("desktop", "desktop"), ("push", "mobile"), ("mark_unread", "mark_unread")) if props.get(src)},
            }
            if entry.get("favorite"):
                await self._preference(db, user.id, FAVORITE, channel.id)

    async def _preference(self, db: AsyncSession, user_id: str, category: str, name: str) -> None:
        if await db.get(Preference, (user_id, category, name)) is None:
            db.add(Preference(user_id=user_id, category=category, name=name, value="true"))

    async def post(self, body: dict[str, Any]) -> None:
        async with self.svc.db.read() as db:
            channel = await self._channel(db, _text(body, "team"), _text(body, "channel"))
        await self._thread(channel, body)

    async def direct_channel(self, body: dict[str, Any]) -> None:
        members = [_text({"m": m}, "m") for m in body.get("members") or []]
        if not 1 <= len(set(members)) <= 8:
            raise ValueError("a direct channel has 1 or 2 members, a group one 3 to 8")
        async with self.svc.db.write() as uow:
            db = uow.session
            channel, users, name = await self._conversation(db, members)
            if channel is None:
                channel = new_channel(
                    "", name, ", ".join(sorted(u.username for u in users)) if len(users) > 2 else "", "G" if len(users) > 2 else "D", users[0].id
                )
                db.add(channel)
                await db.flush()
                self.progress.channels += 1
            channel.header = _text(body, "header", limit=1024)
            for user in users:
                if await db.get(ChannelMember, (channel.id, user.id)) is None:
                    db.add(ChannelMember(channel_id=channel.id, user_id=user.id, roles="", notify_props=dict(DEFAULT_CHANNEL_NOTIFY_PROPS), scheme_user=True))
            for username in body.get("favorited_by") or []:
                await self._preference(db, (await self._user(db, username)).id, FAVORITE, channel.id)

    async def direct_post(self, body: dict[str, Any]) -> None:
        async with self.svc.db.read() as db:
            channel, _, _ = await self._conversation(db, list(body.get("channel_members") or []))
        if channel is None:
            raise KeyError("the direct channel of " + ", ".join(body.get("channel_members") or []))
        await self._thread(channel, body)

    # posts -------------------------------------------------------------------------------------------------

    async def _thread(self, channel: Channel, body: dict[str, Any]) -> None:
        """A root post with its replies, reactions, flags and attachments: one transaction, so a thread found
        again (same channel, author, time and text) is skipped whole, before its files are stored."""
        replies = body.get("replies") or []
        async with self.svc.db.read() as db:
            author = await self._user(db, _text(body, "user"))
            if await _existing(db, channel, author, body):
                self.progress.skipped += 1 + len(replies)
                return
            reply_authors = [await self._user(db, _text(reply, "user")) for reply in replies]
        files = await self._files(channel, author, body)
        reply_files = [await self._files(channel, who, reply) for who, reply in zip(reply_authors, replies, strict=True)]
        async with self.svc.db.write() as uow:
            db = uow.session
            root = await self._post(db, channel, author, body, "", files)
            root.is_pinned = bool(body.get("is_pinned"))
            for who, reply, these in zip(reply_authors, replies, reply_files, strict=True):
                made = await self._post(db, channel, who, reply, root.id, these)
                root.reply_count += 1
                made.reply_count = root.reply_count  # as posting does: the thread's count when it was written
                root.last_reply_at = max(root.last_reply_at, made.create_at)
            if root.reply_count:
                participants = list(dict.fromkeys(u.id for u in reply_authors))
                at = root.last_reply_at
                db.add(Thread(post_id=root.id, channel_id=channel.id, reply_count=root.reply_count, last_reply_at=at, participants=participants))
                for uid in dict.fromkeys([author.id, *participants]):
                    db.add(ThreadMembership(post_id=root.id, user_id=uid, following=True, last_viewed=at, last_updated=at, unread_mentions=0))
        self.progress.touched.add(channel.id)

    async def _post(self, db: AsyncSession, channel: Channel, author: User, body: dict[str, Any], root_id: str, files: list[FileInfo]) -> Post:
        create_at = _int(body, "create_at")
        if create_at <= 0:
            raise ValueError("create_at is required")
        message = _text(body, "message")
        props = body.get("props") or {}
        if not isinstance(props, dict):
            raise ValueError("props must be an object")
        post = new_post(channel.id, author.id, message, create_at, root_id=root_id, post_type=_text(body, "type", limit=64), props=props)
        post.edit_at = _int(body, "edit_at")
        post.file_ids = [f.id for f in files]
        db.add(post)
        for info in files:
            info.post_id, info.create_at, info.update_at = post.id, create_at, create_at  # retention counts from the post's time
            db.add(info)
        await db.flush()
        await index_post(db, post)
        await index_files(db, post, files)
        for reaction in body.get("reactions") or []:
            who = await self._user(db, _text(reaction, "user"))
            emoji_name = _text(reaction, "emoji_name", limit=64)
            if await db.get(Reaction, (post.id, who.id, emoji_name)) is None:
                db.add(
                    Reaction(post_id=post.id, user_id=who.id, emoji_name=emoji_name, channel_id=channel.id, create_at=_int(reaction, "create_at") or create_at)
                )
                post.has_reactions = True
                self.progress.reactions += 1
        for username in body.get("flagged_by") or []:
            await self._preference(db, (await self._user(db, username)).id, FLAGGED, post.id)
        self.progress.posts += 1
        return post

    async def _files(self, channel: Channel, author: User, body: dict[str, Any]) -> list[FileInfo]:
        """Store a post's attachments (before its transaction: bytes first, as uploads do)."""
        made = []
        for attachment in body.get("attachments") or []:
            path = _text(attachment, "path")
            spooled, size, head = await asyncio.to_thread(self._spool, path)
            try:
                incoming = Incoming(name=check_file_name(path.rsplit("/", 1)[-1]), path=spooled, size=size, head=head)
                made.append(await store_upload(self.svc, Actor(author), channel.id, incoming, []))
                self.progress.files += 1
            finally:
                await asyncio.to_thread(_discard, spooled)
        return made

    def _spool(self, path: str) -> tuple[Path, int, bytes]:
        """Copy an attachment out of the export into a file beside the data (what uploads spool into)."""
        with tempfile.NamedTemporaryFile(dir=self.svc.settings.data_dir, delete=False) as spool, self._open(path) as fh:
            size, head = 0, b""
            while chunk := fh.read(1 << 20):
                head = head or chunk[:HEAD]
                spool.write(chunk)
                size += len(chunk)
        return Path(spool.name), size, head

    def _open(self, path: str) -> IO[bytes]:
        if self.source is None:
            raise KeyError(f"attachment {path}")
        try:
            return self.source.open(path)
        except KeyError:
            raise KeyError(f"attachment {path}") from None

    async def recount(self) -> None:
        """Channel counters from the posts now there (clients compute unread counts from them)."""
        for channel_id in self.progress.touched:
            async with self.svc.db.write() as uow:
                db = uow.session
                channel = await db.get(Channel, channel_id)
                if channel is None:
                    continue
                live = select(func.count(), func.max(Post.create_at)).where(Post.channel_id == channel_id, Post.delete_at == 0)
                total, last = (await db.execute(live)).one()
                roots, last_root = (await db.execute(live.where(Post.root_id == ""))).one()
                channel.total_msg_count, channel.last_post_at = int(total), max(channel.last_post_at, int(last or 0))
                channel.total_msg_count_root, channel.last_root_post_at = int(roots), max(channel.last_root_post_at, int(last_root or 0))


async def _existing(db: AsyncSession, channel: Channel, author: User, body: dict[str, Any]) -> bool:
    """Whether this root post was imported before: the same channel, author, time and text."""
    same = select(Post.id).where(
        Post.channel_id == channel.id,
        Post.user_id == author.id,
        Post.create_at == _int(body, "create_at"),
        Post.root_id == "",
        Post.message == _text(body, "message"),
    )
    return (await db.execute(same)).first() is not None


def _discard(spooled: Path) -> None:
    spooled.unlink(missing_ok=True)
    spooled.with_name(spooled.name + ".clean").unlink(missing_ok=True)  # the image step's location-free copy


def _notify_props(props: dict[str, Any]) -> dict[str, str]:
    """Mattermost's import names for a user's notification settings, to the stored ones."""
    names = {
        "desktop": "desktop",
        "desktop_sound": "desktop_sound",
        "email": "email",
        "mobile": "push",
        "mobile_push_status": "push_status",
        "channel": "channel",
        "comments": "comments",
        "mention_keys": "mention_keys",
    }
    return {names[k]: str(v) for k, v in props.items() if k in names and v is not None}
