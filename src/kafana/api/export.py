"""Kafana's export routes: a channel range or a thread as Markdown, JSON or wikitext, for download."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from starlette.responses import Response

from kafana.actions import export
from kafana.api.deps import ActorDep, ServicesDep, Timestamp, check_id
from kafana.api.serving import content_disposition
from kafana.lib.export_formats import FORMATS, Conversation, render

router = APIRouter()


def _download(fmt: str, conversation: Conversation, name: str) -> Response:
    media_type, ext = FORMATS[fmt]
    return Response(render(fmt, conversation), media_type=media_type, headers={"Content-Disposition": content_disposition(f"{name}.{ext}", inline=False)})


@router.get("/kafana/channels/{channel_id}/export")
async def export_channel(channel_id: str, svc: ServicesDep, actor: ActorDep, format: str = "md", since: Timestamp = 0, until: Timestamp = 0) -> Response:
    """Messages created in [since, until) (ms; until 0 = now), oldest first."""
    fmt = export.check_format(format)
    found = await export.export_channel(svc, actor, check_id(channel_id, "channel_id"), since, until)
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    return _download(fmt, found, f"{found.channel['name']}-{day}")


@router.get("/kafana/posts/{post_id}/thread/export")
async def export_thread(post_id: str, svc: ServicesDep, actor: ActorDep, format: str = "md") -> Response:
    fmt = export.check_format(format)
    found = await export.export_thread(svc, actor, check_id(post_id, "post_id"))
    return _download(fmt, found, f"{found.channel['name']}-thread-{found.root_id}")
