"""Push notification routes: the mobile apps' acknowledgements (and, for id-only pushes, the contents)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import push, webpush
from kafana.api.body import read_object
from kafana.api.deps import ActorDep, ServicesDep
from kafana.api.responses import JSON, created, ok

router = APIRouter()


@router.post("/notifications/ack")
async def ack_notification(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    full = await push.ack(svc, actor, body.data)
    return JSON(full) if full is not None else ok()


# Web Push (Kafana extension: Mattermost's web app has no browser push) ------------------------------------


@router.get("/kafana/webpush/vapid_public_key")
async def vapid_public_key(svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON({"public_key": await webpush.public_key(svc)})


@router.post("/kafana/webpush/subscriptions", status_code=201)
async def subscribe(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    row = await webpush.do_subscribe(svc, actor, body.data)
    return created({"id": row.id, "endpoint": row.endpoint, "create_at": row.create_at})


@router.delete("/kafana/webpush/subscriptions")
async def unsubscribe(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    await webpush.do_unsubscribe(svc, actor, body.str("endpoint", required=True, max_len=1024))
    return ok()
