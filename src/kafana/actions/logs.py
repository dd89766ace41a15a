"""The server log view (GET /api/v4/logs): this node's recent lines, system admins only (A16)."""

from __future__ import annotations

from kafana.access import has_system_permission
from kafana.actions.context import Actor
from kafana.lib import logbuffer
from kafana.lib.errors import forbidden, invalid_param


def recent_logs(actor: Actor, *, page: int, per_page: int, level: str = "") -> list[logbuffer.LogLine]:
    if not has_system_permission(actor, "manage_system"):
        raise forbidden()
    level = level.upper() or "DEBUG"
    if level not in logbuffer.LEVELS:
        raise invalid_param("level")
    return logbuffer.BUFFER.recent(min_level=level, offset=page * per_page, limit=per_page)
