"""/bots: bot accounts (Mattermost's shape)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import bots
from kafana.api.body import read_object
from kafana.api.deps import ActorDep, Paging, ServicesDep, check_id
from kafana.api.responses import JSON, created
from kafana.models import Bot, User

router = APIRouter()


def _out(found: tuple[Bot, User]) -> dict[str, object]:
    return found[0].to_api(found[1])


@router.post("/bots", status_code=201)
async def create_bot(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    return created(_out(await bots.do_create_bot(svc, actor, body.data)))


@router.get("/bots")
async def list_bots(svc: ServicesDep, actor: ActorDep, paging: Paging, include_deleted: bool = False, only_orphaned: bool = False) -> JSON:
    offset, limit = paging
    found = await bots.list_bots(svc, actor, include_deleted=include_deleted, only_orphaned=only_orphaned, offset=offset, limit=limit)
    return JSON([_out(f) for f in found])


@router.get("/bots/{bot_user_id}")
async def get_bot(bot_user_id: str, svc: ServicesDep, actor: ActorDep, include_deleted: bool = False) -> JSON:
    return JSON(_out(await bots.get_bot(svc, actor, check_id(bot_user_id, "bot_user_id"), include_deleted=include_deleted)))


@router.put("/bots/{bot_user_id}")
async def patch_bot(bot_user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    return JSON(_out(await bots.do_patch_bot(svc, actor, check_id(bot_user_id, "bot_user_id"), body.data)))


@router.post("/bots/{bot_user_id}/disable")
async def disable_bot(bot_user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(_out(await bots.do_set_bot_active(svc, actor, check_id(bot_user_id, "bot_user_id"), False)))


@router.post("/bots/{bot_user_id}/enable")
async def enable_bot(bot_user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(_out(await bots.do_set_bot_active(svc, actor, check_id(bot_user_id, "bot_user_id"), True)))


@router.post("/bots/{bot_user_id}/assign/{user_id}")
async def assign_bot(bot_user_id: str, user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(_out(await bots.do_assign_bot(svc, actor, check_id(bot_user_id, "bot_user_id"), check_id(user_id, "user_id"))))
