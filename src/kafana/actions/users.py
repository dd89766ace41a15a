"""Accounts: sign-up, profile changes, passwords, deactivation, and who may see whom."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.access import access_channel, access_team, has_system_permission
from kafana.actions import account_email, audit, auth, bots, invites, system_bot
from kafana.actions.context import Actor, Services
from kafana.actions.profiles import notify_user_updated
from kafana.db import UnitOfWork
from kafana.events import to_all, to_user
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden, not_found
from kafana.lib.ids import new_id
from kafana.lib.mentions import user_mention_keys
from kafana.lib.passwords import verify, verify_in_thread
from kafana.lib.validation import check_email, check_length, check_password, check_username, clean_text
from kafana.models import Session, User
from kafana.models.users import DEFAULT_NOTIFY_PROPS, DEFAULT_TIMEZONE
from kafana.store import channels as channels_store
from kafana.store import moderation as moderation_store
from kafana.store import users as users_store

# Fields a user may change on their own profile (PUT/patch); anything else in the body is ignored.
PATCHABLE = {
    "username": 64,
    "nickname": 64,
    "first_name": 64,
    "last_name": 64,
    "position": 128,
    "email": 128,
    "locale": 5,
}
MAX_NOTIFY_PROPS = 64
EXISTS_ERROR = AppError(400, "app.user.save.username_exists.app_error", "An account with that username already exists.")
EMAIL_EXISTS_ERROR = AppError(400, "app.user.save.email_exists.app_error", "An account with that email already exists.")


async def do_create_user(
    svc: Services, actor: Actor | None, data: dict[str, Any], *, create_at: int = 0, system_admin: bool = False, token: str = "", invite_id: str = ""
) -> User:
    """POST /users (?t= email invitation, ?iid= team invite link) and `kafana user create`. The first account on
    an empty server becomes system admin; the signup mode decides who else may sign up (actions/invites.py)."""
    username = check_username(_text_field(data, "username").strip().lower())
    email = check_email(_text_field(data, "email").strip())
    password = check_password(_text_field(data, "password"))
    fields = {k: clean_text(_text_field(data, k)) for k in ("nickname", "first_name", "last_name", "position")}
    for key, value in fields.items():
        check_length(key, value, PATCHABLE[key], entity="user")
    locale = check_length("locale", clean_text(_text_field(data, "locale")) or "en", PATCHABLE["locale"], entity="user")
    is_admin_actor = actor is not None and actor.is_admin
    pw_hash = svc.hasher.hash(password)  # outside the transaction: hashing is slow on purpose
    now = now_ms()
    async with svc.db.write() as uow:
        first = await users_store.count_users(uow.session) == 0
        grant = await invites.check_signup_txn(uow, svc, email=email, token=token, invite_id=invite_id, privileged=first or is_admin_actor)
        pending = svc.settings.signup_approval and not (first or is_admin_actor)
        if await users_store.get_user_by_username(uow.session, username) is not None:
            raise EXISTS_ERROR
        if await users_store.get_user_by_email(uow.session, email) is not None:
            raise EMAIL_EXISTS_ERROR
        roles = "system_admin system_user" if first or (system_admin and is_admin_actor) else "system_user"
        if grant.invitation is not None and grant.invitation.guest:
            roles = "system_guest"
        user = User(
            id=new_id(),
            create_at=create_at if (create_at and is_admin_actor) else now,
            update_at=now,
            delete_at=now if pending else 0,
            approval_pending=pending,
            username=username,
            password=pw_hash,
            email=email,
            email_verified=is_admin_actor or first or grant.invitation is not None,
            roles=roles,
            locale=locale,
            notify_props=dict(DEFAULT_NOTIFY_PROPS),
            timezone=dict(DEFAULT_TIMEZONE),
            props={},
            last_password_update=now,
            **fields,
        )
        uow.session.add(user)
        try:
            await uow.session.flush()
        except IntegrityError:
            raise EXISTS_ERROR from None
        await invites.apply_grant_txn(uow, grant, user)
        if not user.email_verified and svc.settings.require_email_verification:
            await account_email.queue_verification_txn(uow, svc, user)
        how = "admin" if is_admin_actor and not first else "invitation" if grant.invitation else "invite_link" if grant.team else "open"
        audit.record_txn(uow, svc, "create_user", actor=actor, target_id=user.id, via=how, roles=roles, pending=pending)
        uow.emit(to_all("new_user", {"user_id": user.id}))
    await system_bot.do_welcome(svc, user.id)
    return user


def _text_field(data: dict[str, Any], key: str) -> str:
    """A string field of a request body; anything else (objects, lists, numbers) is refused, not str()-ed."""
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad_request(f"model.user.is_valid.{key}.app_error", f"Invalid {key}.")
    return value


def check_can_edit_user(actor: Actor, user_id: str) -> None:
    if actor.user_id != user_id and not actor.is_admin:
        raise forbidden()


async def _visible(db: AsyncSession, actor: Actor, users: list[User]) -> list[User]:
    """Guests see only the people they share a channel with (A11); everyone else sees every account."""
    if not actor.is_guest:
        return users
    mates = await channels_store.channel_mates(db, actor.user_id)
    return [u for u in users if u.id in mates]


async def get_user(svc: Services, actor: Actor, user_id: str) -> User:
    async with svc.db.read() as db:
        user = await users_store.get_user(db, user_id)
        if user is None or not await _visible(db, actor, [user]):
            raise not_found("user")
    return user


async def do_patch_user(svc: Services, actor: Actor, user_id: str, patch: dict[str, Any]) -> User:
    """Change profile fields. Roles, passwords and ids in the body are ignored (mass assignment, A14)."""
    check_can_edit_user(actor, user_id)
    async with svc.db.write() as uow:
        user = await users_store.get_user(uow.session, user_id)
        if user is None:
            raise not_found("user")
        if user.delete_at and not actor.is_admin:
            raise forbidden()
        old_email = user.email
        for key, limit in PATCHABLE.items():
            if key not in patch or patch[key] is None:
                continue
            value = patch[key]
            if not isinstance(value, str):
                raise bad_request(f"model.user.is_valid.{key}.app_error", f"Invalid {key}.")
            value = clean_text(value.strip() if key in ("username", "email") else value)
            if key == "username":
                value = check_username(value.lower())
                if value != user.username and await users_store.get_user_by_username(uow.session, value) is not None:
                    raise EXISTS_ERROR
            elif key == "email":
                value = check_email(value)
                if value.lower() != user.email.lower():
                    if not actor.is_admin:
                        password = patch.get("password")
                        if not isinstance(password, str) or not verify(svc.hasher, user.password, password):
                            raise AppError(400, "api.user.check_user_password.invalid.app_error", "Your current password is required to change your email.")
                    if await users_store.get_user_by_email(uow.session, value) is not None:
                        raise EMAIL_EXISTS_ERROR
            else:
                check_length(key, value, limit, entity="user")
            setattr(user, key, value)
        if isinstance(patch.get("props"), dict):
            props = {str(k)[:64]: str(v)[:1024] for k, v in patch["props"].items()}
            if len(props) > 64:
                raise bad_request("model.user.is_valid.props.app_error", "Too many props.")
            user.props = props
        if isinstance(patch.get("notify_props"), dict):
            merged = dict(user.notify_props or DEFAULT_NOTIFY_PROPS)
            merged.update({str(k)[:64]: str(v)[:1024] for k, v in patch["notify_props"].items()})
            if len(merged) > MAX_NOTIFY_PROPS:
                raise bad_request("model.user.is_valid.notify_props.app_error", "Too many notify_props.")
            user.notify_props = merged
        if isinstance(patch.get("timezone"), dict):
            tz = dict(DEFAULT_TIMEZONE)
            tz.update({k: str(v)[:64] for k, v in patch["timezone"].items() if k in DEFAULT_TIMEZONE})
            user.timezone = tz
        user.mention_keys = user_mention_keys(user.notify_props or {}, user.first_name)
        user.update_at = now_ms()
        try:
            await uow.session.flush()
        except IntegrityError:
            raise EXISTS_ERROR from None
        if user.email.lower() != old_email.lower() and not actor.is_admin:
            # A new address is unproven until its owner follows the link sent to it (an admin's word is enough).
            user.email_verified = False
            if svc.settings.email_enabled:
                await account_email.queue_verification_txn(uow, svc, user)
        notify_user_updated(uow, user)
    svc.auth_cache.drop_user(user_id)
    return user


async def do_update_password(svc: Services, actor: Actor, user_id: str, current: str, new: str) -> None:
    """Change a password; every other session of that user ends (Mattermost TerminateSessionsOnPasswordChange)."""
    check_can_edit_user(actor, user_id)
    check_password(new)
    async with svc.db.read() as db:
        user = await users_store.get_user(db, user_id)
    if user is None:
        raise not_found("user")
    # Both slow hash operations happen outside the transaction (and off the event loop).
    if actor.user_id == user_id and not await verify_in_thread(svc.hasher, user.password, current):
        raise AppError(400, "api.user.check_user_password.invalid.app_error", "Login failed because of invalid password.")
    new_hash = await asyncio.to_thread(svc.hasher.hash, new)
    async with svc.db.write() as uow:
        user = await users_store.get_user(uow.session, user_id)
        if user is None:
            raise not_found("user")
        user.password = new_hash
        user.last_password_update = user.update_at = now_ms()
        user.failed_attempts = 0
        audit.record_txn(uow, svc, "password_change", actor=actor, target_id=user_id)
    keep = actor.session.id if actor.session is not None and actor.user_id == user_id else ""
    await auth.revoke_user_sessions(svc, user_id, keep_session_id=keep)


async def do_set_active(svc: Services, actor: Actor, user_id: str, active: bool) -> User:
    """Deactivate or reactivate an account. Users may deactivate themselves; only admins reactivate."""
    if not actor.is_admin and (active or actor.user_id != user_id):
        raise forbidden()
    async with svc.db.write() as uow:
        user = await users_store.get_user(uow.session, user_id)
        if user is None:
            raise not_found("user")
        affected = await set_active_txn(uow, svc, actor, user, active)
    await after_set_active(svc, affected, active)
    return user


async def set_active_txn(uow: UnitOfWork, svc: Services, actor: Actor, user: User, active: bool, **audit_extra: Any) -> list[str]:
    """(De)activate inside the caller's transaction (moderators' suspensions too); an explicit change ends any
    suspension. Returns the users whose sessions `after_set_active` must end: the user and their bots."""
    now = now_ms()
    user.delete_at = 0 if active else now
    user.update_at = now
    audit.record_txn(uow, svc, "activate" if active else "deactivate", actor=actor, target_id=user.id, approved=active and user.approval_pending, **audit_extra)
    if active:
        user.approval_pending = False
    await moderation_store.end_suspension(uow.session, user.id)
    bot_ids = [] if active else await bots.disable_bots_of_txn(uow, user.id)
    notify_user_updated(uow, user)
    return [user.id, *bot_ids]


async def after_set_active(svc: Services, user_ids: list[str], active: bool) -> None:
    """After commit: deactivated users' sessions end at once (A15)."""
    for uid in user_ids:
        if not active:
            await auth.revoke_user_sessions(svc, uid)
        svc.auth_cache.drop_user(uid)


async def do_set_guest(svc: Services, actor: Actor, user_id: str, guest: bool) -> User:
    """POST /users/{id}/demote (to guest) and /promote (guest to member), as Mattermost: system admins only;
    every team and channel membership follows."""
    if not has_system_permission(actor, "demote_to_guest" if guest else "promote_guest"):
        raise forbidden()
    if guest and not svc.settings.guest_accounts_enabled:
        raise AppError(501, "api.user.demote_user_to_guest.disabled.app_error", "Guest accounts are disabled on this server.")
    async with svc.db.write() as uow:
        user = await users_store.get_user(uow.session, user_id, for_update=True)
        if user is None:
            raise not_found("user")
        if user.is_bot or user.is_system_admin or user.is_guest == guest:
            raise bad_request("api.user.update_guest_role.app_error", "Only members become guests, and only guests become members.")
        user.roles = "system_guest" if guest else "system_user"
        user.update_at = now_ms()
        audit.record_txn(uow, svc, "demote_to_guest" if guest else "promote_guest", actor=actor, target_id=user_id)
        await users_store.set_guest_memberships(uow.session, user_id, guest)
        uow.emit(to_user(user_id, "user_role_updated", {"user_id": user_id, "roles": user.roles}))
        notify_user_updated(uow, user)  # after the role event: a new admin's connections get the admins' copy
    svc.auth_cache.drop_user(user_id)
    return user


async def do_update_roles(svc: Services, actor: Actor, user_id: str, roles: str) -> User:
    if not actor.is_admin:
        raise forbidden()
    wanted = set(roles.split())
    if not wanted <= {"system_user", "system_admin", "system_moderator"} or "system_user" not in wanted:
        raise bad_request("api.user.update_user_roles.invalid.app_error", "Invalid roles.")
    async with svc.db.write() as uow:
        user = await users_store.get_user(uow.session, user_id)
        if user is None:
            raise not_found("user")
        audit.record_txn(uow, svc, "update_roles", actor=actor, target_id=user_id, old=user.roles, new=" ".join(sorted(wanted)))
        user.roles = " ".join(sorted(wanted, key=lambda r: r != "system_admin"))
        user.update_at = now_ms()
        uow.emit(to_user(user_id, "user_role_updated", {"user_id": user_id, "roles": user.roles}))
        notify_user_updated(uow, user)  # after the role event: a new admin's connections get the admins' copy
    svc.auth_cache.drop_user(user_id)
    return user


async def list_users(svc: Services, actor: Actor, *, in_channel: str = "", not_in_channel: str = "", **filters: Any) -> list[User]:
    """GET /users and POST /users/search. Team and channel filters need read access to them (A1, A9)."""
    if filters.get("in_group") and actor.is_guest:
        raise not_found("group")  # guests see no groups
    async with svc.db.read() as db:
        for channel_id in (in_channel, not_in_channel):
            if channel_id:
                await access_channel(db, actor, channel_id)
        for team_id in (filters.get("in_team", ""), filters.get("not_in_team", "")):
            if team_id:
                await access_team(db, actor, team_id)
        return await _visible(
            db, actor, await users_store.list_users(db, in_channel=in_channel, not_in_channel=not_in_channel, term_matches_email=actor.is_admin, **filters)
        )


async def get_users_by_ids(svc: Services, actor: Actor, ids: list[str], *, since: int = 0) -> list[User]:
    async with svc.db.read() as db:
        return await _visible(db, actor, await users_store.get_users_by_ids(db, ids, since))


async def get_users_by_usernames(svc: Services, actor: Actor, names: list[str]) -> list[User]:
    async with svc.db.read() as db:
        return await _visible(db, actor, await users_store.get_users_by_usernames(db, names))


async def get_user_by_email(svc: Services, actor: Actor, email: str) -> User:
    async with svc.db.read() as db:
        user = await users_store.get_user_by_email(db, email)
    # Looking people up by email is how addresses would leak: only admins and the owner get an answer.
    if user is None or not (actor.is_admin or actor.user_id == user.id):
        raise not_found("user")
    return user


async def autocomplete(svc: Services, actor: Actor, name: str, *, in_team: str = "", in_channel: str = "", limit: int = 100) -> dict[str, list[User]]:
    """@-mention suggestions: channel members first, then team members outside the channel."""
    async with svc.db.read() as db:
        if in_channel:
            await access_channel(db, actor, in_channel)
            inside = await users_store.list_users(db, term=name, term_matches_email=actor.is_admin, in_channel=in_channel, active=True, limit=limit)
            outside: list[User] = []
            if in_team:
                outside = await users_store.list_users(
                    db, term=name, term_matches_email=actor.is_admin, in_team=in_team, not_in_channel=in_channel, active=True, limit=limit
                )
            return {"users": inside, "out_of_channel": await _visible(db, actor, outside)}
        if in_team:
            await access_team(db, actor, in_team)
        found = await users_store.list_users(db, term=name, term_matches_email=actor.is_admin, in_team=in_team, active=True, limit=limit)
        return {"users": await _visible(db, actor, found), "out_of_channel": []}


async def profiles_in_channels(svc: Services, actor: Actor, channel_ids: list[str]) -> dict[str, list[User]]:
    """POST /users/group_channels: the members of each readable channel (others are skipped silently)."""
    out: dict[str, list[User]] = {}
    async with svc.db.read() as db:
        for channel_id in channel_ids:
            try:
                await access_channel(db, actor, channel_id)
            except AppError:
                continue
            out[channel_id] = await users_store.list_users(db, in_channel=channel_id, limit=200)
    return out


async def list_sessions(svc: Services, actor: Actor, user_id: str) -> list[Session]:
    check_can_edit_user(actor, user_id)
    async with svc.db.read() as db:
        return await users_store.get_sessions_for_user(db, user_id)


async def mfa_required(svc: Services, login_id: str) -> bool:
    async with svc.db.read() as db:
        user = await users_store.get_user_by_login(db, login_id) if login_id else None
    return bool(user and user.mfa_active)
