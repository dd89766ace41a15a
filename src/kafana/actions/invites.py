"""Who may sign up, and invitations: a team's invite link (`invite_id`), one-time email invitations, and the
admin approval queue (A12).

Signup modes: `open` (anyone), `invite` (an invite link or an email invitation is needed; the default once the
first account exists) and `closed` (only admins create accounts). Every refusal happens before anything is
written: no account and no membership is created by a refused signup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kafana.access import access_channel, access_team, channel_permissions, has_system_permission, require, team_permissions
from kafana.actions import audit
from kafana.actions.channels import add_member_txn
from kafana.actions.context import Actor, Services
from kafana.actions.outbox import queue_mail_txn, require_email
from kafana.actions.teams import TeamView, email_domain_allowed, join_team_txn
from kafana.db import UnitOfWork
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, forbidden, invalid_param, not_found
from kafana.lib.ids import hash_token, new_id
from kafana.lib.permissions import may_invite
from kafana.lib.validation import check_email
from kafana.mail.compose import invitation_mail
from kafana.models import Invitation, Team, TeamMember, User
from kafana.store import channels as channels_store
from kafana.store import invites as invites_store
from kafana.store import users as users_store

SIGNUP_DISABLED = AppError(403, "api.user.create_user.signup_email_disabled.app_error", "User sign-up is disabled on this server.")
INVITE_NEEDED = AppError(403, "api.user.create_user.no_invite.app_error", "Sign-up on this server needs an invitation.")
INVALID_INVITE = AppError(403, "api.user.create_user.signup_link_invalid.app_error", "The signup link does not appear to be valid.")
EXPIRED_INVITE = AppError(410, "api.user.create_user.signup_link_expired.app_error", "The signup link has expired.")
WRONG_EMAIL = AppError(400, "api.user.create_user.invite_email.app_error", "Sign up with the email address the invitation was sent to.")
MAX_EMAILS = 50


@dataclass(slots=True)
class SignupGrant:
    """What an accepted signup comes with: the team to join, and the invitation it uses up."""

    team: Team | None = None
    invitation: Invitation | None = None
    channel_ids: list[str] = field(default_factory=list)


async def check_signup_txn(uow: UnitOfWork, svc: Services, *, email: str, token: str, invite_id: str, privileged: bool) -> SignupGrant:
    """Decide inside the signup transaction whether this account may be created (`privileged`: an admin creates
    it, or it is the very first account). A token is used up by the same transaction that creates the user."""
    db = uow.session
    mode = svc.settings.signup_mode
    if mode == "closed" and not privileged:
        raise SIGNUP_DISABLED
    grant = SignupGrant()
    now = now_ms()
    if token:
        invitation = await invites_store.get_invitation(db, hash_token(token))
        if invitation is None:
            raise INVALID_INVITE
        if invitation.expires_at < now:
            raise EXPIRED_INVITE
        if invitation.email.lower() != email.lower():
            raise WRONG_EMAIL
        team = await db.get(Team, invitation.team_id)
        if team is None or team.delete_at:
            raise INVALID_INVITE
        grant = SignupGrant(team, invitation, invitation.channel_ids.split())
    elif invite_id:
        team = await invites_store.get_team_by_invite_id(db, invite_id)
        if team is None or team.delete_at:
            raise INVALID_INVITE
        grant = SignupGrant(team)
    elif mode == "invite" and not privileged:
        raise INVITE_NEEDED
    return grant


async def apply_grant_txn(uow: UnitOfWork, grant: SignupGrant, user: User) -> None:
    """Use up the invitation and put the new user in its team (and, for guests, in the channels it names)."""
    db = uow.session
    if grant.invitation is not None:
        await db.delete(grant.invitation)
    if grant.team is None:
        return
    if grant.invitation is None and not email_domain_allowed(grant.team, user.email):
        raise AppError(400, "api.team.join_user_to_team.allowed_domains.app_error", "The user's email domain is not allowed on this team.")
    await join_team_txn(uow, grant.team, user, by=user)
    inviter = await users_store.get_user(db, grant.invitation.creator_id) if grant.invitation is not None else None
    for channel_id in grant.channel_ids:
        channel = await channels_store.get_channel(db, channel_id)
        if channel is not None and channel.team_id == grant.team.id and not channel.delete_at:
            await add_member_txn(uow, channel, user, by=inviter or user)


async def _inviter_team(svc: Services, actor: Actor, team_id: str) -> Team:
    async with svc.db.read() as db:
        access = await access_team(db, actor, team_id)
    if access.team.delete_at:
        raise not_found("team")
    if not may_invite(svc.settings.invite_permission, team_permissions(actor, access.member)):
        raise forbidden()
    return access.team


def _addresses(emails: Sequence[str]) -> list[str]:
    addresses = list(dict.fromkeys(check_email(e.strip()) for e in emails))
    if not addresses or len(addresses) > MAX_EMAILS:
        raise invalid_param("emails")
    return addresses


async def do_invite_by_email(svc: Services, actor: Actor, team_id: str, emails: Sequence[str]) -> list[str]:
    """POST /teams/{id}/invite/email: one one-time token per address, valid `invite_expiry_hours`. Returns the
    signup links (the caller never shows them to the inviter; they travel by email). Without email set up: 501."""
    require_email(svc)
    addresses = _addresses(emails)
    team = await _inviter_team(svc, actor, team_id)
    return await _send_invitations(svc, actor, team, addresses, [], guest=False)


async def do_invite_guests_by_email(svc: Services, actor: Actor, team_id: str, emails: Sequence[str], channel_ids: Sequence[str]) -> list[str]:
    """POST /teams/{id}/invite-guests/email: guests join the team and exactly these channels. The inviter needs
    `invite_guest` and must be allowed to add members to every one of the channels (A11, A12)."""
    if not svc.settings.guest_accounts_enabled:
        raise AppError(501, "api.team.invite_guests.disabled.app_error", "Guest accounts are disabled on this server.")
    require_email(svc)
    if not has_system_permission(actor, "invite_guest"):
        raise forbidden()
    addresses = _addresses(emails)
    wanted = list(dict.fromkeys(channel_ids))
    if not wanted or len(wanted) > MAX_EMAILS:
        raise invalid_param("channels")
    team = await _inviter_team(svc, actor, team_id)
    async with svc.db.read() as db:
        for channel_id in wanted:
            access = await access_channel(db, actor, channel_id)
            channel = access.channel
            if channel.team_id != team.id or channel.delete_at:
                raise invalid_param("channels")
            require(channel_permissions(actor, access), f"manage_{'public' if channel.type == 'O' else 'private'}_channel_members")
    return await _send_invitations(svc, actor, team, addresses, wanted, guest=True)


async def _send_invitations(svc: Services, actor: Actor, team: Team, addresses: list[str], channel_ids: list[str], *, guest: bool) -> list[str]:
    for address in addresses:
        if not actor.is_admin and not email_domain_allowed(team, address):
            raise AppError(400, "api.team.invite_members.invalid_email.app_error", f"The email domain of {address} is not allowed on this team.")
    now = now_ms()
    links: list[str] = []
    # In the inviter's language: the invited person has no account (and no language) yet.
    inviter = actor.user.username if actor.user is not None else svc.settings.site_name
    locale = actor.user.locale if actor.user is not None else "en"
    async with svc.db.write() as uow:
        await invites_store.delete_expired_invitations(uow.session, now)
        for address in addresses:
            token = new_id() + new_id()  # 52 characters, 256 random bits
            uow.session.add(
                Invitation(
                    token_hash=hash_token(token),
                    team_id=team.id,
                    email=address,
                    channel_ids=" ".join(channel_ids),
                    guest=guest,
                    creator_id=actor.user_id,
                    create_at=now,
                    expires_at=now + svc.settings.invite_expiry_hours * 3_600_000,
                )
            )
            link = f"{svc.settings.site_url.rstrip('/')}/signup_user_complete/?t={token}"
            queue_mail_txn(uow, address, invitation_mail(locale, svc.settings.site_name, inviter, team.display_name, link), now=now)
            links.append(link)
        audit.record_txn(uow, svc, "invite_guests" if guest else "invite", actor=actor, target_id=team.id, count=len(addresses), channels=channel_ids)
    return links


async def do_regenerate_invite_id(svc: Services, actor: Actor, team_id: str) -> TeamView:
    """POST /teams/{id}/regenerate_invite_id: the old invite link stops working at once."""
    async with svc.db.write() as uow:
        access = await access_team(uow.session, actor, team_id)
        require(team_permissions(actor, access.member), "manage_team")
        access.team.invite_id = new_id()
        access.team.update_at = now_ms()
        audit.record_txn(uow, svc, "regenerate_invite_id", actor=actor, target_id=team_id)
        team = access.team
    return TeamView(team, True, True)


async def get_invite_info(svc: Services, invite_id: str) -> Team:
    """GET /teams/invite/{invite_id}: what the signup page shows about the team (no session needed)."""
    async with svc.db.read() as db:
        team = await invites_store.get_team_by_invite_id(db, invite_id)
    if team is None or team.delete_at:
        raise not_found("team")
    return team


async def do_join_by_invite(svc: Services, actor: Actor, *, token: str = "", invite_id: str = "") -> TeamMember:
    """POST /teams/members/invite?token=…|invite_id=…: an existing account joins the invitation's team."""
    if actor.user is None:
        raise forbidden()
    async with svc.db.write() as uow:
        user = await users_store.get_user(uow.session, actor.user_id)
        assert user is not None
        grant = await check_signup_txn(uow, svc, email=user.email, token=token, invite_id=invite_id, privileged=True)
        if grant.team is None:
            raise invalid_param("token")
        await apply_grant_txn(uow, grant, user)
        member, _ = await join_team_txn(uow, grant.team, user, by=user)
    return member
