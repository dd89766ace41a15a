"""POST /opengraph (a page's preview data) and GET /image (the image proxy)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import link_previews
from kafana.api.body import read_object
from kafana.api.deps import ActorDep, ServicesDep
from kafana.api.responses import JSON
from kafana.api.serving import content_disposition

router = APIRouter()


@router.post("/opengraph")
async def get_opengraph(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    return JSON(await link_previews.fetch_opengraph(svc, body.str("url", required=True, max_len=2048)))


@router.get("/image")
async def proxy_image(svc: ServicesDep, actor: ActorDep, url: str = "") -> Response:
    data, content_type = await link_previews.fetch_image(svc, url)
    headers = {
        "Content-Security-Policy": "sandbox",
        "Content-Disposition": content_disposition("image", inline=True),
        "Cache-Control": "max-age=86400, private",
    }
    return Response(data, media_type=content_type, headers=headers)
