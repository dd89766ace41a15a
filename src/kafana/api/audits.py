"""The audit log: Mattermost's GET /audits and /users/{id}/audits, and Kafana's export (system admins only)."""

from __future__ import annotations

import orjson
from fastapi import APIRouter
from starlette.responses import Response

from kafana.actions import audit
from kafana.api.deps import ActorDep, Paging, ServicesDep, Timestamp, resolve_user_id
from kafana.api.responses import JSON

router = APIRouter()


@router.get("/audits")
async def get_audits(svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    offset, limit = paging
    return JSON([e.to_api() for e in await audit.list_audits(svc, actor, offset=offset, limit=limit)])


@router.get("/users/{user_id}/audits")
async def get_user_audits(user_id: str, svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    """Entries where the user acted or was acted on."""
    offset, limit = paging
    found = await audit.list_audits(svc, actor, user_id=resolve_user_id(actor, user_id), offset=offset, limit=limit)
    return JSON([e.to_api() for e in found])


@router.get("/kafana/audits/export")
async def export_audits(svc: ServicesDep, actor: ActorDep, since: Timestamp = 0, until: Timestamp = 0) -> Response:
    """Kafana: every entry in [since, until) (ms; 0 = unbounded) as JSON lines, for download."""
    found = await audit.export_audits(svc, actor, since, until)
    body = b"".join(orjson.dumps(e.to_api()) + b"\n" for e in found)
    return Response(body, media_type="application/x-ndjson", headers={"Content-Disposition": 'attachment; filename="kafana-audit.jsonl"'})
