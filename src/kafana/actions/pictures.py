"""Profile pictures and team icons: an uploaded image, made upright, centre-cropped square and resized.

The stored picture replaces the generated default (lib/avatar.py) until it is deleted. `last_picture_update`
(users) and `last_team_icon_update` (teams) change with every upload and deletion, so clients that put it in
the image URL fetch the new picture; a deleted profile picture leaves it negative (minus the deletion time),
as Mattermost does.
"""

from __future__ import annotations

import asyncio
import json

from kafana.access import access_team, require, team_permissions
from kafana.actions.context import Services
from kafana.actions.files import TOO_LARGE_IMAGE, Incoming
from kafana.actions.profiles import notify_user_updated
from kafana.actions.users import check_can_edit_user
from kafana.events import to_team
from kafana.files import images
from kafana.files.sniff import IMAGE_TYPES, sniff
from kafana.files.storage import StorageError
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, not_found
from kafana.models import Team, User
from kafana.models.actor import Actor
from kafana.store import users as users_store

PICTURE_SIZE = 256  # pixels a side: sharp at the 128 px clients draw on high-density screens
NOT_AN_IMAGE = AppError(400, "api.user.upload_profile_user.invalid_image.app_error", "The file is not a PNG, JPEG, GIF, WebP or BMP image.")
NO_ICON = AppError(404, "api.team.get_team_icon.read_file.app_error", "The team has no icon.")


def profile_key(user_id: str) -> str:
    return f"users/{user_id}/profile.png"


def team_icon_key(team_id: str) -> str:
    return f"teams/{team_id}/icon.png"


async def square_picture(svc: Services, upload: Incoming) -> bytes:
    """The upload as a PICTURE_SIZE square PNG; 400 for anything that is not an acceptable image."""
    if sniff(upload.head) not in IMAGE_TYPES:
        raise NOT_AN_IMAGE
    async with svc.image_work:
        try:
            await asyncio.to_thread(images.inspect, upload.path, svc.settings.max_image_pixels)
            return await asyncio.to_thread(images.square_png, upload.path, PICTURE_SIZE)
        except images.ImageRefused as exc:
            raise bad_request(TOO_LARGE_IMAGE, "The image is too large or cannot be read.", str(exc)) from None


async def _store(svc: Services, key: str, data: bytes) -> None:
    try:
        await svc.storage.write_bytes(key, data)
    except StorageError as exc:
        raise AppError(500, "api.file.upload_file.storage.app_error", "The picture could not be stored.") from exc


async def _changed_user(svc: Services, user_id: str, picture_update: int) -> User:
    async with svc.db.write() as uow:
        user = await users_store.get_user(uow.session, user_id)
        if user is None:
            raise not_found("user")
        user.last_picture_update = picture_update
        user.update_at = now_ms()
        notify_user_updated(uow, user)
    svc.auth_cache.drop_user(user_id)
    return user


async def do_set_profile_image(svc: Services, actor: Actor, user_id: str, upload: Incoming) -> User:
    """POST /users/{id}/image: the user themself or an admin."""
    check_can_edit_user(actor, user_id)
    async with svc.db.read() as db:
        if await users_store.get_user(db, user_id) is None:
            raise not_found("user")
    await _store(svc, profile_key(user_id), await square_picture(svc, upload))
    return await _changed_user(svc, user_id, now_ms())


async def do_delete_profile_image(svc: Services, actor: Actor, user_id: str) -> User:
    """DELETE /users/{id}/image: back to the generated picture."""
    check_can_edit_user(actor, user_id)
    user = await _changed_user(svc, user_id, -now_ms())
    await svc.storage.delete(profile_key(user_id))
    return user


async def read_profile_image(svc: Services, user: User) -> bytes | None:
    """The uploaded picture's PNG, or None when the user has the generated one."""
    if user.last_picture_update <= 0:
        return None
    try:
        return await svc.storage.read_bytes(profile_key(user.id))
    except FileNotFoundError:
        return None


async def _team_for_icon(svc: Services, actor: Actor, team_id: str, *, manage: bool) -> Team:
    async with svc.db.read() as db:
        access = await access_team(db, actor, team_id, allow_open=not manage)
        if manage:
            require(team_permissions(actor, access.member), "manage_team")
        return access.team


async def _set_icon_time(svc: Services, actor: Actor, team_id: str, at: int) -> Team:
    async with svc.db.write() as uow:
        access = await access_team(uow.session, actor, team_id)
        require(team_permissions(actor, access.member), "manage_team")
        team = access.team
        team.last_team_icon_update = at
        team.update_at = now_ms()
        uow.emit(to_team(team.id, "update_team", {"team": json.dumps(team.to_api(email=False, invite_id=False))}))
    return team


async def do_set_team_icon(svc: Services, actor: Actor, team_id: str, upload: Incoming) -> Team:
    """POST /teams/{id}/image: team admins (manage_team)."""
    await _team_for_icon(svc, actor, team_id, manage=True)
    await _store(svc, team_icon_key(team_id), await square_picture(svc, upload))
    return await _set_icon_time(svc, actor, team_id, now_ms())


async def do_delete_team_icon(svc: Services, actor: Actor, team_id: str) -> Team:
    await _team_for_icon(svc, actor, team_id, manage=True)
    team = await _set_icon_time(svc, actor, team_id, 0)
    await svc.storage.delete(team_icon_key(team_id))
    return team


async def read_team_icon(svc: Services, actor: Actor, team_id: str) -> bytes:
    """GET /teams/{id}/image: 404 when the team has none (clients then draw its initials)."""
    team = await _team_for_icon(svc, actor, team_id, manage=False)
    if team.last_team_icon_update <= 0:
        raise NO_ICON
    try:
        return await svc.storage.read_bytes(team_icon_key(team.id))
    except FileNotFoundError:
        raise NO_ICON from None
