"""Bot accounts (Mattermost's /bots): a user that cannot log in with a password, works with personal access
tokens, and is owned by a person. Bots stop working when their owner is deactivated (Mattermost's
`DisableBotsWhenOwnerIsDeactivated`, A15); who may create them is a setting (A13)."""

from __future__ import annotations

from typing import Any

from kafana.access import has_system_permission
from kafana.actions import audit
from kafana.actions.context import Actor, Services
from kafana.actions.profiles import notify_user_updated
from kafana.db import UnitOfWork
from kafana.events import to_all
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden, not_found
from kafana.lib.ids import new_id
from kafana.lib.validation import check_length, check_username, clean_text
from kafana.models import Bot, User
from kafana.models.users import DEFAULT_NOTIFY_PROPS, DEFAULT_TIMEZONE
from kafana.store import bots as bots_store
from kafana.store import users as users_store

USERNAME_TAKEN = AppError(400, "app.user.save.username_exists.app_error", "An account with that username already exists.")


def check_may_create(svc: Services, actor: Actor) -> None:
    mode = svc.settings.bot_creation
    if mode == "off":
        raise AppError(501, "api.bot.create_disabled", "Bot creation has been disabled.")
    allowed = has_system_permission(actor, "create_bot") or (mode == "members" and actor.user is not None and not actor.is_guest and not actor.user.is_bot)
    if not allowed:
        raise forbidden()


def _texts(data: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, limit in (("display_name", 64), ("description", 1024)):
        value = data.get(key)
        if value is not None:
            if not isinstance(value, str):
                raise bad_request(f"model.bot.is_valid.{key}.app_error", f"Invalid {key}.")
            out[key] = check_length(key, clean_text(value), limit, entity="bot")
    return out


async def do_create_bot(svc: Services, actor: Actor, data: dict[str, Any]) -> tuple[Bot, User]:
    """POST /bots: the bot belongs to its creator."""
    check_may_create(svc, actor)
    username = data.get("username")
    if not isinstance(username, str):
        raise bad_request("model.user.is_valid.username.app_error", "Invalid username.")
    username = check_username(username.strip().lower())
    texts = _texts(data)
    now = now_ms()
    async with svc.db.write() as uow:
        if await users_store.get_user_by_username(uow.session, username) is not None:
            raise USERNAME_TAKEN
        bot, user = add_bot_txn(uow, username, actor.user_id, texts.get("display_name", ""), texts.get("description", ""), now)
        audit.record_txn(uow, svc, "create_bot", actor=actor, target_id=user.id)
    return bot, user


def add_bot_txn(uow: UnitOfWork, username: str, owner_id: str, display_name: str, description: str, now: int) -> tuple[Bot, User]:
    """A bot's user and bot rows (an empty `owner_id` makes the bot its own owner: the system bot)."""
    user_id = new_id()
    user = User(
        id=user_id,
        create_at=now,
        update_at=now,
        delete_at=0,
        username=username,
        password="",
        email=f"{user_id}@bots.invalid",  # unique, undeliverable; never shown to others
        email_verified=True,
        roles="system_user",
        first_name=display_name,
        bot_description=description,
        is_bot=True,
        notify_props=dict(DEFAULT_NOTIFY_PROPS),
        timezone=dict(DEFAULT_TIMEZONE),
        props={},
    )
    bot = Bot(user_id=user_id, owner_id=owner_id or user_id, create_at=now, update_at=now, delete_at=0)
    uow.session.add_all([user, bot])
    uow.emit(to_all("new_user", {"user_id": user_id}))
    return bot, user


def _may_manage(actor: Actor, bot: Bot) -> bool:
    return bot.owner_id == actor.user_id or has_system_permission(actor, "manage_others_bots")


async def _managed_txn(uow: UnitOfWork, actor: Actor, bot_id: str) -> tuple[Bot, User]:
    found = await bots_store.get_bot(uow.session, bot_id)
    if found is None or not _may_manage(actor, found[0]):
        raise not_found("bot")
    return found


async def get_bot(svc: Services, actor: Actor, bot_id: str, *, include_deleted: bool = False) -> tuple[Bot, User]:
    """The owner and admins see a bot; everyone else gets the same 404 as for no bot."""
    async with svc.db.read() as db:
        found = await bots_store.get_bot(db, bot_id)
    if found is None or not _may_manage(actor, found[0]) or (found[0].delete_at and not include_deleted):
        raise not_found("bot")
    return found


async def list_bots(svc: Services, actor: Actor, *, include_deleted: bool, only_orphaned: bool, offset: int, limit: int) -> list[tuple[Bot, User]]:
    """GET /bots: every bot for admins, one's own for others."""
    owner = "" if has_system_permission(actor, "read_others_bots") else actor.user_id
    async with svc.db.read() as db:
        return await bots_store.list_bots(db, owner_id=owner, include_deleted=include_deleted, only_orphaned=only_orphaned, offset=offset, limit=limit)


async def do_patch_bot(svc: Services, actor: Actor, bot_id: str, data: dict[str, Any]) -> tuple[Bot, User]:
    """PUT /bots/{id}: username, display name, description; roles and ownership are not patchable (A13, A14)."""
    texts = _texts(data)
    async with svc.db.write() as uow:
        bot, user = await _managed_txn(uow, actor, bot_id)
        username = data.get("username")
        if isinstance(username, str) and username.strip().lower() != user.username:
            name = check_username(username.strip().lower())
            if await users_store.get_user_by_username(uow.session, name) is not None:
                raise USERNAME_TAKEN
            user.username = name
        if "display_name" in texts:
            user.first_name = texts["display_name"]
        if "description" in texts:
            user.bot_description = texts["description"]
        bot.update_at = user.update_at = now_ms()
        notify_user_updated(uow, user)
    svc.auth_cache.drop_user(bot_id)
    return bot, user


async def do_set_bot_active(svc: Services, actor: Actor, bot_id: str, active: bool) -> tuple[Bot, User]:
    """POST /bots/{id}/enable|disable. A bot whose owner is deactivated stays off until an admin enables it
    (or assigns it to an active owner)."""
    async with svc.db.write() as uow:
        bot, user = await _managed_txn(uow, actor, bot_id)
        if active and not has_system_permission(actor, "manage_others_bots"):
            owner = await users_store.get_user(uow.session, bot.owner_id)
            if owner is None or owner.delete_at:
                raise forbidden()
        now = now_ms()
        bot.delete_at = user.delete_at = 0 if active else now
        bot.update_at = user.update_at = now
        audit.record_txn(uow, svc, "enable_bot" if active else "disable_bot", actor=actor, target_id=bot_id)
        notify_user_updated(uow, user)
    svc.auth_cache.drop_user(bot_id)
    return bot, user


async def do_assign_bot(svc: Services, actor: Actor, bot_id: str, owner_id: str) -> tuple[Bot, User]:
    """POST /bots/{id}/assign/{user_id} (admins): a new owner, who must be an active person."""
    if not has_system_permission(actor, "manage_others_bots"):
        raise forbidden()
    async with svc.db.write() as uow:
        bot, user = await _managed_txn(uow, actor, bot_id)
        owner = await users_store.get_user(uow.session, owner_id)
        if owner is None or owner.delete_at or owner.is_bot:
            raise not_found("user")
        bot.owner_id, bot.update_at = owner_id, now_ms()
        audit.record_txn(uow, svc, "assign_bot", actor=actor, target_id=bot_id, owner=owner_id)
    return bot, user


async def disable_bots_of_txn(uow: UnitOfWork, owner_id: str) -> list[str]:
    """The owner is being deactivated: their bots stop working in the same transaction (A15)."""
    now = now_ms()
    ids = []
    for bot, user in await bots_store.active_bots_of(uow.session, owner_id):
        bot.delete_at = user.delete_at = now
        bot.update_at = user.update_at = now
        notify_user_updated(uow, user)
        ids.append(bot.user_id)
    return ids


async def is_owner(svc: Services, actor: Actor, user_id: str) -> bool:
    """Whether `user_id` is a bot `actor` owns (owners manage their bots' tokens)."""
    async with svc.db.read() as db:
        found = await bots_store.get_bot(db, user_id)
    return found is not None and found[0].owner_id == actor.user_id and not found[0].delete_at
