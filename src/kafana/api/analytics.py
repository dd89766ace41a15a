"""Mattermost's server statistics, `GET /analytics/old` (system admins)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from kafana.actions import analytics
from kafana.api.deps import ActorDep, ServicesDep
from kafana.api.responses import JSON

router = APIRouter()


@router.get("/analytics/old")
async def get_analytics(request: Request, svc: ServicesDep, actor: ActorDep, name: str = "standard", team_id: str = "") -> JSON:
    """`total_websocket_connections` counts this node's sockets."""
    connections = len(request.app.state.hub.connections)
    return JSON(await analytics.get_analytics(svc, actor, name, team_id, websocket_connections=connections))
