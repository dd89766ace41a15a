"""Preferences: Mattermost's per-user settings (theme, display, notifications, saved posts, favorites).

Only the user themself (or a system admin) reads or changes them. Saved posts are the `flagged_post`
category (name = post id, value "true"); `favorite_channel` preferences are kept in step with the Favorites
sidebar category, as Mattermost does for older clients.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kafana.access import access_post
from kafana.actions import categories
from kafana.actions.context import Actor, Services
from kafana.actions.posts import PostPage, get_posts_by_ids
from kafana.events import to_user
from kafana.lib.errors import AppError, bad_request, forbidden, not_found
from kafana.lib.ids import is_valid_id
from kafana.lib.validation import clean_text
from kafana.models import Preference
from kafana.store import posts as posts_store
from kafana.store import preferences as preferences_store
from kafana.store import users as users_store
from kafana.store.preferences import FAVORITE_CHANNEL, FLAGGED_POST

CATEGORY_MAX, NAME_MAX, VALUE_MAX = 32, 32, 2000
MAX_PER_CALL = 100


@dataclass(frozen=True, slots=True)
class PreferenceInput:
    user_id: str
    category: str
    name: str
    value: str = ""


def check_self_or_admin(actor: Actor, user_id: str) -> None:
    if actor.user_id != user_id and not actor.is_admin:
        raise forbidden()


def check_preferences(user_id: str, prefs: list[PreferenceInput], *, need_value: bool = True) -> list[PreferenceInput]:
    """Mattermost's Preference.IsValid, and the body must speak for the user in the URL. Later duplicates win."""
    if len(prefs) > MAX_PER_CALL:
        raise bad_request("api.preference.update_preferences.too_many.app_error", f"At most {MAX_PER_CALL} preferences can be changed at once.")
    unique: dict[tuple[str, str], PreferenceInput] = {}
    for pref in prefs:
        if pref.user_id != user_id:
            raise AppError(403, "api.preference.update_preferences.set.app_error", "Unable to set preferences for another user.")
        if not pref.category or len(pref.category) > CATEGORY_MAX:
            raise bad_request("model.preference.is_valid.category.app_error", f"Category must be 1 to {CATEGORY_MAX} characters.")
        if len(pref.name) > NAME_MAX:
            raise bad_request("model.preference.is_valid.name.app_error", f"Name must be at most {NAME_MAX} characters.")
        if need_value and len(pref.value) > VALUE_MAX:
            raise bad_request("model.preference.is_valid.value.app_error", f"Value must be at most {VALUE_MAX} characters.")
        if need_value and pref.category == "theme" and not _is_theme(pref.value):
            raise bad_request("model.preference.is_valid.theme.app_error", "The theme must be a JSON object.")
        clean = PreferenceInput(user_id, clean_text(pref.category), clean_text(pref.name), clean_text(pref.value))
        unique[(clean.category, clean.name)] = clean
    return list(unique.values())


def _is_theme(value: str) -> bool:
    try:
        return isinstance(json.loads(value), dict)
    except ValueError:
        return False


def _event(name: str, user_id: str, prefs: list[PreferenceInput]) -> Any:
    payload = [{"user_id": p.user_id, "category": p.category, "name": p.name, "value": p.value} for p in prefs]
    return to_user(user_id, name, {"preferences": json.dumps(payload)})


async def get_preferences(svc: Services, actor: Actor, user_id: str, *, category: str = "", name: str | None = None) -> list[Preference]:
    """All of a user's preferences; a category (404 when it has none, as Mattermost); or one (404 when unset)."""
    check_self_or_admin(actor, user_id)
    async with svc.db.read() as db:
        found = await preferences_store.get_preferences(db, user_id, category=category, name=name)
    if (category or name is not None) and not found:
        raise not_found("preference")
    return found


async def do_save_preferences(svc: Services, actor: Actor, user_id: str, prefs: list[PreferenceInput]) -> None:
    """PUT /users/{id}/preferences: upsert. Saving a post needs read access to it."""
    check_self_or_admin(actor, user_id)
    prefs = check_preferences(user_id, prefs)
    if not prefs:
        return
    async with svc.db.write() as uow:
        db = uow.session
        owner = actor if actor.user_id == user_id else Actor(await users_store.get_user(db, user_id))
        if owner.user is None and not actor.is_system:
            raise not_found("user")
        for pref in prefs:
            if pref.category == FLAGGED_POST:
                if not is_valid_id(pref.name):
                    raise bad_request("model.preference.is_valid.name.app_error", "A saved post's name must be a post id.")
                await access_post(db, owner, pref.name)
        rows = [{"user_id": p.user_id, "category": p.category, "name": p.name, "value": p.value} for p in prefs]
        await preferences_store.save_preferences(db, rows)
        uow.emit(_event("preferences_changed", user_id, prefs))  # before the sidebar changes it causes
        for pref in prefs:
            if pref.category == FAVORITE_CHANNEL and is_valid_id(pref.name):
                await categories.sync_favorite_txn(uow, user_id, pref.name, favorite=pref.value != "false")


async def do_delete_preferences(svc: Services, actor: Actor, user_id: str, prefs: list[PreferenceInput]) -> None:
    """POST /users/{id}/preferences/delete: remove by (category, name); values are ignored."""
    check_self_or_admin(actor, user_id)
    prefs = check_preferences(user_id, prefs, need_value=False)
    if not prefs:
        return
    async with svc.db.write() as uow:
        await preferences_store.delete_preferences(uow.session, user_id, [(p.category, p.name) for p in prefs])
        uow.emit(_event("preferences_deleted", user_id, prefs))
        for pref in prefs:
            if pref.category == FAVORITE_CHANNEL and is_valid_id(pref.name):
                await categories.sync_favorite_txn(uow, user_id, pref.name, favorite=False)


async def get_flagged_posts(
    svc: Services, actor: Actor, user_id: str, *, channel_id: str = "", team_id: str = "", offset: int = 0, limit: int = 60
) -> PostPage:
    """GET /users/{id}/posts/flagged: the user's saved posts they can still read, newest first.

    Pages are cut before the access check, as Mattermost does, so a page can be shorter than `limit`.
    """
    check_self_or_admin(actor, user_id)
    async with svc.db.read() as db:
        owner = actor if actor.user_id == user_id else Actor(await users_store.get_user(db, user_id))
        if owner.user is None:
            raise not_found("user")
        ids = await preferences_store.get_flagged_post_ids(db, user_id, channel_id=channel_id, team_id=team_id, offset=offset, limit=limit)
    readable = {p.id: p for p in await get_posts_by_ids(svc, owner, ids)}
    posts = [readable[i] for i in ids if i in readable]
    page = PostPage(posts, [p.id for p in posts])
    async with svc.db.read() as db:
        page.reactions = await posts_store.get_reactions_for_posts(db, [p.id for p in posts if p.has_reactions])
    return page
