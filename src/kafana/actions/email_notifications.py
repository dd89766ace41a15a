"""Notification emails: people who were away hear by email about the mentions and direct messages they missed.

Posting puts (user, post) rows into `email_notifications` for the users the notification rules chose
(actions/notifications.py: not online, email level allowing it), in the post's own transaction
(actions/email_queue.py). The leased
`email_batches` job sends each user one email per batch window — their `notifications`/`email_interval`
preference: 30 s ("immediately"), 900, 3600; 30 s when unset — once their oldest waiting row is that old. The
rows are taken and the email queued in the outbox in one transaction, so each notification is emailed once.

When the batch goes out, posts are left out that the user has read meanwhile (the channel viewed since the post
was made — finer than Mattermost, which drops the whole batch when the user was active), deleted posts,
channels the user left, archived or muted, and channels whose email setting is now off. Every channel in the
email has a one-click unsubscribe link (RFC 8058) that turns that channel's email setting to `none`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from kafana.actions.channels import set_notify_props_txn
from kafana.actions.context import Services
from kafana.actions.outbox import queue_mail_txn
from kafana.actions.system import ensure_secret
from kafana.db import UnitOfWork
from kafana.lib import notify_rules
from kafana.lib.ids import is_valid_id
from kafana.mail.catalog import translate
from kafana.mail.compose import ChannelSection, MessageLine, local_time, notification_mail
from kafana.models import Channel, Post, User
from kafana.store import channels as channels_store
from kafana.store import pending_emails as pending_store
from kafana.store import posts as posts_store
from kafana.store import preferences as preferences_store
from kafana.store import teams as teams_store
from kafana.store import users as users_store

DEFAULT_INTERVAL_SECONDS = 30
MAX_INTERVAL_SECONDS = 86_400
SIGNING_KEY = "email_link_key"


def interval_ms(preference: str | None) -> int:
    """The user's batch window: the preference in seconds, 30 s at least, a day at most."""
    try:
        seconds = int(preference) if preference else DEFAULT_INTERVAL_SECONDS
    except ValueError:
        seconds = DEFAULT_INTERVAL_SECONDS
    return min(max(seconds, DEFAULT_INTERVAL_SECONDS), MAX_INTERVAL_SECONDS) * 1000


# Unsubscribe links ------------------------------------------------------------------------------------


async def _key(svc: Services) -> bytes:
    key = svc.extra.get(SIGNING_KEY)
    if not isinstance(key, bytes):
        key = svc.extra[SIGNING_KEY] = await ensure_secret(svc.db, SIGNING_KEY)
    return key


def _signature(key: bytes, user_id: str, channel_id: str) -> str:
    digest = hmac.new(key, f"unsubscribe:{user_id}:{channel_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def unsubscribe_token(key: bytes, user_id: str, channel_id: str) -> str:
    """user id + channel id + a 144-bit HMAC of both: no row to keep, valid as long as the key."""
    return user_id + channel_id + _signature(key, user_id, channel_id)


def _read_token(key: bytes, token: str) -> tuple[str, str] | None:
    user_id, channel_id, signature = token[:26], token[26:52], token[52:]
    if not (is_valid_id(user_id) and is_valid_id(channel_id)) or not hmac.compare_digest(signature, _signature(key, user_id, channel_id)):
        return None
    return user_id, channel_id


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    """What the unsubscribe page shows: in the user's language, which channel."""

    locale: str
    channel_title: str


async def _title(db: AsyncSession, locale: str, channel: Channel, user_id: str) -> str:
    """How the reader knows the channel: its name, or who the direct message is with."""
    if channel.type == "D":
        other_id = next((part for part in channel.name.split("__") if part != user_id), user_id)
        other = await users_store.get_user(db, other_id)
        return translate(locale, "notify.direct", name="@" + (other.username if other else "?"))
    if channel.type == "G":
        return f"{translate(locale, 'notify.group')}: {channel.display_name}"
    return channel.display_name or channel.name


async def _membership_for(db: AsyncSession, key: bytes, token: str) -> tuple[User, Channel, Unsubscribe] | None:
    found = _read_token(key, token)
    if found is None:
        return None
    user = await users_store.get_user(db, found[0])
    channel = await channels_store.get_channel(db, found[1])
    if user is None or channel is None:
        return None
    return user, channel, Unsubscribe(user.locale, await _title(db, user.locale, channel, user.id))


async def check_unsubscribe(svc: Services, token: str) -> Unsubscribe | None:
    """GET: what the link is about (None: not a valid link). Changes nothing — mail scanners follow links."""
    key = await _key(svc)
    async with svc.db.read() as db:
        found = await _membership_for(db, key, token)
    return found[2] if found else None


async def do_unsubscribe(svc: Services, token: str) -> Unsubscribe | None:
    """POST (the page's button, or the mail client's one-click List-Unsubscribe-Post): that channel's email
    setting becomes `none`. Works without a session: the signed link is the proof."""
    key = await _key(svc)
    async with svc.db.write() as uow:
        found = await _membership_for(uow.session, key, token)
        if found is None:
            return None
        user, channel, view = found
        member = await channels_store.get_channel_member(uow.session, channel.id, user.id)
        if member is not None and (member.notify_props or {}).get("email") != "none":
            set_notify_props_txn(uow, member, {"email": "none"})
    return view


# Batches ----------------------------------------------------------------------------------------------


async def do_send_email_batches(svc: Services, now: int) -> int:
    """One run of the `email_batches` job: queue the email of every user whose window has closed. Returns how
    many emails were queued."""
    async with svc.db.read() as db:
        oldest = await pending_store.oldest_per_user(db)
        intervals = await preferences_store.get_value_for_users(db, list(oldest), "notifications", "email_interval") if oldest else {}
    due = sorted(user_id for user_id, first in oldest.items() if first + interval_ms(intervals.get(user_id)) <= now)
    if not due:
        return 0
    key = await _key(svc)
    queued = 0
    for user_id in due:
        async with svc.db.write() as uow:
            queued += await _batch_txn(uow, svc, key, user_id, now)
    return queued


def _wants_email(user: User, member_props: dict[str, str]) -> bool:
    recipient = notify_rules.Recipient(user.id, user.username, props=user.notify_props or {}, channel_props=member_props)
    return not notify_rules.is_muted(recipient) and notify_rules.level(recipient, "email") != "none"


async def _permalink_team(db: AsyncSession, user_id: str, channels: list[Channel]) -> dict[str, str]:
    """team id -> name for the links; direct messages (no team) link through the user's first team."""
    team_ids = {c.team_id for c in channels if c.team_id}
    if any(not c.team_id for c in channels):
        team_ids |= set(await teams_store.get_active_team_ids_for_user(db, user_id))
    teams = sorted((t for t in await teams_store.get_teams_by_ids(db, sorted(team_ids)) if not t.delete_at), key=lambda t: t.name)
    names = {t.id: t.name for t in teams}
    if teams:
        names[""] = teams[0].name
    return names


async def _batch_txn(uow: UnitOfWork, svc: Services, key: bytes, user_id: str, now: int) -> int:
    db = uow.session
    waiting = await pending_store.take(db, user_id)
    user = await users_store.get_user(db, user_id)
    if not waiting or user is None or user.delete_at or user.is_bot or not user.email:
        return 0
    posts = {p.id: p for p in await posts_store.get_posts_by_ids(db, [w.post_id for w in waiting])}
    channel_ids = sorted({w.channel_id for w in waiting})
    channels = {c.id: c for c in await channels_store.get_channels_by_ids(db, channel_ids)}
    members = {m.channel_id: m for m in await channels_store.get_user_memberships(db, user_id, channel_ids)}
    chosen: dict[str, list[Post]] = {}  # channel id -> posts, in the order of the first waiting post
    for row in waiting:
        post, channel, member = posts.get(row.post_id), channels.get(row.channel_id), members.get(row.channel_id)
        if post is None or post.delete_at or channel is None or channel.delete_at or member is None:
            continue
        if member.last_viewed_at >= post.create_at or not _wants_email(user, member.notify_props or {}):
            continue
        chosen.setdefault(channel.id, []).append(post)
    if not chosen:
        return 0
    senders = {u.id: u for u in await users_store.get_users_by_ids(db, sorted({p.user_id for ps in chosen.values() for p in ps}))}
    team_names = await _permalink_team(db, user_id, [channels[c] for c in chosen])
    site = svc.settings.site_url.rstrip("/")
    zone = user.timezone.get("automaticTimezone" if user.timezone.get("useAutomaticTimezone") == "true" else "manualTimezone", "") if user.timezone else ""
    sections = []
    for channel_id, channel_posts in chosen.items():
        channel = channels[channel_id]
        team = team_names.get(channel.team_id) or team_names.get("")
        lines = [
            MessageLine(
                sender="@" + (senders[p.user_id].username if p.user_id in senders else "?"),
                at=local_time(p.create_at, zone),
                text=p.message,
                link=f"{site}/{team}/pl/{p.id}" if team else f"{site}/_redirect/pl/{p.id}",
            )
            for p in channel_posts
        ]
        link = f"{site}/api/v4/email/unsubscribe?token={unsubscribe_token(key, user_id, channel_id)}"
        sections.append(ChannelSection(await _title(db, user.locale, channel, user_id), lines, link))
    queue_mail_txn(uow, user.email, notification_mail(user.locale, svc.settings.site_name, sections), now=now)
    return 1
