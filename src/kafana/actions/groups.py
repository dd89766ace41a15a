"""Custom user groups (Mattermost's /groups with `source: custom`): anyone holding the custom-group
permissions (every member by default, not guests) creates, edits and deletes them and manages their members;
`@name` then mentions the members who are in the channel (actions/notifications.py). Free, as everything here.

Every signed-in non-guest sees every group; a guest sees none, and a missing group and a hidden one give the
same 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from kafana.access import has_system_permission
from kafana.actions.context import Actor, Services
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden, not_found
from kafana.lib.ids import is_valid_id, new_id
from kafana.lib.validation import RESERVED_USERNAMES, USERNAME_RE
from kafana.models import User, UserGroup
from kafana.store import groups as groups_store
from kafana.store import users as users_store

MAX_MEMBERS = 256  # Mattermost's limit for a custom group
NAME_TAKEN = AppError(400, "app.custom_group.unique_name", "A group or a user already has this name.")


@dataclass(slots=True)
class GroupView:
    group: UserGroup
    member_count: int | None = None

    def to_api(self) -> dict[str, Any]:
        return self.group.to_api(self.member_count)


def _check_may(actor: Actor, permission: str) -> None:
    if actor.is_guest or not has_system_permission(actor, permission):
        raise forbidden()


def _check_name(name: str) -> str:
    name = name.strip().lstrip("@").lower()
    if not USERNAME_RE.match(name) or not name[0].isalpha() or name in RESERVED_USERNAMES:
        raise bad_request(
            "model.group.name.invalid_chars.app_error", "A group name must begin with a letter and use lowercase letters, numbers, '.', '-' or '_'."
        )
    return name


def _check_display_name(value: Any) -> str:
    text = str(value or "").strip()
    if not text or len(text) > 128:
        raise bad_request("model.group.display_name.app_error", "A group needs a display name of 1 to 128 characters.")
    return text


async def _visible_group(db: Any, actor: Actor, group_id: str, *, include_deleted: bool = False) -> UserGroup:
    group = await groups_store.get_group(db, group_id) if is_valid_id(group_id) else None
    if group is None or actor.is_guest or (group.delete_at and not include_deleted):
        raise not_found("group")
    return group


async def _check_name_free(db: Any, name: str, own_id: str = "") -> None:
    other = await groups_store.get_group_by_name(db, name)
    if (other is not None and other.id != own_id) or await users_store.get_user_by_username(db, name) is not None:
        raise NAME_TAKEN


async def _active_user_ids(db: Any, user_ids: Sequence[str]) -> list[str]:
    ids = [u for u in dict.fromkeys(user_ids) if is_valid_id(u)]
    found = {u.id for u in await users_store.get_users_by_ids(db, ids) if u.delete_at == 0 and not u.is_bot}
    missing = [u for u in user_ids if u not in found]
    if missing:
        raise bad_request("app.group.member_not_found", "Some of the users do not exist or are deactivated.")
    return ids


async def do_create_group(svc: Services, actor: Actor, group: dict[str, Any], user_ids: Sequence[str]) -> GroupView:
    """POST /groups: `source` must be `custom` and `allow_reference` true, as Mattermost asks."""
    _check_may(actor, "create_custom_group")
    if group.get("source", "custom") != "custom" or group.get("allow_reference", True) is not True or group.get("remote_id"):
        raise AppError(400, "app.group.crud_permission", "Only custom groups that can be mentioned can be created.")
    name = _check_name(str(group.get("name") or ""))
    display_name = _check_display_name(group.get("display_name"))
    if len(user_ids) > MAX_MEMBERS:
        raise bad_request("app.group.too_many_members", f"A group has at most {MAX_MEMBERS} members.")
    async with svc.db.write() as uow:
        db = uow.session
        await _check_name_free(db, name)
        members = await _active_user_ids(db, user_ids)
        now = now_ms()
        row = UserGroup(
            id=new_id(), name=name, display_name=display_name, description=str(group.get("description") or "")[:1024], source="custom",
            allow_reference=True, creator_id=actor.user_id, create_at=now, update_at=now, delete_at=0,
        )  # fmt: skip
        db.add(row)
        await db.flush()
        await groups_store.add_members(db, row.id, members, now)
        return GroupView(row, len(members))


async def list_groups(
    svc: Services, actor: Actor, *, q: str = "", include_member_count: bool = False, since: int = 0, offset: int = 0, limit: int = 60
) -> list[GroupView]:
    if actor.is_guest:
        return []
    async with svc.db.read() as db:
        stmt = select(UserGroup).where(UserGroup.source == "custom")
        stmt = stmt.where(UserGroup.update_at > since) if since else stmt.where(UserGroup.delete_at == 0)
        if q:
            term = q.lstrip("@").lower()
            stmt = stmt.where(or_(UserGroup.name.contains(term, autoescape=True), func.lower(UserGroup.display_name).contains(term, autoescape=True)))
        rows = list((await db.execute(stmt.order_by(UserGroup.display_name, UserGroup.id).offset(offset).limit(limit))).scalars())
        counts = await groups_store.member_counts(db, [g.id for g in rows]) if include_member_count else {}
    return [GroupView(g, counts.get(g.id, 0) if include_member_count else None) for g in rows]


async def get_group(svc: Services, actor: Actor, group_id: str, *, include_member_count: bool = False) -> GroupView:
    async with svc.db.read() as db:
        group = await _visible_group(db, actor, group_id, include_deleted=True)
        counts = await groups_store.member_counts(db, [group.id]) if include_member_count else {}
    return GroupView(group, counts.get(group.id, 0) if include_member_count else None)


async def do_patch_group(svc: Services, actor: Actor, group_id: str, patch: dict[str, Any]) -> GroupView:
    _check_may(actor, "edit_custom_group")
    async with svc.db.write() as uow:
        group = await _visible_group(uow.session, actor, group_id)
        if "name" in patch:
            name = _check_name(str(patch["name"] or ""))
            if name != group.name:
                await _check_name_free(uow.session, name, group.id)
                group.name = name
        if "display_name" in patch:
            group.display_name = _check_display_name(patch["display_name"])
        if "description" in patch:
            group.description = str(patch["description"] or "")[:1024]
        group.update_at = now_ms()
        return GroupView(group)


async def do_set_deleted(svc: Services, actor: Actor, group_id: str, deleted: bool) -> GroupView:
    """DELETE /groups/{id} (archive) and POST /groups/{id}/restore: the members stay, mentions stop meanwhile."""
    _check_may(actor, "delete_custom_group")
    async with svc.db.write() as uow:
        group = await _visible_group(uow.session, actor, group_id, include_deleted=True)
        if bool(group.delete_at) == deleted:
            raise bad_request("app.group.no_rows" if deleted else "app.group.restore.not_deleted", "The group is already in that state.")
        now = now_ms()
        group.delete_at = now if deleted else 0
        group.update_at = now
        return GroupView(group)


async def do_change_members(svc: Services, actor: Actor, group_id: str, user_ids: Sequence[str], *, add: bool) -> None:
    _check_may(actor, "manage_custom_group_members")
    async with svc.db.write() as uow:
        db = uow.session
        group = await _visible_group(db, actor, group_id)
        if add:
            ids = await _active_user_ids(db, user_ids)
            current = set(await groups_store.member_ids(db, group.id))
            if len(current | set(ids)) > MAX_MEMBERS:
                raise bad_request("app.group.too_many_members", f"A group has at most {MAX_MEMBERS} members.")
            await groups_store.add_members(db, group.id, ids, now_ms())
        else:
            await groups_store.remove_members(db, group.id, [u for u in user_ids if is_valid_id(u)])
        group.update_at = now_ms()


async def get_members(svc: Services, actor: Actor, group_id: str, *, offset: int, limit: int) -> tuple[list[User], int]:
    async with svc.db.read() as db:
        group = await _visible_group(db, actor, group_id, include_deleted=True)
        ids = await groups_store.member_ids(db, group.id)
        users = await users_store.get_users_by_ids(db, ids[offset : offset + limit])
    return users, len(ids)


async def get_user_groups(svc: Services, actor: Actor, user_id: str) -> list[GroupView]:
    """GET /users/{id}/groups: the groups a user belongs to."""
    if actor.is_guest and actor.user_id != user_id:
        raise forbidden()
    async with svc.db.read() as db:
        return [GroupView(g) for g in await groups_store.groups_of(db, user_id)]
