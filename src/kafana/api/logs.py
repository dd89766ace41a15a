"""GET /logs as Mattermost: a page of this node's log lines, each a JSON string; newest first here, and a
Kafana `level` filter (the lowest level to show)."""

from __future__ import annotations

import orjson
from fastapi import APIRouter

from kafana.actions import logs
from kafana.api.deps import ActorDep
from kafana.api.responses import JSON

router = APIRouter()
MAX_PER_PAGE = 10_000


@router.get("/logs")
async def get_logs(actor: ActorDep, page: int = 0, logs_per_page: int = 1000, level: str = "") -> JSON:
    per_page = min(max(logs_per_page, 1), MAX_PER_PAGE)
    found = logs.recent_logs(actor, page=min(max(page, 0), 1_000_000), per_page=per_page, level=level[:16])
    return JSON([orjson.dumps(line.to_api()).decode() for line in found])
