"""Uploading files, reading them back, and the rules for who may.

An upload arrives spooled to a local temporary file (the API streams it there, counting bytes against the
limit). Here its type is sniffed from its bytes, images get thumbnails, previews and their location removed
(in a worker thread, one at a time: `Services.image_work`), the bytes go to the store, and then the
rows are written in one transaction. A file is readable by its uploader until a post holds it, then by
whoever can read that post (A6); a deleted post hides its files (A17).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kafana.access import access_channel, access_post, channel_permissions
from kafana.actions.context import Services
from kafana.files import images
from kafana.files.sniff import IMAGE_TYPES, extension_of, sniff
from kafana.files.storage import StorageError
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden, not_found
from kafana.lib.ids import new_id
from kafana.lib.validation import clean_text
from kafana.models import FileInfo, SystemValue
from kafana.models.actor import SYSTEM, Actor
from kafana.store import files as files_store

FILE_NAME_MAX = 255
MAX_FILES_PER_POST = 10
TOO_LARGE_IMAGE = "api.file.upload_file.large_image.app_error"
QUOTA_EXCEEDED = "api.file.upload_file.quota.app_error"  # Kafana's: Mattermost has no per-user quota
STORAGE_FAILED = AppError(500, "api.file.upload_file.storage.app_error", "The file could not be stored.")


@dataclass(slots=True)
class Incoming:
    """One spooled upload: the client's name for it, where its bytes are, how many, and the first of them."""

    name: str
    path: Path
    size: int
    head: bytes


def check_file_name(name: str) -> str:
    """The last path component, without control or bidirectional-override characters. Only for display and
    Content-Disposition: the bytes are stored under keys the server makes (D8)."""
    name = clean_text(name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cf", "Cc", "Zl", "Zp")).strip()
    if not name or name in (".", ".."):
        raise bad_request("api.file.upload_file.bad_name.app_error", "The file has no usable name.")
    if len(name) > FILE_NAME_MAX:
        raise bad_request("model.file_info.is_valid.name.app_error", f"File names are at most {FILE_NAME_MAX} characters.")
    return name


async def check_quota(svc: Services, actor: Actor, incoming: int) -> None:
    """`user_file_quota`: the user's live files plus these may not pass it. Checked once the upload is spooled
    (its size known) and before anything is stored; two uploads racing may both pass (a soft limit)."""
    quota = svc.settings.user_file_quota
    if not quota:
        return
    async with svc.db.read() as db:
        used = await files_store.total_size_by_user(db, actor.user_id)
    if used + incoming > quota:
        raise AppError(413, QUOTA_EXCEEDED, f"These files would take your stored files past your quota of {quota} bytes.")


def storage_key(file_id: str, at: int, part: str) -> str:
    day = time.strftime("%Y%m%d", time.gmtime(at / 1000))
    return f"files/{day}/{file_id}/{part}"


async def check_can_upload(svc: Services, actor: Actor, channel_id: str) -> None:
    async with svc.db.read() as db:
        access = await access_channel(db, actor, channel_id)
        if "upload_file" not in channel_permissions(actor, access) or (access.member is None and not actor.is_admin):
            raise forbidden()
        if access.channel.delete_at:
            raise AppError(403, "api.file.upload_file.archived_channel.app_error", "You cannot upload to an archived channel.")


async def do_upload_files(svc: Services, actor: Actor, channel_id: str, uploads: list[Incoming]) -> list[FileInfo]:
    """POST /files: store each upload and write its FileInfo (not yet attached to a post)."""
    if not uploads:
        raise bad_request("api.file.upload_file.no_files.app_error", "No files were sent.")
    if len(uploads) > MAX_FILES_PER_POST:
        raise bad_request("api.file.upload_file.too_many_files.app_error", f"At most {MAX_FILES_PER_POST} files per upload.")
    await check_can_upload(svc, actor, channel_id)
    await check_quota(svc, actor, sum(u.size for u in uploads))
    names = [check_file_name(u.name) for u in uploads]
    stored: list[str] = []
    infos: list[FileInfo] = []
    try:
        for upload, name in zip(uploads, names, strict=True):
            infos.append(await store_upload(svc, actor, channel_id, upload, stored, name))
        async with svc.db.write() as uow:
            uow.session.add_all(infos)
    except BaseException:
        for key in stored:
            with contextlib.suppress(StorageError, OSError):
                await svc.storage.delete(key)
        raise
    return infos


async def store_upload(svc: Services, actor: Actor, channel_id: str, upload: Incoming, stored: list[str], name: str = "") -> FileInfo:
    """Store one spooled file with its derived images and return its FileInfo (not yet written): uploads and
    imports. `stored` collects the keys written, so a caller can remove them if the rest fails."""
    name = name or upload.name
    now = now_ms()
    file_id = new_id()
    mime_type = sniff(upload.head)
    info = FileInfo(
        id=file_id, creator_id=actor.user_id, post_id="", channel_id=channel_id, create_at=now, update_at=now, delete_at=0,
        path=storage_key(file_id, now, "original"), thumbnail_path="", preview_path="", name=name, extension=extension_of(name),
        size=upload.size, mime_type=mime_type, width=0, height=0, has_preview_image=False, mini_preview=None,
    )  # fmt: skip
    source = upload.path
    if mime_type in IMAGE_TYPES:
        source = await _process_image(svc, info, upload.path, stored)  # spooled beside the upload: removed with it
    try:
        await svc.storage.write_file(info.path, source)
    except StorageError as exc:
        raise STORAGE_FAILED from exc
    stored.append(info.path)
    return info


async def _process_image(svc: Services, info: FileInfo, path: Path, stored: list[str]) -> Path:
    """Check the header, make the derived images, remove location data. Returns the file to store."""
    async with svc.image_work:
        try:
            facts = await asyncio.to_thread(images.inspect, path, svc.settings.max_image_pixels)
        except images.ImageRefused as exc:
            raise bad_request(TOO_LARGE_IMAGE, "The image is too large or cannot be read.", str(exc)) from None
        info.width, info.height = facts.width, facts.height
        animated = facts.frames > 1
        try:
            derived = await asyncio.to_thread(images.derive, path, preview=not animated)
        except images.ImageRefused as exc:
            raise bad_request(TOO_LARGE_IMAGE, "The image is too large or cannot be read.", str(exc)) from None
        cleaned = path.with_name(path.name + ".clean")
        stripped = await asyncio.to_thread(images.strip_location, path, cleaned, info.mime_type)
    info.mini_preview = derived.mini_preview
    info.thumbnail_path = storage_key(info.id, info.create_at, "thumb.jpg")
    await _put(svc, info.thumbnail_path, derived.thumbnail, stored)
    if derived.preview is not None:
        info.preview_path = storage_key(info.id, info.create_at, "preview.jpg")
        await _put(svc, info.preview_path, derived.preview, stored)
        info.has_preview_image = True
    if stripped:
        info.size = os.stat(cleaned).st_size
        return cleaned
    return path


async def _put(svc: Services, key: str, data: bytes, stored: list[str]) -> None:
    try:
        await svc.storage.write_bytes(key, data)
    except StorageError as exc:
        raise STORAGE_FAILED from exc
    stored.append(key)


# Reading -------------------------------------------------------------------------------------------------


async def access_file(svc: Services, actor: Actor, file_id: str) -> FileInfo:
    """The file if the actor may read it: the uploader before it is attached, then readers of its post.
    Missing, deleted and forbidden look the same (404)."""
    async with svc.db.read() as db:
        info = await files_store.get_file(db, file_id)
        if info is None or info.delete_at:
            raise not_found("file_info")
        if not info.post_id:
            if info.creator_id != actor.user_id or actor.user is None:
                raise not_found("file_info")
            return info
        try:
            await access_post(db, actor, info.post_id)
        except AppError:
            raise not_found("file_info") from None
        return info


PUBLIC_LINKS_OFF = AppError(501, "api.file.get_public_link.disabled.app_error", "Public links have been disabled.")


async def _link_salt(svc: Services) -> bytes:
    async with svc.db.write() as uow:
        row = await uow.session.get(SystemValue, "public_link_salt")
        if row is None:
            row = SystemValue(name="public_link_salt", value=secrets.token_urlsafe(32))
            uow.session.add(row)
        return row.value.encode()


def _link_hash(salt: bytes, file_id: str) -> str:
    return base64.urlsafe_b64encode(hmac.new(salt, file_id.encode(), hashlib.sha256).digest()).decode().rstrip("=")


async def get_public_link(svc: Services, actor: Actor, file_id: str) -> str:
    """GET /files/{id}/link: a URL anyone holding it may download from (only when public links are on)."""
    if not svc.settings.enable_public_links:
        raise PUBLIC_LINKS_OFF
    info = await access_file(svc, actor, file_id)
    if not info.post_id:
        raise bad_request("api.file.get_public_link.no_post.app_error", "The file must be attached to a post first.")
    return f"{svc.settings.site_url.rstrip('/')}/files/{info.id}/public?h={_link_hash(await _link_salt(svc), info.id)}"


async def access_public_file(svc: Services, file_id: str, given_hash: str) -> FileInfo:
    """GET /files/{id}/public?h=…: the file if links are on, the hash matches and its post still stands."""
    if not svc.settings.enable_public_links:
        raise PUBLIC_LINKS_OFF
    if not hmac.compare_digest(_link_hash(await _link_salt(svc), file_id), given_hash):
        raise not_found("file_info")
    return await access_file(svc, SYSTEM, file_id)


async def get_post_files(svc: Services, actor: Actor, post_id: str) -> list[FileInfo]:
    """GET /posts/{id}/files/info."""
    async with svc.db.read() as db:
        post, _ = await access_post(db, actor, post_id)
        return (await files_store.get_files_for_posts(db, [post.id])).get(post.id, [])


async def get_channel_files(svc: Services, actor: Actor, channel_id: str, offset: int, limit: int) -> list[FileInfo]:
    """GET /channels/{id}/files: the files of the channel's live posts, newest first."""
    async with svc.db.read() as db:
        await access_channel(db, actor, channel_id)
        return await files_store.get_channel_files(db, channel_id, offset, limit)
