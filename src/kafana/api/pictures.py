"""Profile pictures (/users/{id}/image) and team icons (/teams/{id}/image): multipart `image` uploads."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import pictures, users
from kafana.actions.files import Incoming
from kafana.api.deps import ActorDep, ServicesDep, check_id, resolve_user_id
from kafana.api.responses import ok
from kafana.api.uploads import spool_upload
from kafana.lib.avatar import default_avatar_png
from kafana.lib.errors import bad_request

router = APIRouter()
IMAGE_FIELD = frozenset({"image"})
MAX_PICTURE_BYTES = 50 * 1024 * 1024


def _png(data: bytes) -> Response:
    return Response(data, media_type="image/png", headers={"Cache-Control": "max-age=300, private", "Content-Security-Policy": "sandbox"})


@router.get("/users/{user_id}/image")
async def get_profile_image(user_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    user = await users.get_user(svc, actor, resolve_user_id(actor, user_id))
    return _png(await pictures.read_profile_image(svc, user) or default_avatar_png(user.id))


@router.get("/users/{user_id}/image/default")
async def get_default_profile_image(user_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    user = await users.get_user(svc, actor, resolve_user_id(actor, user_id))
    return _png(default_avatar_png(user.id))


@router.post("/users/{user_id}/image")
async def set_profile_image(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    uid = resolve_user_id(actor, user_id)
    users.check_can_edit_user(actor, uid)  # before reading a large body for nothing
    async with spool_upload(request, svc.settings, file_fields=IMAGE_FIELD, limit=MAX_PICTURE_BYTES, multipart_only=True) as spool:
        await pictures.do_set_profile_image(svc, actor, uid, _the_image(spool.files))
    return ok()


@router.delete("/users/{user_id}/image")
async def delete_profile_image(user_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await pictures.do_delete_profile_image(svc, actor, resolve_user_id(actor, user_id))
    return ok()


@router.get("/teams/{team_id}/image")
async def get_team_icon(team_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    return _png(await pictures.read_team_icon(svc, actor, check_id(team_id, "team_id")))


@router.post("/teams/{team_id}/image")
async def set_team_icon(team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    tid = check_id(team_id, "team_id")
    async with spool_upload(request, svc.settings, file_fields=IMAGE_FIELD, limit=MAX_PICTURE_BYTES, multipart_only=True) as spool:
        await pictures.do_set_team_icon(svc, actor, tid, _the_image(spool.files))
    return ok()


@router.delete("/teams/{team_id}/image")
async def delete_team_icon(team_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await pictures.do_delete_team_icon(svc, actor, check_id(team_id, "team_id"))
    return ok()


def _the_image(files: list[Incoming]) -> Incoming:
    if len(files) != 1:
        raise bad_request("api.user.upload_profile_user.no_file.app_error", "Send one image in the `image` field.")
    return files[0]
