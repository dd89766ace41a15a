"""Kafana's settings that change without a restart (system admins): GET and PUT /kafana/settings."""

from __future__ import annotations

from fastapi import APIRouter, Request

from kafana.actions import live_settings
from kafana.api.body import read_json
from kafana.api.deps import ActorDep, ServicesDep
from kafana.api.responses import JSON

router = APIRouter()


@router.get("/kafana/settings")
async def get_settings(svc: ServicesDep, actor: ActorDep) -> JSON:
    """Each live setting: name, type (with choices or bounds), value, default (without override), overridden."""
    return JSON(live_settings.list_settings(svc, actor))


@router.put("/kafana/settings")
async def put_settings(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    """{name: value} overrides settings, {name: null} removes an override; answers with every live setting."""
    return JSON(await live_settings.do_update(svc, actor, await read_json(request)))
