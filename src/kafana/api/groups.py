"""/groups: custom user groups, as Mattermost's API has them (see actions/groups.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import groups, profiles
from kafana.api.body import read_object
from kafana.api.deps import ActorDep, Paging, ServicesDep, check_id, resolve_user_id
from kafana.api.responses import JSON, created, ok
from kafana.lib.errors import invalid_param

router = APIRouter()


@router.post("/groups", status_code=201)
async def create_group(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    group = body.obj("group")
    if group is None:
        raise invalid_param("group")
    return created((await groups.do_create_group(svc, actor, group, body.str_list("user_ids", max_items=groups.MAX_MEMBERS + 1))).to_api())


@router.get("/groups")
async def list_groups(svc: ServicesDep, actor: ActorDep, paging: Paging, q: str = "", include_member_count: bool = False, since: int = 0) -> JSON:
    offset, limit = paging
    found = await groups.list_groups(svc, actor, q=q[:64], include_member_count=include_member_count, since=max(since, 0), offset=offset, limit=limit)
    return JSON([g.to_api() for g in found])


@router.get("/groups/{group_id}")
async def get_group(group_id: str, svc: ServicesDep, actor: ActorDep, include_member_count: bool = False) -> JSON:
    return JSON((await groups.get_group(svc, actor, check_id(group_id, "group_id"), include_member_count=include_member_count)).to_api())


@router.put("/groups/{group_id}/patch")
async def patch_group(group_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    body.check_types({"name": str, "display_name": str, "description": str})
    return JSON((await groups.do_patch_group(svc, actor, check_id(group_id, "group_id"), body.data)).to_api())


@router.delete("/groups/{group_id}")
async def delete_group(group_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await groups.do_set_deleted(svc, actor, check_id(group_id, "group_id"), True)
    return ok()


@router.post("/groups/{group_id}/restore")
async def restore_group(group_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await groups.do_set_deleted(svc, actor, check_id(group_id, "group_id"), False)).to_api())


@router.post("/groups/{group_id}/members")
async def add_members(group_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    await groups.do_change_members(svc, actor, check_id(group_id, "group_id"), body.str_list("user_ids", max_items=groups.MAX_MEMBERS + 1), add=True)
    return ok()


@router.delete("/groups/{group_id}/members")
async def remove_members(group_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    await groups.do_change_members(svc, actor, check_id(group_id, "group_id"), body.str_list("user_ids", max_items=1000), add=False)
    return ok()


@router.get("/groups/{group_id}/members")
async def get_members(group_id: str, svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    offset, limit = paging
    users, total = await groups.get_members(svc, actor, check_id(group_id, "group_id"), offset=offset, limit=limit)
    return JSON({"members": [profiles.sanitize(actor, u) for u in users], "total_member_count": total})


@router.get("/groups/{group_id}/stats")
async def get_stats(group_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    view = await groups.get_group(svc, actor, check_id(group_id, "group_id"), include_member_count=True)
    return JSON({"group_id": view.group.id, "total_member_count": view.member_count or 0})


@router.get("/users/{user_id}/groups")
async def get_user_groups(user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON([g.to_api() for g in await groups.get_user_groups(svc, actor, resolve_user_id(actor, user_id))])
