"""Custom emoji: create (Mattermost's name rules and size limits), list, search, autocomplete, delete.

An image up to 1 MiB and 1028 pixels a side is accepted (PNG, JPEG, GIF); one larger than 128 pixels is
scaled down to fit 128×128 (an animated GIF frame by frame), a smaller one is kept as uploaded, animation
included. Creating one tells every client (`emoji_added`); reactions and messages use it by name.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kafana.access import has_system_permission
from kafana.actions.context import Services
from kafana.actions.files import Incoming
from kafana.events import to_all
from kafana.files import images
from kafana.files.sniff import sniff
from kafana.files.storage import StorageError
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden, not_found
from kafana.lib.ids import new_id
from kafana.models import Emoji
from kafana.models.actor import Actor
from kafana.store import emoji as emoji_store

MAX_EMOJI_FILE_SIZE = 1024 * 1024
MAX_EMOJI_SIDE = 128
MAX_EMOJI_ORIGINAL_SIDE = 1028
EMOJI_NAME_MAX = 64
NAME_RE = re.compile(r"^[a-zA-Z0-9\-+_]+$")
EMOJI_TYPES = frozenset({"image/png", "image/jpeg", "image/gif"})
DUPLICATE = AppError(400, "api.emoji.create.duplicate.app_error", "An emoji with this name already exists.")
# Names clients already draw as system emoji: a custom emoji of the same name could never be shown.
RESERVED_NAMES = frozenset({"+1", "-1", "thumbsup", "thumbsdown", "smile", "heart", "laughing", "tada", "white_check_mark", "eyes", "joy", "100"})


def check_emoji_name(name: str) -> str:
    if not 1 <= len(name) <= EMOJI_NAME_MAX or not NAME_RE.fullmatch(name):
        raise bad_request("model.emoji.name.app_error", "Emoji names are 1 to 64 letters, digits and the characters -, + and _.")
    if name.lower() in RESERVED_NAMES:
        raise bad_request("api.emoji.create.system_emoji.app_error", "That name belongs to a system emoji.")
    return name


def image_key(emoji_id: str) -> str:
    return f"emoji/{emoji_id}/image"


async def _emoji_image(svc: Services, upload: Incoming) -> bytes | None:
    """The bytes to store instead of the upload (a scaled-down copy), or None to store the upload itself."""
    if sniff(upload.head) not in EMOJI_TYPES:
        raise bad_request("api.emoji.upload.image.app_error", "Emoji images must be PNG, JPEG or GIF.")
    async with svc.image_work:
        try:
            facts = await asyncio.to_thread(images.inspect, upload.path, svc.settings.max_image_pixels)
            if max(facts.width, facts.height) > MAX_EMOJI_ORIGINAL_SIDE:
                raise bad_request(
                    "api.emoji.upload.large_image.too_large.app_error", f"Emoji images are at most {MAX_EMOJI_ORIGINAL_SIDE}×{MAX_EMOJI_ORIGINAL_SIDE} pixels."
                )
            resized = await asyncio.to_thread(images.fit_within, upload.path, MAX_EMOJI_SIDE)
        except images.ImageRefused as exc:
            raise bad_request("api.emoji.upload.large_image.decode_error", "The emoji image cannot be read.", str(exc)) from None
    return resized[0] if resized else None


async def do_create_emoji(svc: Services, actor: Actor, name: str, creator_id: str, upload: Incoming | None) -> Emoji:
    """POST /emoji: the creator must be the caller and have create_emojis; the name must be free."""
    if not has_system_permission(actor, "create_emojis"):
        raise forbidden()
    if creator_id != actor.user_id:
        raise AppError(403, "api.emoji.create.other_user.app_error", "You cannot create an emoji for another user.")
    check_emoji_name(name)
    if upload is None:
        raise bad_request("api.emoji.create.no_image.app_error", "The emoji needs an image.")
    async with svc.db.read() as db:
        if await emoji_store.get_emoji_by_name(db, name) is not None:
            raise DUPLICATE
    data = await _emoji_image(svc, upload)
    now = now_ms()
    emoji = Emoji(id=new_id(), creator_id=actor.user_id, name=name, create_at=now, update_at=now, delete_at=0, path=image_key(""))
    emoji.path = image_key(emoji.id)
    try:
        await (svc.storage.write_bytes(emoji.path, data) if data is not None else svc.storage.write_file(emoji.path, upload.path))
    except StorageError as exc:
        raise AppError(500, "api.emoji.upload.storage.app_error", "The emoji image could not be stored.") from exc
    try:
        async with svc.db.write() as uow:
            if await emoji_store.get_emoji_by_name(uow.session, name) is not None:
                raise DUPLICATE
            uow.session.add(emoji)
            await uow.session.flush()
            uow.emit(to_all("emoji_added", {"emoji": json.dumps(emoji.to_api())}))
    except BaseException as exc:
        await svc.storage.delete(emoji.path)
        if isinstance(exc, IntegrityError):
            raise DUPLICATE from None
        raise
    return emoji


async def do_delete_emoji(svc: Services, actor: Actor, emoji_id: str) -> Emoji:
    """DELETE /emoji/{id}: its creator (delete_emojis) or someone with delete_others_emojis (admins)."""
    async with svc.db.write() as uow:
        emoji = await emoji_store.get_emoji(uow.session, emoji_id)
        if emoji is None:
            raise not_found("emoji")
        own = emoji.creator_id == actor.user_id and has_system_permission(actor, "delete_emojis")
        if not own and not has_system_permission(actor, "delete_others_emojis"):
            raise forbidden()
        emoji.delete_at = emoji.update_at = now_ms()
    await svc.storage.delete(emoji.path)
    return emoji


async def get_emoji(svc: Services, emoji_id: str) -> Emoji:
    return await _existing(svc, emoji_store.get_emoji, emoji_id)


async def get_emoji_by_name(svc: Services, name: str) -> Emoji:
    return await _existing(svc, emoji_store.get_emoji_by_name, name)


async def _existing(svc: Services, lookup: Callable[[AsyncSession, str], Awaitable[Emoji | None]], key: str) -> Emoji:
    async with svc.db.read() as db:
        emoji = await lookup(db, key)
    if emoji is None:
        raise not_found("emoji")
    return emoji


async def get_emoji_by_names(svc: Services, names: list[str]) -> list[Emoji]:
    async with svc.db.read() as db:
        return await emoji_store.get_emoji_by_names(db, names)


async def list_emoji(svc: Services, offset: int, limit: int, *, by_name: bool) -> list[Emoji]:
    async with svc.db.read() as db:
        return await emoji_store.list_emoji(db, offset, limit, by_name=by_name)


async def search_emoji(svc: Services, term: str, limit: int, *, prefix_only: bool) -> list[Emoji]:
    if not term or len(term) > EMOJI_NAME_MAX:
        raise bad_request("api.emoji.search.term.app_error", "Give a search term of 1 to 64 characters.")
    async with svc.db.read() as db:
        return await emoji_store.search_emoji(db, term, limit, prefix_only=prefix_only)
