"""Sidebar categories: how a user groups their channels in one team.

Every user has three default categories per team, created lazily on first use with fixed ids:
`favorites_<uid>_<tid>`, `channels_<uid>_<tid>` and `direct_messages_<uid>_<tid>`; they may add custom ones.
Rows store only explicit placements. What a category shows is derived when read: its placements that are still
channels of the user (archived ones too), then every member channel of the team placed nowhere goes to Channels and every DM/GM
placed nowhere to Direct Messages (first, by display name, as Mattermost lists them). A channel is in exactly one
category: placing it somewhere removes it from the others.

The Favorites category and the `favorite_channel` preferences (how older clients favorite) are kept in step.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kafana.access import access_team
from kafana.actions.context import Actor, Services
from kafana.db import UnitOfWork
from kafana.events import Event, to_user
from kafana.lib.errors import AppError, bad_request, forbidden, invalid_param, not_found
from kafana.lib.ids import new_id
from kafana.models import SidebarCategory
from kafana.store import categories as categories_store
from kafana.store import channels as channels_store
from kafana.store import preferences as preferences_store
from kafana.store import teams as teams_store
from kafana.store.categories import SidebarChannel
from kafana.store.preferences import FAVORITE_CHANNEL

FAVORITES, CHANNELS, DIRECT_MESSAGES, CUSTOM = "favorites", "channels", "direct_messages", "custom"
DEFAULTS = ((FAVORITES, "Favorites", ""), (CHANNELS, "Channels", ""), (DIRECT_MESSAGES, "Direct Messages", "recent"))
SORTINGS = ("", "alpha", "recent", "manual")
SORT_STEP = 10
DISPLAY_NAME_MAX = 64
MAX_CATEGORIES = 200
DEFAULT_ONLY_CUSTOM = AppError(400, "api.channel.delete_channel_category.invalid_type.app_error", "Only custom categories can be deleted.")


@dataclass(slots=True)
class CategoryView:
    category: SidebarCategory
    channel_ids: list[str]

    def to_api(self) -> dict[str, Any]:
        return self.category.to_api(self.channel_ids)


@dataclass(slots=True)
class CategoryList:
    categories: list[CategoryView]

    @property
    def order(self) -> list[str]:
        return [v.category.id for v in self.categories]


@dataclass(slots=True)
class CategoryPatch:
    """What a client may change; None leaves a field as it is."""

    id: str
    display_name: str | None = None
    sorting: str | None = None
    muted: bool | None = None
    collapsed: bool | None = None
    channel_ids: list[str] | None = None
    user_id: str = ""
    team_id: str = ""


def default_id(kind: str, user_id: str, team_id: str) -> str:
    return f"{kind}_{user_id}_{team_id}"


def _event(user_id: str, team_id: str, name: str, data: dict[str, Any]) -> Event:
    return to_user(user_id, name, data, team_id=team_id)


# Deriving what each category shows ----------------------------------------------------------------------------


def _fits(category: SidebarCategory, channel: SidebarChannel) -> bool:
    """Channels holds team channels, Direct Messages holds DMs/GMs; Favorites and custom ones hold either."""
    if category.type == CHANNELS:
        return channel.type in ("O", "P")
    if category.type == DIRECT_MESSAGES:
        return channel.type in ("D", "G")
    return True


def derive(categories: Sequence[SidebarCategory], channels: Sequence[SidebarChannel]) -> list[CategoryView]:
    by_id = {c.id: c for c in channels}
    placed: set[str] = set()
    views: list[CategoryView] = []
    for category in categories:
        ids = []
        for cid in category.channel_ids or []:
            channel = by_id.get(cid)
            if channel is not None and cid not in placed and _fits(category, channel):
                ids.append(cid)
                placed.add(cid)
        views.append(CategoryView(category, ids))
    for view in views:
        if view.category.type in (CHANNELS, DIRECT_MESSAGES):
            unplaced = [c.id for c in channels if c.id not in placed and _fits(view.category, c)]
            placed.update(unplaced)
            view.channel_ids = unplaced + view.channel_ids
    return views


def _place(categories: Sequence[SidebarCategory], target: SidebarCategory, channel_ids: list[str]) -> None:
    """`target` holds exactly `channel_ids` (in that order), and no other category holds any of them."""
    moving = set(channel_ids)
    for category in categories:
        if category is not target and moving.intersection(category.channel_ids or []):
            category.channel_ids = [c for c in category.channel_ids if c not in moving]
    target.channel_ids = list(channel_ids)


def _valid_channels(target: SidebarCategory, wanted: Sequence[str], channels: Sequence[SidebarChannel]) -> list[str]:
    """Keep only the user's channels that fit the category, once each; the rest is dropped silently
    (as Mattermost does), so nothing about other channels leaks."""
    by_id = {c.id: c for c in channels}
    out: list[str] = []
    for cid in wanted:
        channel = by_id.get(cid)
        if channel is not None and cid not in out and _fits(target, channel):
            out.append(cid)
    return out


# Loading, with the defaults created on first use ---------------------------------------------------------------


def _has_defaults(categories: Sequence[SidebarCategory]) -> bool:
    return {FAVORITES, CHANNELS, DIRECT_MESSAGES} <= {c.type for c in categories}


async def _check_owner(db: AsyncSession, actor: Actor, user_id: str, team_id: str) -> None:
    """The user themself or an admin; the team must be one the user belongs to."""
    if actor.user_id != user_id and not actor.is_admin:
        raise forbidden()
    await access_team(db, actor, team_id)
    if actor.user_id != user_id:
        member = await teams_store.get_team_member(db, team_id, user_id)
        if member is None or member.delete_at:
            raise not_found("team")


async def _ensure_defaults_txn(uow: UnitOfWork, user_id: str, team_id: str, channels: Sequence[SidebarChannel]) -> None:
    """Create the three default categories if missing; Favorites starts with the `favorite_channel` preferences."""
    favorite_names = set(await preferences_store.get_preference_names(uow.session, user_id, FAVORITE_CHANNEL, value="true"))
    favorites = [c.id for c in channels if c.id in favorite_names]
    rows = [
        {
            "id": default_id(kind, user_id, team_id),
            "user_id": user_id,
            "team_id": team_id,
            "type": kind,
            "display_name": name,
            "sorting": sorting,
            "sort_order": i * SORT_STEP,
            "muted": False,
            "collapsed": False,
            "channel_ids": favorites if kind == FAVORITES else [],
        }
        for i, (kind, name, sorting) in enumerate(DEFAULTS)
    ]
    await categories_store.insert_categories(uow.session, rows)


async def _load_for_write(uow: UnitOfWork, actor: Actor, user_id: str, team_id: str) -> tuple[list[SidebarCategory], list[SidebarChannel]]:
    db = uow.session
    await _check_owner(db, actor, user_id, team_id)
    channels = await categories_store.get_sidebar_channels(db, user_id, team_id)
    categories = await categories_store.get_categories(db, user_id, team_id, for_update=True)
    if not _has_defaults(categories):
        await _ensure_defaults_txn(uow, user_id, team_id, channels)
        categories = await categories_store.get_categories(db, user_id, team_id, for_update=True)
    return categories, channels


async def get_categories(svc: Services, actor: Actor, user_id: str, team_id: str) -> CategoryList:
    """GET /users/{uid}/teams/{tid}/channels/categories."""
    async with svc.db.read() as db:
        await _check_owner(db, actor, user_id, team_id)
        categories = await categories_store.get_categories(db, user_id, team_id)
        if _has_defaults(categories):
            return CategoryList(derive(categories, await categories_store.get_sidebar_channels(db, user_id, team_id)))
    async with svc.db.write() as uow:
        categories, channels = await _load_for_write(uow, actor, user_id, team_id)
        return CategoryList(derive(categories, channels))


async def get_category(svc: Services, actor: Actor, user_id: str, team_id: str, category_id: str) -> CategoryView:
    found = await get_categories(svc, actor, user_id, team_id)
    for view in found.categories:
        if view.category.id == category_id:
            return view
    raise not_found("category")


# Changing -----------------------------------------------------------------------------------------------------------


def _favorites(categories: Sequence[SidebarCategory], channels: Sequence[SidebarChannel]) -> set[str]:
    for view in derive(categories, channels):
        if view.category.type == FAVORITES:
            return set(view.channel_ids)
    return set()


async def _sync_favorite_preferences(uow: UnitOfWork, user_id: str, before: set[str], after: set[str]) -> None:
    """Channels moved into Favorites get `favorite_channel` = "true"; those moved out lose the preference."""
    added, removed = after - before, before - after
    if added:
        rows = [{"user_id": user_id, "category": FAVORITE_CHANNEL, "name": cid, "value": "true"} for cid in sorted(added)]
        await preferences_store.save_preferences(uow.session, rows)
        uow.emit(to_user(user_id, "preferences_changed", {"preferences": json.dumps(rows)}))
    if removed:
        await preferences_store.delete_preferences(uow.session, user_id, [(FAVORITE_CHANNEL, cid) for cid in removed])
        rows = [{"user_id": user_id, "category": FAVORITE_CHANNEL, "name": cid, "value": "true"} for cid in sorted(removed)]
        uow.emit(to_user(user_id, "preferences_deleted", {"preferences": json.dumps(rows)}))


def _check_patch(category: SidebarCategory, patch: CategoryPatch, user_id: str, team_id: str) -> None:
    if patch.user_id and patch.user_id != user_id:
        raise invalid_param("user_id")
    if patch.team_id and patch.team_id != team_id:
        raise invalid_param("team_id")
    if patch.sorting is not None and patch.sorting not in SORTINGS:
        raise invalid_param("sorting")
    if patch.display_name is not None and category.type == CUSTOM:
        _check_display_name(patch.display_name)


def _check_display_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= DISPLAY_NAME_MAX:
        raise bad_request("model.channel.is_valid.display_name.app_error", f"A category name must be 1 to {DISPLAY_NAME_MAX} characters.")
    return name


def _apply(categories: list[SidebarCategory], category: SidebarCategory, patch: CategoryPatch, channels: Sequence[SidebarChannel]) -> None:
    if patch.display_name is not None and category.type == CUSTOM:
        category.display_name = _check_display_name(patch.display_name)
    if patch.sorting is not None:
        category.sorting = patch.sorting
    if patch.muted is not None and category.type != DIRECT_MESSAGES:
        category.muted = patch.muted
    if patch.collapsed is not None:
        category.collapsed = patch.collapsed
    if patch.channel_ids is not None:
        _place(categories, category, _valid_channels(category, patch.channel_ids, channels))


async def do_create_category(svc: Services, actor: Actor, user_id: str, team_id: str, patch: CategoryPatch) -> CategoryView:
    """POST …/categories: a custom category, placed after Favorites when Favorites comes first, else first."""
    display_name = _check_display_name(patch.display_name or "")
    async with svc.db.write() as uow:
        categories, channels = await _load_for_write(uow, actor, user_id, team_id)
        if len(categories) >= MAX_CATEGORIES:
            raise bad_request("api.channel.create_sidebar_category.too_many.app_error", "Too many sidebar categories.")
        category = SidebarCategory(
            id=new_id(),
            user_id=user_id,
            team_id=team_id,
            type=CUSTOM,
            display_name=display_name,
            sorting="",
            sort_order=0,
            muted=False,
            collapsed=False,
            channel_ids=[],
        )
        _check_patch(category, patch, user_id, team_id)
        favorites_before = _favorites(categories, channels)
        at = 1 if categories and categories[0].type == FAVORITES else 0
        ordered = [*categories[:at], category, *categories[at:]]
        for i, c in enumerate(ordered):
            c.sort_order = i * SORT_STEP
        _apply(
            ordered,
            category,
            CategoryPatch(id=category.id, muted=patch.muted, collapsed=patch.collapsed, sorting=patch.sorting, channel_ids=patch.channel_ids),
            channels,
        )
        uow.session.add(category)
        await _sync_favorite_preferences(uow, user_id, favorites_before, _favorites(ordered, channels))
        uow.emit(_event(user_id, team_id, "sidebar_category_created", {"category_id": category.id}))
        return next(v for v in derive(ordered, channels) if v.category is category)


async def do_update_categories(svc: Services, actor: Actor, user_id: str, team_id: str, patches: Sequence[CategoryPatch]) -> list[CategoryView]:
    """PUT …/categories (bulk) and PUT …/categories/{id}: returns the categories as they now read.

    The event lists every category whose channels changed, including those channels were moved out of.
    """
    async with svc.db.write() as uow:
        categories, channels = await _load_for_write(uow, actor, user_id, team_id)
        by_id = {c.id: c for c in categories}
        for patch in patches:
            if patch.id not in by_id:
                raise not_found("category")
            _check_patch(by_id[patch.id], patch, user_id, team_id)
        before = {v.category.id: v.channel_ids for v in derive(categories, channels)}
        favorites_before = _favorites(categories, channels)
        for patch in patches:
            _apply(categories, by_id[patch.id], patch, channels)
        views = derive(categories, channels)
        requested = {p.id for p in patches}
        changed = [v for v in views if v.category.id in requested or v.channel_ids != before.get(v.category.id)]
        await _sync_favorite_preferences(uow, user_id, favorites_before, _favorites(categories, channels))
        uow.emit(_event(user_id, team_id, "sidebar_category_updated", {"updatedCategories": json.dumps([v.to_api() for v in changed])}))
        answer = {v.category.id: v for v in views}
        return [answer[pid] for pid in dict.fromkeys(p.id for p in patches)]


async def do_delete_category(svc: Services, actor: Actor, user_id: str, team_id: str, category_id: str) -> None:
    """DELETE …/categories/{id}: custom ones only; their channels go back to Channels and Direct Messages."""
    async with svc.db.write() as uow:
        categories, _ = await _load_for_write(uow, actor, user_id, team_id)
        category = next((c for c in categories if c.id == category_id), None)
        if category is None:
            raise not_found("category")
        if category.type != CUSTOM:
            raise DEFAULT_ONLY_CUSTOM
        await categories_store.delete_category(uow.session, category_id)
        uow.emit(_event(user_id, team_id, "sidebar_category_deleted", {"category_id": category_id}))


async def get_category_order(svc: Services, actor: Actor, user_id: str, team_id: str) -> list[str]:
    return (await get_categories(svc, actor, user_id, team_id)).order


async def do_set_category_order(svc: Services, actor: Actor, user_id: str, team_id: str, order: Sequence[str]) -> list[str]:
    """PUT …/categories/order: a permutation of the user's category ids in that team."""
    async with svc.db.write() as uow:
        categories, _ = await _load_for_write(uow, actor, user_id, team_id)
        by_id = {c.id: c for c in categories}
        if len(order) != len(by_id) or set(order) != set(by_id):
            raise bad_request("api.channel.update_category_order.invalid.app_error", "The order must list each of the user's categories once.")
        for i, category_id in enumerate(order):
            by_id[category_id].sort_order = i * SORT_STEP
        uow.emit(_event(user_id, team_id, "sidebar_category_order_updated", {"order": list(order)}))
    return list(order)


async def sync_favorite_txn(uow: UnitOfWork, user_id: str, channel_id: str, *, favorite: bool) -> None:
    """A `favorite_channel` preference changed: move the channel into (or out of) Favorites wherever the user
    has categories for it (its team's; every team's for a DM/GM), and tell the user's clients which categories
    changed. Teams without categories yet pick the preference up when their defaults are created."""
    db = uow.session
    channel = await channels_store.get_channel(db, channel_id)
    if channel is None:
        return
    for favorites in await categories_store.get_categories_of_type(db, user_id, FAVORITES):
        if channel.team_id and favorites.team_id != channel.team_id:
            continue
        categories = await categories_store.get_categories(db, user_id, favorites.team_id, for_update=True)
        channels = await categories_store.get_sidebar_channels(db, user_id, favorites.team_id)
        before = {v.category.id: v.channel_ids for v in derive(categories, channels)}
        target = next(c for c in categories if c.id == favorites.id)
        current = list(target.channel_ids or [])
        if favorite and channel_id not in current:
            _place(categories, target, [channel_id, *current])
        elif not favorite and channel_id in current:
            target.channel_ids = [c for c in current if c != channel_id]
        changed = [v for v in derive(categories, channels) if v.channel_ids != before.get(v.category.id)]
        if changed:
            data = {"updatedCategories": json.dumps([v.to_api() for v in changed])}
            uow.emit(_event(user_id, favorites.team_id, "sidebar_category_updated", data))
