"""Fetch-and-authorize helpers. Each raises one error for both "missing" and "forbidden".

`access_<thing>(db, actor, id)` returns the row (and the actor's membership) only if the actor may read it.
Existence never leaks: a private channel you are not in looks exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from kafana.lib.errors import AppError, forbidden, not_found
from kafana.lib.permissions import permissions_of
from kafana.models import Channel, ChannelMember, Post, Team, TeamMember
from kafana.models.actor import Actor
from kafana.store import channels as channels_store
from kafana.store import posts as posts_store
from kafana.store import teams as teams_store


@dataclass(slots=True)
class TeamAccess:
    team: Team
    member: TeamMember | None


@dataclass(slots=True)
class ChannelAccess:
    channel: Channel
    member: ChannelMember | None
    team_member: TeamMember | None

    @property
    def is_member(self) -> bool:
        return self.member is not None


def system_permissions(actor: Actor) -> frozenset[str]:
    if actor.user is None:
        return permissions_of({"system_admin"})
    return permissions_of(actor.user.role_set)


def has_system_permission(actor: Actor, permission: str) -> bool:
    return permission in system_permissions(actor)


def require(permissions: frozenset[str], permission: str) -> None:
    """403 unless `permission` is among `permissions` (for objects the actor can already see)."""
    if permission not in permissions:
        raise forbidden()


def team_permissions(actor: Actor, member: TeamMember | None) -> frozenset[str]:
    roles = set(actor.user.role_set) if actor.user is not None else {"system_admin"}
    if member is not None and member.delete_at == 0:
        roles |= member.role_set
    return permissions_of(roles)


def channel_permissions(actor: Actor, access: ChannelAccess) -> frozenset[str]:
    perms = set(team_permissions(actor, access.team_member))
    if access.member is not None:
        perms |= permissions_of(access.member.role_set)
    return frozenset(perms)


async def access_team(db: AsyncSession, actor: Actor, team_id: str, *, allow_open: bool = False) -> TeamAccess:
    """Active members and admins see a team; `allow_open` also shows open teams to anyone (to join them)."""
    team = await teams_store.get_team(db, team_id)
    if team is None:
        raise not_found("team")
    member = await teams_store.get_team_member(db, team_id, actor.user_id) if actor.user else None
    active = member is not None and member.delete_at == 0
    if not (active or actor.is_admin or (allow_open and team.allow_open_invite and team.delete_at == 0)):
        raise not_found("team")
    return TeamAccess(team, member if active else None)


async def access_channel(db: AsyncSession, actor: Actor, channel_id: str) -> ChannelAccess:
    """Readable: members; public channels also to active members of their team; admins see all.

    One query fetches the channel with the actor's channel and team memberships: this check runs on
    every post and every history page."""
    if actor.user is None:
        channel = await channels_store.get_channel(db, channel_id)
        if channel is None:
            raise not_found("channel")
        return ChannelAccess(channel, None, None)
    found = await channels_store.get_channel_with_memberships(db, channel_id, actor.user_id)
    if found is None:
        raise not_found("channel")
    return _decide(actor, *found)


async def check_channel_readable(db: AsyncSession, actor: Actor, channel: Channel) -> ChannelAccess:
    """The same rules for a channel the caller has already loaded."""
    member = await channels_store.get_channel_member(db, channel.id, actor.user_id) if actor.user else None
    team_member = None
    if channel.team_id and actor.user is not None:
        team_member = await teams_store.get_team_member(db, channel.team_id, actor.user_id)
    return _decide(actor, channel, member, team_member)


def _decide(actor: Actor, channel: Channel, member: ChannelMember | None, team_member: TeamMember | None) -> ChannelAccess:
    if team_member is not None and team_member.delete_at:
        team_member = None
    if member is not None and channel.team_id and team_member is None and not actor.is_admin:
        member = None  # left the team: its channels are closed to them (A9)
    # Guests see only the channels they were added to, public ones included (A11).
    if member is None and not actor.is_admin and not (channel.type == "O" and team_member is not None and not actor.is_guest):
        raise not_found("channel")
    return ChannelAccess(channel, member, team_member)


async def access_post(db: AsyncSession, actor: Actor, post_id: str, *, include_deleted: bool = False) -> tuple[Post, ChannelAccess]:
    """A post is readable when its channel is; deleted posts are gone (A17)."""
    post = await posts_store.get_post(db, post_id)
    if post is None or (post.delete_at and not include_deleted):
        raise not_found("post")
    try:
        access = await access_channel(db, actor, post.channel_id)
    except AppError:
        raise not_found("post") from None
    return post, access
