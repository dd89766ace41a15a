"""POST /kafana/imports (Kafana, system admins): upload a Mattermost bulk export (multipart `file`, or the raw
body with `?filename=`) and import it as an `import_process` job; follow it with GET /jobs/{id}."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import imports
from kafana.api.deps import ActorDep, ServicesDep
from kafana.api.responses import created
from kafana.api.uploads import spool_upload
from kafana.lib.errors import invalid_param

router = APIRouter()


@router.post("/kafana/imports", status_code=201)
async def upload_import(request: Request, svc: ServicesDep, actor: ActorDep, filename: str = "") -> Response:
    imports.check_can_import(actor)
    async with spool_upload(request, svc.settings, file_fields=frozenset({"file"}), raw_name=filename[:255]) as spool:
        if len(spool.files) != 1:
            raise invalid_param("file")
        job = await imports.do_start_import(svc, actor, spool.files[0])
    return created(job.to_api())
