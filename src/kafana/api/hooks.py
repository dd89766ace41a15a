"""/hooks: incoming and outgoing webhooks, and `POST /hooks/{id}` (outside /api/v4) where outside services
post through an incoming webhook."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from starlette.responses import PlainTextResponse, Response

from kafana.actions import commands, webhooks
from kafana.api.body import parse_json, read_object
from kafana.api.deps import ActorDep, Paging, ServicesDep, check_id
from kafana.api.responses import JSON, created, ok
from kafana.lib.errors import AppError

router = APIRouter()
incoming_router = APIRouter(include_in_schema=False)


@router.post("/hooks/incoming", status_code=201)
async def create_incoming(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    return created((await webhooks.do_create_incoming(svc, actor, body.data)).to_api())


@router.get("/hooks/incoming")
async def list_incoming(svc: ServicesDep, actor: ActorDep, paging: Paging, team_id: str = "") -> JSON:
    offset, limit = paging
    hooks = await webhooks.list_incoming(svc, actor, team_id=check_id(team_id, "team_id") if team_id else "", offset=offset, limit=limit)
    return JSON([h.to_api() for h in hooks])


@router.get("/hooks/incoming/{hook_id}")
async def get_incoming(hook_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await webhooks.get_incoming(svc, actor, check_id(hook_id, "hook_id"))).to_api())


@router.put("/hooks/incoming/{hook_id}")
async def update_incoming(hook_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    return JSON((await webhooks.do_update_incoming(svc, actor, check_id(hook_id, "hook_id"), body.data)).to_api())


@router.delete("/hooks/incoming/{hook_id}")
async def delete_incoming(hook_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await webhooks.do_delete_incoming(svc, actor, check_id(hook_id, "hook_id"))
    return ok()


@router.post("/hooks/outgoing", status_code=201)
async def create_outgoing(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    return created((await webhooks.do_create_outgoing(svc, actor, body.data)).to_api())


@router.get("/hooks/outgoing")
async def list_outgoing(svc: ServicesDep, actor: ActorDep, paging: Paging, team_id: str = "", channel_id: str = "") -> JSON:
    offset, limit = paging
    hooks = await webhooks.list_outgoing(
        svc,
        actor,
        team_id=check_id(team_id, "team_id") if team_id else "",
        channel_id=check_id(channel_id, "channel_id") if channel_id else "",
        offset=offset,
        limit=limit,
    )
    return JSON([h.to_api() for h in hooks])


@router.get("/hooks/outgoing/{hook_id}")
async def get_outgoing(hook_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await webhooks.get_outgoing(svc, actor, check_id(hook_id, "hook_id"))).to_api())


@router.put("/hooks/outgoing/{hook_id}")
async def update_outgoing(hook_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    return JSON((await webhooks.do_update_outgoing(svc, actor, check_id(hook_id, "hook_id"), body.data)).to_api())


@router.post("/hooks/outgoing/{hook_id}/regen_token")
async def regen_outgoing_token(hook_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await webhooks.do_regen_outgoing_token(svc, actor, check_id(hook_id, "hook_id"))).to_api())


@router.delete("/hooks/outgoing/{hook_id}")
async def delete_outgoing(hook_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await webhooks.do_delete_outgoing(svc, actor, check_id(hook_id, "hook_id"))
    return ok()


@incoming_router.post("/hooks/{hook_id}")
async def run_incoming(hook_id: str, request: Request, svc: ServicesDep) -> Response:
    """Mattermost's (and Slack's) payload: a JSON body, or a form (urlencoded or multipart) whose `payload`
    field is the JSON."""
    raw = await request.body()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        try:
            field = (await request.form(max_files=0, max_fields=20)).get("payload")
        except Exception:  # a malformed multipart body: the parser's own errors vary
            raise webhooks.PARSE_ERROR from None
        raw = field.encode() if isinstance(field, str) else b""
    elif content_type == "application/x-www-form-urlencoded" or (not content_type and raw.startswith(b"payload=")):
        try:
            raw = parse_qs(raw.decode(), max_num_fields=20).get("payload", [""])[0].encode()
        except (UnicodeDecodeError, ValueError):
            raise webhooks.PARSE_ERROR from None
    try:
        payload = parse_json(raw)
    except AppError:
        raise webhooks.PARSE_ERROR from None
    await webhooks.do_run_incoming(svc, hook_id, payload)
    return PlainTextResponse("ok")


@incoming_router.post("/hooks/commands/{token}")
async def command_response(token: str, request: Request, svc: ServicesDep) -> Response:
    """A custom command's delayed answer, sent to the `response_url` it was given (JSON CommandResponse)."""
    try:
        data = parse_json(await request.body())
    except AppError:
        raise webhooks.PARSE_ERROR from None
    await commands.do_delayed_response(svc, token[:1000], data)
    return PlainTextResponse("ok")
