"""Teams: create, read, change, archive; membership (join, add, leave, remove), member roles, unread counts.

A team is visible to its active members and to system admins; open teams (allow_open_invite) also to anyone
who may join them. Everyone else gets the same 404 as for a team that does not exist.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.access import access_team, require, system_permissions, team_permissions
from kafana.actions import channels as channel_actions
from kafana.actions.context import Actor, Services
from kafana.actions.member_roles import RoleChange, apply_role_change
from kafana.actions.posts import create_system_post_txn
from kafana.db import UnitOfWork
from kafana.events import Broadcast, Event, to_team, to_user
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden, invalid_param, not_found
from kafana.lib.ids import new_id
from kafana.lib.permissions import may_invite
from kafana.lib.validation import check_length, check_team_name
from kafana.models import Team, TeamMember, User
from kafana.store import channels as channels_store
from kafana.store import teams as teams_store
from kafana.store import users as users_store

RESERVED_TEAM_NAMES = frozenset(
    {
        "admin",
        "api",
        "channel",
        "claim",
        "error",
        "files",
        "help",
        "landing",
        "login",
        "mfa",
        "oauth",
        "plug",
        "plugins",
        "post",
        "signup",
        "boards",
        "playbooks",
    }
)
LIMITS = {"display_name": 64, "description": 255, "company_name": 64, "allowed_domains": 1000}
TEAM_EXISTS = AppError(400, "store.sql_team.save_team.existing.app_error", "A team with that name already exists.")
MAX_BATCH = 256


@dataclass(slots=True)
class TeamView:
    """A team as one viewer may see it: the email for those who manage it, the invite id for those who
    may invite (Mattermost's SanitizeTeam)."""

    team: Team
    email: bool
    invite_id: bool

    def to_api(self) -> dict[str, Any]:
        return self.team.to_api(email=self.email, invite_id=self.invite_id)


@dataclass(slots=True)
class TeamDraft:
    name: str
    display_name: str
    type: str = "O"
    description: str = ""
    company_name: str = ""
    allowed_domains: str = ""
    allow_open_invite: bool = False


def _view(svc: Services, actor: Actor, team: Team, member: TeamMember | None) -> TeamView:
    perms = team_permissions(actor, member if member is not None and member.delete_at == 0 else None)
    return TeamView(team, "manage_team" in perms, may_invite(svc.settings.invite_permission, perms))


def check_self_or_admin(actor: Actor, user_id: str) -> None:
    if actor.user_id != user_id and not actor.is_admin:
        raise forbidden()


def check_field(field: str, value: str) -> str:
    if field == "display_name":
        return check_length(field, value.strip(), LIMITS[field], minimum=1, entity="team")
    return check_length(field, value, LIMITS[field], entity="team")


def check_name(name: str) -> str:
    check_team_name(name)
    if name in RESERVED_TEAM_NAMES:
        raise bad_request("model.team.is_valid.reserved.app_error", "This team name is reserved.")
    return name


def check_type(value: str) -> str:
    if value not in ("O", "I"):
        raise bad_request("model.team.is_valid.type.app_error", "Invalid type: a team is open (O) or invite-only (I).")
    return value


def _update_event(team: Team, name: str = "update_team") -> Event:
    return to_team(team.id, name, {"team": json.dumps(team.to_api(email=False, invite_id=False))})


# Creating -------------------------------------------------------------------------------------------------


async def do_create_team(svc: Services, actor: Actor, draft: TeamDraft) -> TeamView:
    """POST /teams and `kafana team create`: the team, its town-square and off-topic, and the creator as
    team admin in all three (the system creates teams without members)."""
    name = check_name(draft.name)
    fields = {key: check_field(key, getattr(draft, key)) for key in LIMITS}
    team_type = check_type(draft.type)
    require(system_permissions(actor), "create_team")
    now = now_ms()
    try:
        async with svc.db.write() as uow:
            db = uow.session
            if await teams_store.get_team_by_name(db, name) is not None:
                raise TEAM_EXISTS
            team = Team(
                id=new_id(),
                create_at=now,
                update_at=now,
                delete_at=0,
                name=name,
                email=actor.user.email if actor.user is not None else "",
                type=team_type,
                invite_id=new_id(),
                allow_open_invite=draft.allow_open_invite,
                last_team_icon_update=0,
                **fields,
            )
            db.add(team)
            await db.flush()
            await channel_actions.create_default_channels_txn(uow, team)
            if actor.user is not None:
                await join_team_txn(uow, team, actor.user, by=actor.user, admin=True)
    except IntegrityError:
        raise TEAM_EXISTS from None
    return TeamView(team, True, True)


# Reading --------------------------------------------------------------------------------------------------


async def _my_members(db: Any, actor: Actor) -> dict[str, TeamMember]:
    if actor.user is None:
        return {}
    return {m.team_id: m for m in await teams_store.get_team_members_for_user(db, actor.user_id)}


async def get_team(svc: Services, actor: Actor, team_id: str = "", *, name: str = "") -> TeamView:
    """GET /teams/{id} and /teams/name/{name}: members, admins, and anyone for open teams."""
    async with svc.db.read() as db:
        if name:
            found = await teams_store.get_team_by_name(db, name)
            if found is None:
                raise not_found("team")
            team_id = found.id
        access = await access_team(db, actor, team_id, allow_open=True)
        return _view(svc, actor, access.team, access.member)


async def list_teams(
    svc: Services, actor: Actor, offset: int, limit: int, *, with_total: bool = False, include_deleted: bool = False
) -> tuple[list[TeamView], int]:
    """GET /teams: system admins see every team (archived ones too if they ask); others their own teams and the
    open ones."""
    archived = include_deleted and actor.is_admin
    async with svc.db.read() as db:
        mine = await _my_members(db, actor)
        member_of = None if actor.is_admin else list(mine)
        teams = await teams_store.list_teams(db, member_of=member_of, include_deleted=archived, offset=offset, limit=limit)
        total = await teams_store.count_teams(db, member_of=member_of, include_deleted=archived) if with_total else 0
    return [_view(svc, actor, t, mine.get(t.id)) for t in teams], total


async def search_teams(svc: Services, actor: Actor, term: str) -> list[TeamView]:
    async with svc.db.read() as db:
        mine = await _my_members(db, actor)
        teams = await teams_store.search_teams(db, term.strip(), member_of=None if actor.is_admin else list(mine))
    return [_view(svc, actor, t, mine.get(t.id)) for t in teams]


async def list_user_teams(svc: Services, actor: Actor, user_id: str) -> list[TeamView]:
    """GET /users/{uid}/teams: the live teams the user is an active member of (themself or admins)."""
    check_self_or_admin(actor, user_id)
    async with svc.db.read() as db:
        mine = await _my_members(db, actor)
        teams = await teams_store.get_teams_by_ids(db, await teams_store.get_active_team_ids_for_user(db, user_id))
    return [_view(svc, actor, t, mine.get(t.id)) for t in teams]


async def list_user_team_members(svc: Services, actor: Actor, user_id: str) -> list[TeamMember]:
    check_self_or_admin(actor, user_id)
    async with svc.db.read() as db:
        return await teams_store.get_team_members_for_user(db, user_id)


async def _check_can_view(db: AsyncSession, actor: Actor, team_id: str) -> None:
    """Members, stats and member look-ups need the team to be visible and `view_team` in it."""
    access = await access_team(db, actor, team_id)
    require(team_permissions(actor, access.member), "view_team")


async def list_team_members(svc: Services, actor: Actor, team_id: str, offset: int, limit: int) -> list[TeamMember]:
    async with svc.db.read() as db:
        await _check_can_view(db, actor, team_id)
        return await teams_store.get_team_members(db, team_id, offset, limit)


async def get_team_members_by_ids(svc: Services, actor: Actor, team_id: str, user_ids: Sequence[str]) -> list[TeamMember]:
    async with svc.db.read() as db:
        await _check_can_view(db, actor, team_id)
        return await teams_store.get_team_members_by_ids(db, team_id, user_ids)


async def get_team_member(svc: Services, actor: Actor, team_id: str, user_id: str) -> TeamMember:
    async with svc.db.read() as db:
        await _check_can_view(db, actor, team_id)
        member = await teams_store.get_team_member(db, team_id, user_id)
    if member is None:
        raise not_found("team_member")
    return member


async def get_team_stats(svc: Services, actor: Actor, team_id: str) -> dict[str, Any]:
    async with svc.db.read() as db:
        await _check_can_view(db, actor, team_id)
        total, active = await teams_store.count_team_members(db, team_id)
    return {"team_id": team_id, "total_member_count": total, "active_member_count": active}


def _unread(team_id: str) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "msg_count": 0,
        "mention_count": 0,
        "msg_count_root": 0,
        "mention_count_root": 0,
        "thread_count": 0,
        "thread_mention_count": 0,
        "thread_urgent_mention_count": 0,
    }


async def get_team_unreads(svc: Services, actor: Actor, user_id: str, *, team_id: str = "", exclude_team: str = "") -> list[dict[str, Any]]:
    """GET /users/{uid}/teams/unread (and …/teams/{tid}/unread): per team, the sum over the user's channels of
    unread messages (channels muted to mentions only count their mentions) and of mention counts."""
    check_self_or_admin(actor, user_id)
    async with svc.db.read() as db:
        team_ids = [m.team_id for m in await teams_store.get_team_members_for_user(db, user_id)]
        if team_id:
            if team_id not in team_ids:
                raise not_found("team")
            team_ids = [team_id]
        team_ids = [t for t in team_ids if t != exclude_team]
        rows = await teams_store.get_channel_unreads(db, user_id, team_ids)
    out = {tid: _unread(tid) for tid in team_ids}
    for row in rows:
        counts = out[row.team_id]
        if row.notify_props.get("mark_unread") != "mention":
            counts["msg_count"] += row.msg_count
            counts["msg_count_root"] += row.msg_count_root
        counts["mention_count"] += row.mention_count
        counts["mention_count_root"] += row.mention_count_root
    return list(out.values())


# Changing -------------------------------------------------------------------------------------------------


async def do_patch_team(svc: Services, actor: Actor, team_id: str, patch: dict[str, Any]) -> TeamView:
    """PUT /teams/{id}/patch and PUT /teams/{id}: display_name, description, company_name, allowed_domains,
    allow_open_invite. Names, ids, invite ids, schemes and emails in the body are ignored (A14)."""
    values: dict[str, Any] = {k: check_field(k, v) for k, v in patch.items() if k in LIMITS}
    if "allow_open_invite" in patch:
        values["allow_open_invite"] = bool(patch["allow_open_invite"])
    async with svc.db.write() as uow:
        access = await access_team(uow.session, actor, team_id)
        require(team_permissions(actor, access.member), "manage_team")
        team = access.team
        for key, value in values.items():
            setattr(team, key, value)
        team.update_at = now_ms()
        uow.emit(_update_event(team))
    return TeamView(team, True, True)


async def do_set_team_privacy(svc: Services, actor: Actor, team_id: str, privacy: str) -> TeamView:
    """PUT /teams/{id}/privacy: O makes a team open to anyone (allow_open_invite), I invite-only."""
    if privacy not in ("O", "I"):
        raise invalid_param("privacy")
    async with svc.db.write() as uow:
        access = await access_team(uow.session, actor, team_id)
        require(team_permissions(actor, access.member), "manage_team")
        team = access.team
        team.type, team.allow_open_invite = privacy, privacy == "O"
        team.update_at = now_ms()
        uow.emit(_update_event(team))
    return TeamView(team, True, True)


async def do_set_team_archived(svc: Services, actor: Actor, team_id: str, archived: bool) -> TeamView:
    """DELETE /teams/{id} archives (soft delete); POST /teams/{id}/restore brings it back (manage_team)."""
    async with svc.db.write() as uow:
        access = await access_team(uow.session, actor, team_id)
        require(team_permissions(actor, access.member), "manage_team")
        team = access.team
        if bool(team.delete_at) == archived:
            raise bad_request("api.team.archive.state.app_error", "The team is already archived." if archived else "The team is not archived.")
        now = now_ms()
        team.delete_at = now if archived else 0
        team.update_at = now
        uow.emit(_update_event(team, "delete_team" if archived else "restore_team"))
    return TeamView(team, True, True)


# Membership -----------------------------------------------------------------------------------------------


async def join_team_txn(
    uow: UnitOfWork, team: Team, user: User, *, by: User | None, admin: bool = False, default_channels: bool = True
) -> tuple[TeamMember, bool]:
    """Make `user` an active member (again) and put them in the default channels with their system posts
    (not with `default_channels=False`: a bridge's bot belongs only in its own channel)."""
    db = uow.session
    member = await teams_store.get_team_member(db, team.id, user.id)
    if member is not None and member.delete_at == 0:
        return member, False
    now = now_ms()
    guest = user.is_guest
    if member is None:
        member = TeamMember(
            team_id=team.id, user_id=user.id, roles="", delete_at=0, create_at=now, scheme_user=not guest, scheme_admin=admin and not guest, scheme_guest=guest
        )
        db.add(member)
    else:
        member.delete_at, member.roles, member.scheme_user, member.scheme_admin, member.scheme_guest = 0, "", not guest, admin and not guest, guest
    await db.flush()
    # Guests join only the channels they are invited to, not the team's default ones.
    for name, _ in () if guest or not default_channels else channel_actions.DEFAULT_CHANNELS:
        channel = await channels_store.get_channel_by_name(db, team.id, name)
        if channel is not None and channel.delete_at == 0:
            await channel_actions.add_member_txn(uow, channel, user, by=by, admin=admin, team_join=True)
    uow.emit(to_user(user.id, "added_to_team", {"team_id": team.id, "user_id": user.id}))
    return member, True


def email_domain_allowed(team: Team, email: str) -> bool:
    domains = {d.strip().lower().lstrip("@") for d in team.allowed_domains.replace(",", " ").split() if d.strip()}
    return not domains or email.rsplit("@", 1)[-1].lower() in domains


async def _add_team_member_txn(uow: UnitOfWork, actor: Actor, team_id: str, user_id: str) -> TeamMember:
    db = uow.session
    access = await access_team(db, actor, team_id, allow_open=True)
    team = access.team
    if team.delete_at:
        raise not_found("team")
    if user_id == actor.user_id:
        if access.member is not None:
            return access.member
        if not actor.is_admin:
            # Only open teams can be joined without an invitation (access_team hid the others already).
            require(system_permissions(actor), "join_public_teams")
    else:
        require(team_permissions(actor, access.member), "add_user_to_team")
    user = await users_store.get_user(db, user_id)
    if user is None:
        raise not_found("user")
    if user.delete_at:
        raise bad_request("api.team.add_user_to_team.deactivated.app_error", "Deactivated users cannot join teams.")
    if not actor.is_admin and not email_domain_allowed(team, user.email):
        raise bad_request("api.team.join_user_to_team.allowed_domains.app_error", "The user's email domain is not allowed on this team.")
    member, _ = await join_team_txn(uow, team, user, by=actor.user or user)
    return member


async def do_add_team_members(svc: Services, actor: Actor, team_id: str, user_ids: Sequence[str]) -> list[TeamMember]:
    """POST /teams/{tid}/members (one) and …/members/batch: all or nothing, idempotent for existing members."""
    ids = list(dict.fromkeys(user_ids))
    if not ids or len(ids) > MAX_BATCH:
        raise invalid_param("user_id")

    async def attempt() -> list[TeamMember]:
        async with svc.db.write() as uow:
            return [await _add_team_member_txn(uow, actor, team_id, uid) for uid in ids]

    try:
        return await attempt()
    except IntegrityError:
        return await attempt()


async def do_remove_team_member(svc: Services, actor: Actor, team_id: str, user_id: str) -> None:
    """DELETE /teams/{tid}/members/{uid}: leave (yourself) or remove (remove_user_from_team). The membership
    keeps its row with delete_at set; the user's memberships in the team's channels go."""
    async with svc.db.write() as uow:
        db = uow.session
        access = await access_team(db, actor, team_id)
        team = access.team
        if user_id != actor.user_id:
            require(team_permissions(actor, access.member), "remove_user_from_team")
        member = await teams_store.get_team_member(db, team_id, user_id)
        user = await users_store.get_user(db, user_id)
        if member is None or member.delete_at or user is None:
            raise not_found("team_member")
        by = actor.user or user
        for channel_member in await channels_store.get_team_memberships(db, team.id, user.id):
            channel = await channels_store.get_channel(db, channel_member.channel_id)
            assert channel is not None
            await channel_actions.remove_member_txn(uow, channel, channel_member, user, by=by, post=False)
        member.delete_at = now_ms()
        town_square = await channels_store.get_channel_by_name(db, team.id, channel_actions.DEFAULT_CHANNEL)
        if town_square is not None and not town_square.delete_at:
            if by.id == user.id:
                await create_system_post_txn(uow, town_square, user.id, "system_leave_team", f"@{user.username} left the team.", {"username": user.username})
            else:
                props = {"userId": by.id, "username": by.username, "removedUserId": user.id, "removedUsername": user.username}
                await create_system_post_txn(uow, town_square, by.id, "system_remove_from_team", f"@{user.username} was removed from the team.", props)
        data = {"team_id": team.id, "user_id": user.id}
        uow.emit(Event("leave_team", data, Broadcast(team_id=team.id, omit_users=frozenset({user.id}))))
        uow.emit(to_user(user.id, "leave_team", data))


async def do_update_team_member_roles(svc: Services, actor: Actor, team_id: str, user_id: str, change: RoleChange) -> TeamMember:
    """PUT …/members/{uid}/roles {roles} and …/schemeRoles {scheme_admin, scheme_user}: manage_team_roles."""
    async with svc.db.write() as uow:
        access = await access_team(uow.session, actor, team_id)
        require(team_permissions(actor, access.member), "manage_team_roles")
        member = await teams_store.get_team_member(uow.session, team_id, user_id)
        if member is None or member.delete_at:
            raise not_found("team_member")
        apply_role_change(member, change, scope="team")
        uow.emit(to_user(user_id, "memberrole_updated", {"member": json.dumps(member.to_api())}))
    return member
