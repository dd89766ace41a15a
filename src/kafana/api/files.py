"""/files: upload (multipart or raw body), download with thumbnails and previews, infos, per-post and
per-channel lists."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import files
from kafana.api.deps import ActorDep, Paging, ServicesDep, check_id
from kafana.api.responses import JSON, created
from kafana.api.serving import serve_stored
from kafana.api.uploads import spool_upload
from kafana.lib.errors import AppError, not_found

router = APIRouter()

NO_THUMBNAIL = AppError(400, "api.file.get_file_thumbnail.no_thumbnail.app_error", "The file has no thumbnail.")
NO_PREVIEW = AppError(400, "api.file.get_file_preview.no_preview.app_error", "The file has no preview.")


@router.post("/files", status_code=201)
async def upload_files(request: Request, svc: ServicesDep, actor: ActorDep, channel_id: str = "", filename: str = "") -> Response:
    """Multipart (`channel_id`, `files`, `client_ids`, in any order) or the raw body with ?channel_id&filename."""
    async with spool_upload(request, svc.settings, raw_name=filename) as spool:
        channel = check_id(channel_id or spool.value("channel_id"), "channel_id")
        infos = await files.do_upload_files(svc, actor, channel, spool.files)
        client_ids = spool.fields.get("client_ids", [])
    return created({"file_infos": [i.to_api() for i in infos], "client_ids": client_ids})


@router.get("/files/{file_id}")
async def get_file(file_id: str, request: Request, svc: ServicesDep, actor: ActorDep, download: bool = False) -> Response:
    info = await files.access_file(svc, actor, check_id(file_id, "file_id"))
    return await _serve(request, svc, info.path, info.mime_type, info.name, download=download)


@router.get("/files/{file_id}/thumbnail")
async def get_thumbnail(file_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    info = await files.access_file(svc, actor, check_id(file_id, "file_id"))
    if not info.thumbnail_path:
        raise NO_THUMBNAIL
    return await _serve(request, svc, info.thumbnail_path, "image/jpeg", info.name.rsplit(".", 1)[0] + "_thumb.jpg")


@router.get("/files/{file_id}/preview")
async def get_preview(file_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    info = await files.access_file(svc, actor, check_id(file_id, "file_id"))
    if not info.preview_path:
        raise NO_PREVIEW
    return await _serve(request, svc, info.preview_path, "image/jpeg", info.name.rsplit(".", 1)[0] + "_preview.jpg")


@router.get("/files/{file_id}/info")
async def get_file_info(file_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await files.access_file(svc, actor, check_id(file_id, "file_id"))).to_api())


@router.get("/files/{file_id}/link")
async def get_file_link(file_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON({"link": await files.get_public_link(svc, actor, check_id(file_id, "file_id"))})


@router.get("/files/{file_id}/public")
async def get_public_file(file_id: str, request: Request, svc: ServicesDep, h: str = "") -> Response:
    """Also served at /files/{id}/public (outside /api/v4), where Mattermost's links point."""
    info = await files.access_public_file(svc, check_id(file_id, "file_id"), h)
    return await _serve(request, svc, info.path, info.mime_type, info.name, download=True)


@router.get("/posts/{post_id}/files/info")
async def get_post_file_infos(post_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON([i.to_api() for i in await files.get_post_files(svc, actor, check_id(post_id, "post_id"))])


@router.get("/channels/{channel_id}/files")
async def get_channel_files(channel_id: str, svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    """Not in Mattermost's API (its clients search files with `in:channel`): the channel's files, newest first,
    as a FileInfoList."""
    offset, limit = paging
    infos = await files.get_channel_files(svc, actor, check_id(channel_id, "channel_id"), offset, limit)
    return JSON({"order": [i.id for i in infos], "file_infos": {i.id: i.to_api() for i in infos}, "next_file_id": "", "prev_file_id": ""})


async def _serve(request: Request, svc: ServicesDep, key: str, mime_type: str, name: str, *, download: bool = False) -> Response:
    size = await svc.storage.size(key)
    if size is None:
        raise not_found("file")
    return await serve_stored(request, svc.storage, key, mime_type=mime_type, name=name, size=size, download=download)
