"""/users/{id}/status, /users/status/ids and custom statuses (/users/{id}/status/custom)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import custom_status, statuses
from kafana.api.body import read_id_list, read_object
from kafana.api.deps import ActorDep, ServicesDep, resolve_user_id
from kafana.api.responses import JSON, ok
from kafana.lib.errors import invalid_param
from kafana.lib.ids import is_valid_id

router = APIRouter()


@router.get("/users/{user_id}/status")
async def get_status(user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    found = await statuses.get_statuses(svc, actor, [resolve_user_id(actor, user_id)])
    return JSON(found[0].to_api())


@router.post("/users/status/ids")
async def get_statuses_by_ids(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    ids = await read_id_list(request, "user_ids")
    if not all(is_valid_id(i) for i in ids):
        raise invalid_param("user_ids")
    return JSON([s.to_api() for s in await statuses.get_statuses(svc, actor, ids)])


@router.put("/users/{user_id}/status")
async def update_status(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    uid = resolve_user_id(actor, user_id)
    body = await read_object(request)
    if body.str("user_id", max_len=26) != uid:
        raise invalid_param("user_id")
    status = await statuses.do_set_status(svc, actor, uid, body.str("status", max_len=32), dnd_end_time=body.int("dnd_end_time"))
    return JSON(status.to_api())


@router.put("/users/{user_id}/status/custom")
async def set_custom_status(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    await custom_status.do_set_custom_status(svc, actor, resolve_user_id(actor, user_id), body.data)
    return ok()


@router.delete("/users/{user_id}/status/custom")
async def clear_custom_status(user_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await custom_status.do_clear_custom_status(svc, actor, resolve_user_id(actor, user_id))
    return ok()


@router.delete("/users/{user_id}/status/custom/recent")
@router.post("/users/{user_id}/status/custom/recent/delete")
async def remove_recent_custom_status(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    await custom_status.do_remove_recent_custom_status(svc, actor, resolve_user_id(actor, user_id), body.data)
    return ok()
