"""Push notification routes: the mobile apps' acknowledgements (and, for id-only pushes, the contents)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import push
from kafana.api.body import read_object
from kafana.api.deps import ActorDep, ServicesDep
from kafana.api.responses import JSON, ok

router = APIRouter()


@router.post("/notifications/ack")
async def ack_notification(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    full = await push.ack(svc, actor, body.data)
    return JSON(full) if full is not None else ok()
