"""Kafana's bridge administration (system admins): GET/POST /kafana/bridges, DELETE /kafana/bridges/{id}, as
`kafana bridge list|add|remove`. Secrets in a bridge's config are never answered (only whether they are set)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import bridges
from kafana.api.body import read_object
from kafana.api.deps import ActorDep, ServicesDep, check_id
from kafana.api.responses import JSON, created, ok

router = APIRouter()


@router.get("/kafana/bridges")
async def list_bridges(svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON([b.to_api() for b in await bridges.list_bridges(svc, actor)])


@router.post("/kafana/bridges", status_code=201)
async def add_bridge(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    """{kind, channel (TEAM/CHANNEL or a channel id), config: {…}, label?}: 201 with the bridge."""
    body = await read_object(request)
    kind, channel = body.str("kind", required=True), body.str("channel", required=True, max_len=200)
    bridge = await bridges.do_add_bridge(svc, actor, kind, channel, body.obj("config") or {}, label=body.str("label", max_len=64))
    return created(bridge.to_api())


@router.delete("/kafana/bridges/{bridge_id}")
async def remove_bridge(bridge_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await bridges.do_remove_bridge(svc, actor, check_id(bridge_id, "bridge_id"))
    return ok()
