"""Channels: create, read, change, archive; direct and group messages; membership, read state, unread counts.

Every route answers "missing" and "not yours" alike (access.py); private channels, DMs and GMs exist only for
their members (A1). Joins, leaves and property changes leave `system_*` posts, as Mattermost does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.access import (
    access_channel,
    access_team,
    channel_permissions,
    check_channel_readable,
    has_system_permission,
    require,
    system_permissions,
    team_permissions,
)
from kafana.actions import audit, push
from kafana.actions.context import Actor, Services
from kafana.actions.member_roles import RoleChange, apply_role_change
from kafana.actions.posts import create_system_post_txn
from kafana.db import UnitOfWork
from kafana.events import Event, to_channel, to_team, to_user
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden, invalid_param, not_found
from kafana.lib.ids import is_valid_id, new_id
from kafana.lib.validation import check_channel_name, check_length
from kafana.models import Channel, ChannelMember, Team, User
from kafana.models.channels import DEFAULT_CHANNEL_NOTIFY_PROPS
from kafana.store import channels as channels_store
from kafana.store import files as files_store
from kafana.store import posts as posts_store
from kafana.store import teams as teams_store
from kafana.store import users as users_store

T = TypeVar("T")

DEFAULT_CHANNEL = "town-square"
DEFAULT_CHANNELS = (("town-square", "Town Square"), ("off-topic", "Off-Topic"))
LIMITS = {"display_name": 64, "purpose": 250, "header": 1024}
GROUP_MIN_USERS, GROUP_MAX_USERS = 3, 8

NAME_EXISTS = AppError(400, "store.sql_channel.save_channel.exists.app_error", "A channel with that name already exists on the same team.")
CHANNEL_ARCHIVED = AppError(400, "api.channel.add_user_to_channel.deleted.app_error", "The channel has been archived or deleted.")
NOT_IN_TEAM = AppError(400, "api.channel.add_user.to.channel.failed.deleted.app_error", "The user is not an active member of the channel's team.")
INACTIVE_USER = AppError(400, "api.channel.add_user.to.channel.failed.deactivated.app_error", "Deactivated users cannot be added to channels.")
DEFAULT_CHANNEL_FIXED = AppError(400, "api.channel.update_channel.tried.app_error", "The default channel cannot be renamed, archived or made private.")


# Helpers --------------------------------------------------------------------------------------------------


async def retry_on_conflict(attempt: Callable[[], Awaitable[T]]) -> T:
    """Run a use case again if a concurrent writer won a unique-key race (PostgreSQL); the second run sees
    the winner's row and answers idempotently."""
    try:
        return await attempt()
    except IntegrityError:
        return await attempt()


def _username(actor: Actor) -> str:
    return actor.user.username if actor.user is not None else "system"


def check_display_name(value: str) -> str:
    return check_length("display_name", value.strip(), LIMITS["display_name"], minimum=1, entity="channel")


def check_channel_text(field: str, value: str) -> str:
    return check_length(field, value, LIMITS[field], entity="channel")


def _kind(channel: Channel) -> str:
    return "public" if channel.type == "O" else "private"


def new_channel(team_id: str, name: str, display_name: str, type: str, creator_id: str, *, purpose: str = "", header: str = "") -> Channel:
    now = now_ms()
    return Channel(
        id=new_id(),
        create_at=now,
        update_at=now,
        delete_at=0,
        team_id=team_id,
        type=type,
        display_name=display_name,
        name=name,
        header=header,
        purpose=purpose,
        last_post_at=0,
        last_root_post_at=0,
        total_msg_count=0,
        total_msg_count_root=0,
        creator_id=creator_id,
    )


async def _catch_up(uow: UnitOfWork, member: ChannelMember, at: int) -> None:
    """The member has seen everything in the channel up to now."""
    member.msg_count, member.msg_count_root = await channels_store.get_channel_totals(uow.session, member.channel_id)
    member.mention_count = member.mention_count_root = member.urgent_mention_count = 0
    member.last_viewed_at = member.last_update_at = at


def _member_updated(member: ChannelMember) -> Any:
    return to_user(member.user_id, "channel_member_updated", {"channelMember": json.dumps(member.to_api())})


def _channel_updated(channel: Channel) -> Any:
    return to_channel(channel.id, "channel_updated", {"channel": json.dumps(channel.to_api())})


async def _fresh(uow: UnitOfWork, channel: Channel) -> Channel:
    """Reload counters that system posts changed behind the ORM's back (they skip its sync)."""
    await uow.session.flush()
    await uow.session.refresh(channel)
    return channel


# Membership inside a caller's transaction (teams use these too) -----------------------------------------


async def add_member_txn(
    uow: UnitOfWork, channel: Channel, user: User, *, by: User | None, admin: bool = False, post: bool = True, team_join: bool = False, announce: bool = True
) -> tuple[ChannelMember, bool]:
    """Add `user` to `channel` (second value False when they already were a member).

    Joining yourself leaves the channel read; someone added by another sees the "added" post as unread.
    """
    db = uow.session
    existing = await channels_store.get_channel_member(db, channel.id, user.id)
    if existing is not None:
        return existing, False
    seen, seen_root = await channels_store.get_channel_totals(db, channel.id)
    now = now_ms()
    member = ChannelMember(
        channel_id=channel.id,
        user_id=user.id,
        roles="",
        last_viewed_at=0,
        msg_count=seen,
        msg_count_root=seen_root,
        mention_count=0,
        mention_count_root=0,
        urgent_mention_count=0,
        notify_props=dict(DEFAULT_CHANNEL_NOTIFY_PROPS),
        last_update_at=now,
        scheme_user=not user.is_guest,
        scheme_admin=admin and not user.is_guest,
        scheme_guest=user.is_guest,
    )
    db.add(member)
    await db.flush()
    by_self = by is None or by.id == user.id
    # The membership event comes before the notice, as in Mattermost: the new member gets the notice too.
    # New DMs and GMs announce themselves with direct_added / group_added; a creator learns of a new channel
    # from channel_created.
    if announce and not channel.is_direct:
        uow.emit(to_channel(channel.id, "user_added", {"user_id": user.id, "team_id": channel.team_id}))
    seen_at = now_ms()
    if post:
        town_square = team_join and channel.name == DEFAULT_CHANNEL
        kind = "team" if town_square else "channel"
        if by_self:
            notice = await create_system_post_txn(
                uow, channel, user.id, f"system_join_{kind}", f"@{user.username} joined the {kind}.", {"username": user.username}
            )
            seen_at = notice.create_at  # the joiner has read up to their own notice, and no later
        else:
            assert by is not None
            props = {"userId": by.id, "username": by.username, "addedUserId": user.id, "addedUsername": user.username}
            await create_system_post_txn(uow, channel, by.id, f"system_add_to_{kind}", f"@{user.username} added to the {kind} by @{by.username}.", props)
    if by_self:
        await _catch_up(uow, member, seen_at)
    return member, True


async def remove_member_txn(uow: UnitOfWork, channel: Channel, member: ChannelMember, user: User, *, by: User | None, post: bool = True) -> None:
    db = uow.session
    await db.delete(member)
    await db.flush()
    remover_id = by.id if by is not None else ""
    # Removal first: the member who left gets no more of the channel, not even the notice of leaving.
    uow.emit(to_channel(channel.id, "user_removed", {"user_id": user.id, "remover_id": remover_id}, omit=frozenset({user.id})))
    uow.emit(to_user(user.id, "user_removed", {"channel_id": channel.id, "remover_id": remover_id}))
    if post:
        if by is None or by.id == user.id:
            await create_system_post_txn(uow, channel, user.id, "system_leave_channel", f"@{user.username} left the channel.", {"username": user.username})
        else:
            props = {"userId": by.id, "username": by.username, "removedUserId": user.id, "removedUsername": user.username}
            await create_system_post_txn(uow, channel, by.id, "system_remove_from_channel", f"@{user.username} was removed from the channel.", props)


# Creating -------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ChannelDraft:
    team_id: str
    name: str
    display_name: str
    type: str
    purpose: str = ""
    header: str = ""


def check_draft(draft: ChannelDraft) -> ChannelDraft:
    if draft.type not in ("O", "P"):
        raise bad_request("model.channel.is_valid.type.app_error", "Invalid type: a channel is public (O) or private (P).")
    if not is_valid_id(draft.team_id):
        raise bad_request("model.channel.is_valid.team_id.app_error", "Invalid team id.")
    return ChannelDraft(
        team_id=draft.team_id,
        name=check_channel_name(draft.name),
        display_name=check_display_name(draft.display_name),
        type=draft.type,
        purpose=check_channel_text("purpose", draft.purpose),
        header=check_channel_text("header", draft.header),
    )


async def do_create_channel(svc: Services, actor: Actor, draft: ChannelDraft) -> Channel:
    """POST /channels: the creator becomes the channel's admin (scheme_admin)."""
    draft = check_draft(draft)

    async def attempt() -> Channel:
        async with svc.db.write() as uow:
            return await create_channel_txn(uow, actor, draft)

    try:
        return await attempt()
    except IntegrityError:
        raise NAME_EXISTS from None


async def create_channel_txn(uow: UnitOfWork, actor: Actor, draft: ChannelDraft) -> Channel:
    db = uow.session
    access = await access_team(db, actor, draft.team_id)
    if access.team.delete_at:
        raise not_found("team")
    require(team_permissions(actor, access.member), "create_public_channel" if draft.type == "O" else "create_private_channel")
    if await channels_store.get_channel_by_name(db, draft.team_id, draft.name) is not None:
        raise NAME_EXISTS
    channel = new_channel(draft.team_id, draft.name, draft.display_name, draft.type, actor.user_id, purpose=draft.purpose, header=draft.header)
    db.add(channel)
    await db.flush()
    if actor.user is not None:
        await add_member_txn(uow, channel, actor.user, by=actor.user, admin=True, post=False, announce=False)
        uow.emit(to_user(actor.user_id, "channel_created", {"channel_id": channel.id, "team_id": channel.team_id}))
    return channel


async def create_default_channels_txn(uow: UnitOfWork, team: Team) -> list[Channel]:
    """A new team's town-square and off-topic (no members yet)."""
    made = [new_channel(team.id, name, display, "O", "") for name, display in DEFAULT_CHANNELS]
    uow.session.add_all(made)
    await uow.session.flush()
    return made


def direct_channel_name(a: str, b: str) -> str:
    return "__".join(sorted((a, b)))


def group_channel_name(user_ids: Sequence[str]) -> str:
    return hashlib.sha1("".join(sorted(user_ids)).encode()).hexdigest()


def group_display_name(users: Sequence[User]) -> str:
    name = ", ".join(sorted(u.username for u in users))
    limit = LIMITS["display_name"]
    return name if len(name) <= limit else name[: limit - 3] + "..."


async def do_create_direct(svc: Services, actor: Actor, user_ids: list[str]) -> Channel:
    """POST /channels/direct [a, b]: the existing DM, or a new one (a user may message themself)."""
    if len(user_ids) != 2 or not all(is_valid_id(u) for u in user_ids):
        raise invalid_param("user_ids")
    if actor.user_id not in user_ids and not actor.is_admin:
        raise forbidden()
    require(system_permissions(actor), "create_direct_channel")
    name = direct_channel_name(user_ids[0], user_ids[1])

    creator_id = actor.user_id if actor.user_id in user_ids else user_ids[0]
    teammate = next((u for u in user_ids if u != creator_id), creator_id)
    event = {"creator_id": creator_id, "teammate_id": teammate}
    return await _open_conversation(svc, name, "D", user_ids, creator_id, lambda users: "", lambda channel: to_channel(channel.id, "direct_added", event))


async def do_create_group(svc: Services, actor: Actor, user_ids: list[str]) -> Channel:
    """POST /channels/group: 3 to 8 people including the caller; the existing GM if there is one."""
    if not all(is_valid_id(u) for u in user_ids):
        raise invalid_param("user_ids")
    ids = list(dict.fromkeys([*user_ids, *([actor.user_id] if actor.user is not None else [])]))
    if not GROUP_MIN_USERS <= len(ids) <= GROUP_MAX_USERS:
        raise bad_request("api.channel.create_group.bad_size.app_error", f"Group message channels must contain {GROUP_MIN_USERS} to {GROUP_MAX_USERS} users.")
    require(system_permissions(actor), "create_group_channel")
    name = group_channel_name(ids)

    event = {"teammate_ids": json.dumps(sorted(ids))}
    return await _open_conversation(svc, name, "G", ids, actor.user_id, group_display_name, lambda channel: to_channel(channel.id, "group_added", event))


async def _open_conversation(
    svc: Services, name: str, kind: str, user_ids: list[str], creator_id: str, display_name: Callable[[list[User]], str], event: Callable[[Channel], Event]
) -> Channel:
    """The direct or group channel named `name`: the existing one, or a new one with every user a member."""

    async def attempt() -> Channel:
        async with svc.db.write() as uow:
            existing = await channels_store.get_channel_by_name(uow.session, "", name)
            if existing is not None:
                return existing
            users = await users_store.get_users_by_ids(uow.session, user_ids)
            if len(users) != len(set(user_ids)):
                raise not_found("user")
            await _check_guest_conversation(uow.session, creator_id, users)
            return await _new_conversation_txn(uow, name, kind, users, creator_id, display_name(users), event)

    return await retry_on_conflict(attempt)


async def _new_conversation_txn(
    uow: UnitOfWork, name: str, kind: str, users: Sequence[User], creator_id: str, display_name: str, event: Callable[[Channel], Event]
) -> Channel:
    channel = new_channel("", name, display_name, kind, creator_id)
    uow.session.add(channel)
    await uow.session.flush()
    for user in users:
        await add_member_txn(uow, channel, user, by=user, post=False)
    uow.emit(event(channel))
    return channel


async def direct_channel_txn(uow: UnitOfWork, sender: User, receiver: User) -> Channel:
    """The DM between two users, opened inside the caller's transaction (the system bot's messages)."""
    name = direct_channel_name(sender.id, receiver.id)
    existing = await channels_store.get_channel_by_name(uow.session, "", name)
    if existing is not None:
        return existing
    event = {"creator_id": sender.id, "teammate_id": receiver.id}
    return await _new_conversation_txn(uow, name, "D", [sender, receiver], sender.id, "", lambda channel: to_channel(channel.id, "direct_added", event))


async def _check_guest_conversation(db: AsyncSession, creator_id: str, users: list[User]) -> None:
    """A guest talks directly only with people it shares a channel with, in both directions (A11)."""
    creator = next((u for u in users if u.id == creator_id), None)
    if creator is None:
        return
    for other in users:
        if other.id != creator.id and (creator.is_guest or other.is_guest) and not await channels_store.share_a_channel(db, creator.id, other.id):
            raise forbidden()


# Reading --------------------------------------------------------------------------------------------------


async def get_channel(svc: Services, actor: Actor, channel_id: str) -> Channel:
    async with svc.db.read() as db:
        return (await access_channel(db, actor, channel_id)).channel


async def get_channel_by_name(svc: Services, actor: Actor, team_id: str, name: str, *, include_deleted: bool = False, team_name: str = "") -> Channel:
    """By team id (or team name) and channel name; a private channel you are not in is simply not found."""
    async with svc.db.read() as db:
        if team_name:
            team = await teams_store.get_team_by_name(db, team_name)
            if team is None:
                raise not_found("channel")
            team_id = team.id
        channel = await channels_store.get_channel_by_name(db, team_id, name)
        if channel is None or (channel.delete_at and not include_deleted):
            raise not_found("channel")
        try:
            await check_channel_readable(db, actor, channel)
        except AppError:
            raise not_found("channel") from None
        return channel


async def list_public_channels(svc: Services, actor: Actor, team_id: str, offset: int, limit: int) -> list[Channel]:
    async with svc.db.read() as db:
        access = await access_team(db, actor, team_id)
        require(team_permissions(actor, access.member), "list_team_channels")
        return await channels_store.get_team_channels(db, team_id, types=("O",), offset=offset, limit=limit)


async def list_private_channels(svc: Services, actor: Actor, team_id: str, offset: int, limit: int) -> list[Channel]:
    """Every private channel of a team: system admins only (A16)."""
    async with svc.db.read() as db:
        await access_team(db, actor, team_id)
        if not has_system_permission(actor, "manage_system"):
            raise forbidden()
        return await channels_store.get_team_channels(db, team_id, types=("P",), offset=offset, limit=limit)


async def list_deleted_channels(svc: Services, actor: Actor, team_id: str, offset: int, limit: int) -> list[Channel]:
    """Archived public channels, and archived private ones the caller belongs to; team members only (A4)."""
    async with svc.db.read() as db:
        access = await access_team(db, actor, team_id)
        if actor.is_guest:  # archived public channels are still public channels: not for guests (A11)
            require(team_permissions(actor, access.member), "list_team_channels")
        return await channels_store.get_deleted_channels(db, team_id, None if actor.is_admin else actor.user_id, offset, limit)


async def search_channels(svc: Services, actor: Actor, team_id: str, term: str, *, autocomplete: bool = False, limit: int = 100) -> list[Channel]:
    """Search finds public channels; autocomplete also the caller's private ones (by name prefix)."""
    async with svc.db.read() as db:
        access = await access_team(db, actor, team_id)
        require(team_permissions(actor, access.member), "list_team_channels")
        return await channels_store.search_channels(
            db, team_id, term.strip(), member_id=actor.user_id, prefix=autocomplete, include_private=autocomplete, limit=limit
        )


def check_self_or_admin(actor: Actor, user_id: str) -> None:
    if actor.user_id != user_id and not actor.is_admin:
        raise forbidden()


async def list_user_channels(
    svc: Services, actor: Actor, user_id: str, team_id: str | None, *, include_deleted: bool = False, last_delete_at: int = 0
) -> list[Channel]:
    """The user's channels (in one team, plus all their DMs and GMs; or everywhere when team_id is None)."""
    check_self_or_admin(actor, user_id)
    async with svc.db.read() as db:
        if team_id is not None:
            await access_team(db, actor, team_id)
        return await channels_store.get_channels_for_user(db, user_id, team_id=team_id, include_deleted=include_deleted, last_delete_at=last_delete_at)


async def list_user_channel_members(svc: Services, actor: Actor, user_id: str, team_id: str | None, *, offset: int = 0, limit: int = 0) -> list[ChannelMember]:
    check_self_or_admin(actor, user_id)
    async with svc.db.read() as db:
        if team_id is not None:
            await access_team(db, actor, team_id)
        return await channels_store.get_channel_members_for_user(db, user_id, team_id=team_id, offset=offset, limit=limit)


async def list_channel_members(svc: Services, actor: Actor, channel_id: str, offset: int, limit: int) -> list[ChannelMember]:
    async with svc.db.read() as db:
        await access_channel(db, actor, channel_id)
        return await channels_store.get_channel_members(db, channel_id, offset, limit)


async def get_channel_members_by_ids(svc: Services, actor: Actor, channel_id: str, user_ids: list[str]) -> list[ChannelMember]:
    async with svc.db.read() as db:
        await access_channel(db, actor, channel_id)
        return await channels_store.get_channel_members_by_ids(db, channel_id, user_ids)


async def get_channel_member(svc: Services, actor: Actor, channel_id: str, user_id: str) -> ChannelMember:
    async with svc.db.read() as db:
        await access_channel(db, actor, channel_id)
        member = await channels_store.get_channel_member(db, channel_id, user_id)
    if member is None:
        raise not_found("channel_member")
    return member


async def get_channel_stats(svc: Services, actor: Actor, channel_id: str) -> dict[str, Any]:
    async with svc.db.read() as db:
        await access_channel(db, actor, channel_id)
        members, guests = await channels_store.count_channel_members(db, channel_id)
        pinned = await posts_store.count_pinned(db, channel_id)
        files = await files_store.count_channel_files(db, channel_id)
    return {"channel_id": channel_id, "member_count": members, "guest_count": guests, "pinnedpost_count": pinned, "files_count": files}


async def get_channel_unread(svc: Services, actor: Actor, user_id: str, channel_id: str) -> dict[str, Any]:
    """GET /users/{uid}/channels/{cid}/unread: unread = channel total − what the member has seen."""
    check_self_or_admin(actor, user_id)
    async with svc.db.read() as db:
        access = await access_channel(db, actor, channel_id)
        member = access.member if user_id == actor.user_id else await channels_store.get_channel_member(db, channel_id, user_id)
        if member is None:
            raise not_found("channel_member")
        total, total_root = await channels_store.get_channel_totals(db, channel_id)
    return {
        "team_id": access.channel.team_id,
        "channel_id": channel_id,
        "msg_count": max(total - member.msg_count, 0),
        "mention_count": member.mention_count,
        "mention_count_root": member.mention_count_root,
        "urgent_mention_count": member.urgent_mention_count,
        "msg_count_root": max(total_root - member.msg_count_root, 0),
    }


# Changing -------------------------------------------------------------------------------------------------


def _change_message(username: str, what: str, old: str, new: str) -> str:
    if not old:
        return f"@{username} updated the channel {what} to: {new}"
    if not new:
        return f"@{username} removed the channel {what} (was: {old})"
    return f"@{username} updated the channel {what} from: {old} to: {new}"


async def do_patch_channel(svc: Services, actor: Actor, channel_id: str, patch: dict[str, str]) -> Channel:
    """PUT /channels/{id}/patch and PUT /channels/{id}: name, display_name, purpose, header (others ignored, A14).

    Header, purpose and display-name changes leave a system post. A private channel you are not in is not
    found (A2), and nothing changes.
    """
    async with svc.db.write() as uow:
        db = uow.session
        access = await access_channel(db, actor, channel_id)
        channel = access.channel
        if channel.delete_at:
            raise bad_request("api.channel.update_channel.deleted.app_error", "The channel has been archived or deleted.")
        if channel.is_direct:
            if access.member is None:
                raise forbidden()
            if any(k in patch and patch[k] != getattr(channel, k) for k in ("name", "display_name")):
                raise bad_request("api.channel.patch_update_channel.forbidden.app_error", "Direct and group messages cannot be renamed.")
        else:
            require(channel_permissions(actor, access), f"manage_{_kind(channel)}_channel_properties")
        new_name = patch.get("name")
        if new_name is not None and new_name != channel.name:
            if channel.name == DEFAULT_CHANNEL:
                raise DEFAULT_CHANNEL_FIXED
            check_channel_name(new_name)
            if await channels_store.get_channel_by_name(db, channel.team_id, new_name) is not None:
                raise NAME_EXISTS
        values = {
            "display_name": check_display_name(patch["display_name"]) if "display_name" in patch and not channel.is_direct else None,
            "purpose": check_channel_text("purpose", patch["purpose"]) if "purpose" in patch else None,
            "header": check_channel_text("header", patch["header"]) if "header" in patch else None,
        }
        username = _username(actor)
        old = {k: getattr(channel, k) for k in ("name", "display_name", "purpose", "header")}
        if new_name is not None:
            channel.name = new_name
        for key, value in values.items():
            if value is not None:
                setattr(channel, key, value)
        channel.update_at = now_ms()
        try:
            await db.flush()
        except IntegrityError:
            raise NAME_EXISTS from None
        if channel.display_name != old["display_name"]:
            props = {"old_displayname": old["display_name"], "new_displayname": channel.display_name, "username": username}
            message = f"@{username} updated the channel display name from: {old['display_name']} to: {channel.display_name}"
            await create_system_post_txn(uow, channel, actor.user_id, "system_displayname_change", message, props)
        if channel.purpose != old["purpose"]:
            props = {"old_purpose": old["purpose"], "new_purpose": channel.purpose, "username": username}
            message = _change_message(username, "purpose", old["purpose"], channel.purpose)
            await create_system_post_txn(uow, channel, actor.user_id, "system_purpose_change", message, props)
        if channel.header != old["header"]:
            props = {"old_header": old["header"], "new_header": channel.header, "username": username}
            message = _change_message(username, "header", old["header"], channel.header)
            await create_system_post_txn(uow, channel, actor.user_id, "system_header_change", message, props)
        await _fresh(uow, channel)
        uow.emit(_channel_updated(channel))
    return channel


async def do_set_privacy(svc: Services, actor: Actor, channel_id: str, privacy: str) -> Channel:
    """PUT /channels/{id}/privacy: public ⇄ private, with the convert_* permissions (team admins)."""
    if privacy not in ("O", "P"):
        raise invalid_param("privacy")
    async with svc.db.write() as uow:
        access = await access_channel(uow.session, actor, channel_id)
        channel = access.channel
        if channel.is_direct:
            raise bad_request("api.channel.update_channel_privacy.type.app_error", "Only public and private channels can change privacy.")
        if channel.delete_at:
            raise bad_request("api.channel.update_channel.deleted.app_error", "The channel has been archived or deleted.")
        require(channel_permissions(actor, access), "convert_public_channel_to_private" if privacy == "P" else "convert_private_channel_to_public")
        if channel.type == privacy:
            return channel
        if channel.name == DEFAULT_CHANNEL:
            raise DEFAULT_CHANNEL_FIXED
        channel.type = privacy
        channel.update_at = now_ms()
        word = "Private" if privacy == "P" else "Public"
        await create_system_post_txn(
            uow, channel, actor.user_id, "system_change_chan_privacy", f"This channel has been converted to a {word} Channel.", {"username": _username(actor)}
        )
        await _fresh(uow, channel)
        uow.emit(_channel_updated(channel))
        if privacy == "O":
            uow.emit(to_team(channel.team_id, "channel_converted", {"channel_id": channel.id}))
    return channel


def _archive_event(channel: Channel, name: str) -> Any:
    """Archiving news goes to the whole team for public channels, only to members for private ones."""
    data = {"channel_id": channel.id, "delete_at": channel.delete_at}
    return to_team(channel.team_id, name, data) if channel.type == "O" else to_channel(channel.id, name, data)


async def do_archive_channel(svc: Services, actor: Actor, channel_id: str) -> Channel:
    """DELETE /channels/{id}: archive (delete_at); history stays readable, nothing new can be posted."""
    async with svc.db.write() as uow:
        access = await access_channel(uow.session, actor, channel_id)
        channel = access.channel
        if channel.is_direct:
            raise bad_request("api.channel.delete_channel.type.invalid", "Direct and group messages cannot be archived.")
        if channel.name == DEFAULT_CHANNEL:
            raise bad_request("api.channel.delete_channel.cannot.app_error", "The default channel cannot be archived.")
        require(channel_permissions(actor, access), f"delete_{_kind(channel)}_channel")
        if channel.delete_at:
            raise bad_request("api.channel.delete_channel.deleted.app_error", "The channel is already archived.")
        username = _username(actor)
        await create_system_post_txn(uow, channel, actor.user_id, "system_channel_deleted", f"@{username} archived the channel.", {"username": username})
        await _fresh(uow, channel)
        channel.delete_at = channel.update_at = now_ms()
        uow.emit(_archive_event(channel, "channel_deleted"))
    return channel


async def do_restore_channel(svc: Services, actor: Actor, channel_id: str) -> Channel:
    """POST /channels/{id}/restore: team admins (manage_team) bring an archived channel back."""
    async with svc.db.write() as uow:
        access = await access_channel(uow.session, actor, channel_id)
        channel = access.channel
        require(team_permissions(actor, access.team_member), "manage_team")
        if not channel.delete_at:
            raise bad_request("api.channel.restore_channel.restored.app_error", "The channel is not archived.")
        channel.delete_at = 0
        channel.update_at = now_ms()
        username = _username(actor)
        await create_system_post_txn(uow, channel, actor.user_id, "system_channel_restored", f"@{username} unarchived the channel.", {"username": username})
        await _fresh(uow, channel)
        uow.emit(_archive_event(channel, "channel_restored"))
    return channel


MEMBERS_OUTSIDE_TEAM = AppError(
    400, "app.channel.move_channel.members_do_not_match.error", "Some members of the channel are not in the team; move it with force to remove them."
)


async def do_move_channel(svc: Services, actor: Actor, channel_id: str, team_id: str, *, force: bool = False) -> Channel:
    """POST /channels/{id}/move (manage_system): the channel, its history and its members go to another team.
    Members who are not in that team block the move, or with `force` are removed from the channel first."""
    if not has_system_permission(actor, "manage_system"):
        raise forbidden()
    async with svc.db.write() as uow:
        channel = (await access_channel(uow.session, actor, channel_id)).channel
        if not is_valid_id(team_id):
            raise invalid_param("team_id")
        team = (await access_team(uow.session, actor, team_id)).team
        if channel.is_direct or channel.name == DEFAULT_CHANNEL:
            raise bad_request("api.channel.move_channel.type.invalid", "Direct messages, group messages and a team's default channel cannot move.")
        if team.delete_at:
            raise bad_request("api.channel.move_channel.team_archived.app_error", "The team is archived.")
        if channel.team_id == team.id:
            return channel
        if await channels_store.get_channel_by_name(uow.session, team.id, channel.name) is not None:
            raise NAME_EXISTS
        outside = await channels_store.members_outside_team(uow.session, channel.id, team.id)
        if outside and not force:
            raise MEMBERS_OUTSIDE_TEAM
        by = actor.user
        for user in await users_store.get_users_by_ids(uow.session, outside):
            member = await channels_store.get_channel_member(uow.session, channel.id, user.id)
            if member is not None:
                await remove_member_txn(uow, channel, member, user, by=by)
        await _fresh(uow, channel)
        old_team = channel.team_id
        channel.team_id, channel.update_at = team.id, now_ms()
        audit.record_txn(uow, svc, "move_channel", actor=actor, target_id=channel.id, old_team_id=old_team, new_team_id=team.id, removed=len(outside))
        # Clients drop it from the old team's sidebar and show it in the new one's.
        uow.emit(to_team(old_team, "channel_deleted", {"channel_id": channel.id, "delete_at": 0}))
        uow.emit(_channel_updated(channel))
    return channel


async def search_all_channels(
    svc: Services, actor: Actor, term: str, *, team_ids: Sequence[str] = (), deleted: bool | None = False, offset: int = 0, limit: int = 100
) -> list[tuple[Channel, Team]]:
    """GET /channels and POST /channels/search (the system console): every team's channels, private ones
    included, for system admins only (A16)."""
    if not has_system_permission(actor, "manage_system"):
        raise forbidden()
    async with svc.db.read() as db:
        return await channels_store.search_all_channels(db, term.strip(), team_ids=team_ids, deleted=deleted, offset=offset, limit=limit)


# Members --------------------------------------------------------------------------------------------------


async def do_add_channel_member(svc: Services, actor: Actor, channel_id: str, user_id: str) -> ChannelMember:
    """POST /channels/{id}/members: join a public channel yourself, or add a team member (manage_*_members)."""

    async def attempt() -> ChannelMember:
        async with svc.db.write() as uow:
            return await add_channel_member_txn(uow, actor, channel_id, user_id)

    return await retry_on_conflict(attempt)


async def add_channel_member_txn(uow: UnitOfWork, actor: Actor, channel_id: str, user_id: str) -> ChannelMember:
    db = uow.session
    access = await access_channel(db, actor, channel_id)
    channel = access.channel
    if channel.is_direct:
        raise bad_request("api.channel.add_user_to_channel.type.app_error", "Members cannot be added to direct or group messages.")
    if channel.delete_at:
        raise CHANNEL_ARCHIVED
    perms = channel_permissions(actor, access)
    by_self = user_id == actor.user_id
    if by_self and channel.type == "O":
        require(perms, "join_public_channels")
    else:
        require(perms, f"manage_{_kind(channel)}_channel_members")
    user = await users_store.get_user(db, user_id)
    if user is None:
        raise not_found("user")
    existing = await channels_store.get_channel_member(db, channel.id, user.id)
    if existing is not None:
        return existing
    if user.delete_at:
        raise INACTIVE_USER
    team_member = await teams_store.get_team_member(db, channel.team_id, user.id)
    if team_member is None or team_member.delete_at:
        raise NOT_IN_TEAM
    member, _ = await add_member_txn(uow, channel, user, by=actor.user or user)
    return member


async def do_remove_channel_member(svc: Services, actor: Actor, channel_id: str, user_id: str) -> None:
    """DELETE /channels/{id}/members/{uid}: leave, or remove someone (manage_*_members). DMs cannot be left."""
    async with svc.db.write() as uow:
        db = uow.session
        access = await access_channel(db, actor, channel_id)
        channel = access.channel
        by_self = user_id == actor.user_id
        if channel.type == "D" or (channel.type == "G" and not by_self):
            raise bad_request("api.channel.remove_user_from_channel.direct.app_error", "Members cannot leave or be removed from direct messages.")
        if channel.delete_at:
            raise bad_request("api.channel.remove_user_from_channel.deleted.app_error", "The channel has been archived.")
        if channel.name == DEFAULT_CHANNEL:
            raise bad_request("api.channel.remove.default.app_error", "Nobody can leave the default channel.")
        if not by_self:
            require(channel_permissions(actor, access), f"manage_{_kind(channel)}_channel_members")
        member = access.member if by_self else await channels_store.get_channel_member(db, channel.id, user_id)
        user = await users_store.get_user(db, user_id)
        if member is None or user is None:
            raise not_found("channel_member")
        await remove_member_txn(uow, channel, member, user, by=actor.user or user)


async def do_update_member_roles(svc: Services, actor: Actor, channel_id: str, user_id: str, change: RoleChange) -> ChannelMember:
    """PUT …/members/{uid}/roles {roles} and …/schemeRoles {scheme_admin, scheme_user}: manage_channel_roles."""
    async with svc.db.write() as uow:
        db = uow.session
        access = await access_channel(db, actor, channel_id)
        if access.channel.is_direct:
            raise bad_request("api.channel.update_channel_member_roles.type.app_error", "Direct and group message members have no roles.")
        require(channel_permissions(actor, access), "manage_channel_roles")
        member = await channels_store.get_channel_member(db, channel_id, user_id)
        if member is None:
            raise not_found("channel_member")
        apply_role_change(member, change, scope="channel")
        member.last_update_at = now_ms()
        uow.emit(_member_updated(member))
    return member


NOTIFY_VALUES = {
    "desktop": ("notify_level", {"default", "all", "mention", "none"}),
    "push": ("push_level", {"default", "all", "mention", "none"}),
    "email": ("email_value", {"default", "all", "mention", "none", "true", "false"}),
    "mark_unread": ("unread_level", {"all", "mention"}),
    "ignore_channel_mentions": ("ignore_channel_mentions_value", {"default", "off", "on"}),
    "channel_auto_follow_threads": ("channel_auto_follow_threads_value", {"on", "off"}),
}


def check_notify_props(props: dict[str, Any]) -> dict[str, str]:
    if len(props) > 64:
        raise bad_request("model.channel_member.is_valid.notify_props.app_error", "Too many notification settings.")
    out: dict[str, str] = {}
    for key, value in props.items():
        if not isinstance(value, str) or len(key) > 64 or len(value) > 256:
            raise bad_request("model.channel_member.is_valid.notify_props.app_error", f"Invalid notification setting {key[:64]!r}.")
        rule = NOTIFY_VALUES.get(key)
        if rule is not None and value not in rule[1]:
            raise bad_request(f"model.channel_member.is_valid.{rule[0]}.app_error", f"Invalid value for {key}.")
        out[key] = value
    return out


async def do_update_notify_props(svc: Services, actor: Actor, channel_id: str, user_id: str, props: dict[str, Any]) -> ChannelMember:
    """PUT …/members/{uid}/notify_props: merged into the member's settings (the user themself, or admins)."""
    check_self_or_admin(actor, user_id)
    clean = check_notify_props(props)
    async with svc.db.write() as uow:
        db = uow.session
        await access_channel(db, actor, channel_id)
        member = await channels_store.get_channel_member(db, channel_id, user_id)
        if member is None:
            raise not_found("channel_member")
        set_notify_props_txn(uow, member, clean)
    return member


def set_notify_props_txn(uow: UnitOfWork, member: ChannelMember, props: dict[str, str]) -> None:
    """Merge checked settings into the member's and tell the member's clients."""
    member.notify_props = {**(member.notify_props or DEFAULT_CHANNEL_NOTIFY_PROPS), **props}
    member.last_update_at = now_ms()
    uow.emit(_member_updated(member))


async def do_view_channels(svc: Services, actor: Actor, user_id: str, channel_ids: Sequence[str]) -> dict[str, int]:
    """POST /channels/members/{uid}/view: mark channels read; returns {channel_id: last_viewed_at}.

    Channels the user is not a member of are skipped; an empty list is fine (clients send "" when leaving).
    """
    check_self_or_admin(actor, user_id)
    wanted = list(dict.fromkeys(c for c in channel_ids if c))
    if not wanted:
        return {}
    now = now_ms()
    async with svc.db.write() as uow:
        await push.enqueue_clear_txn(uow, svc, user_id, wanted, except_session=actor.session.id if actor.session else "")
        viewed = await channels_store.mark_viewed(uow.session, user_id, wanted, now)
        times = {cid: now for cid in viewed}
        if times:
            uow.emit(to_user(user_id, "multiple_channels_viewed", {"channel_times": times}))
    return times
