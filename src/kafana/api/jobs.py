"""Mattermost's `/jobs`: background job runs with progress and history (system admins)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import job_runs
from kafana.api.body import read_json
from kafana.api.deps import ActorDep, Paging, ServicesDep
from kafana.api.responses import JSON, ok
from kafana.lib.errors import invalid_param

router = APIRouter()


@router.get("/jobs")
async def get_jobs(svc: ServicesDep, actor: ActorDep, paging: Paging, job_type: str = "") -> JSON:
    offset, limit = paging
    return JSON([j.to_api() for j in await job_runs.list_jobs(svc, actor, job_type, offset, limit)])


@router.get("/jobs/type/{job_type}")
async def get_jobs_of_type(job_type: str, svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    offset, limit = paging
    return JSON([j.to_api() for j in await job_runs.list_jobs(svc, actor, job_type, offset, limit)])


@router.get("/jobs/{job_id}")
async def get_job(job_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await job_runs.get_job(svc, actor, job_id)).to_api())


@router.post("/jobs", status_code=201)
async def create_job(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise invalid_param("type")
    return JSON((await job_runs.do_create(svc, actor, body.get("type"))).to_api(), status_code=201)


@router.post("/jobs/{job_id}/cancel")
async def cancel_job(job_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await job_runs.do_cancel(svc, actor, job_id)
    return ok()
