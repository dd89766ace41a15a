"""/emoji: custom emoji (create with a multipart `image` and a JSON `emoji` field, list, search, delete)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import emoji
from kafana.actions.emoji import MAX_EMOJI_FILE_SIZE
from kafana.api.body import read_id_list, read_object
from kafana.api.deps import ActorDep, Paging, ServicesDep, check_id
from kafana.api.responses import JSON, created, ok
from kafana.api.serving import serve_stored
from kafana.api.uploads import spool_upload
from kafana.files.sniff import sniff
from kafana.lib.errors import bad_request, invalid_param, not_found

router = APIRouter()
AUTOCOMPLETE_LIMIT = 100


@router.post("/emoji", status_code=201)
async def create_emoji(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    async with spool_upload(request, svc.settings, file_fields=frozenset({"image"}), limit=MAX_EMOJI_FILE_SIZE, multipart_only=True) as spool:
        try:
            meta = json.loads(spool.value("emoji") or "null")
        except ValueError:
            meta = None
        if not isinstance(meta, dict) or not isinstance(meta.get("name"), str) or not isinstance(meta.get("creator_id", ""), str):
            raise invalid_param("emoji")
        created_emoji = await emoji.do_create_emoji(svc, actor, meta["name"], meta.get("creator_id") or actor.user_id, spool.files[0] if spool.files else None)
    return created(created_emoji.to_api())


@router.get("/emoji")
async def list_emoji(svc: ServicesDep, actor: ActorDep, paging: Paging, sort: str = "") -> JSON:
    offset, limit = paging
    return JSON([e.to_api() for e in await emoji.list_emoji(svc, offset, limit, by_name=sort == "name")])


@router.post("/emoji/names")
async def get_emoji_by_names(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    names = await read_id_list(request, "names", limit=200)
    return JSON([e.to_api() for e in await emoji.get_emoji_by_names(svc, names)])


@router.post("/emoji/search")
async def search_emoji(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    found = await emoji.search_emoji(svc, body.str("term", max_len=64), 200, prefix_only=body.bool("prefix_only"))
    return JSON([e.to_api() for e in found])


@router.get("/emoji/autocomplete")
async def autocomplete_emoji(svc: ServicesDep, actor: ActorDep, name: str = "") -> JSON:
    return JSON([e.to_api() for e in await emoji.search_emoji(svc, name, AUTOCOMPLETE_LIMIT, prefix_only=True)])


@router.get("/emoji/name/{emoji_name}")
async def get_emoji_by_name(emoji_name: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await emoji.get_emoji_by_name(svc, emoji_name[:64])).to_api())


@router.get("/emoji/{emoji_id}")
async def get_emoji(emoji_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await emoji.get_emoji(svc, check_id(emoji_id, "emoji_id"))).to_api())


@router.get("/emoji/{emoji_id}/image")
async def get_emoji_image(emoji_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    found = await emoji.get_emoji(svc, check_id(emoji_id, "emoji_id"))
    try:
        head = b"".join([chunk async for chunk in svc.storage.read(found.path, 0, 64)])
    except FileNotFoundError:
        raise not_found("emoji") from None
    mime_type = sniff(head)
    if not mime_type.startswith("image/"):
        raise bad_request("api.emoji.get_image.decode.app_error", "The emoji image cannot be read.")
    return await serve_stored(request, svc.storage, found.path, mime_type=mime_type, name=found.name, cache="max-age=86400, private")


@router.delete("/emoji/{emoji_id}")
async def delete_emoji(emoji_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await emoji.do_delete_emoji(svc, actor, check_id(emoji_id, "emoji_id"))
    return ok()
