"""Imports started from the console: an uploaded Mattermost bulk file (.zip with data/, or .jsonl) is kept
under `<data_dir>/imports/` and imported by an `import_process` job run on the node that received it, with
progress in the job's row like `kafana import bulk`'s. Large exports are better imported with the command
(the upload is bounded by `max_file_size`)."""

from __future__ import annotations

import asyncio
import shutil

from kafana.access import has_system_permission
from kafana.actions import audit, job_runs
from kafana.actions.context import Actor, Services
from kafana.actions.files import Incoming, check_file_name
from kafana.lib.errors import bad_request, forbidden
from kafana.lib.ids import new_id
from kafana.models import BackgroundJob

KINDS = (".zip", ".jsonl")


def check_can_import(actor: Actor) -> None:
    """Before the body is read: only system admins may send one."""
    if not has_system_permission(actor, "manage_system"):
        raise forbidden()


async def do_start_import(svc: Services, actor: Actor, upload: Incoming) -> BackgroundJob:
    check_can_import(actor)
    name = check_file_name(upload.name)
    kind = next((k for k in KINDS if name.lower().endswith(k)), "")
    if not kind or upload.size == 0:
        raise bad_request("api.import.upload.kind.app_error", "Upload a Mattermost bulk export: a .zip or a .jsonl file.")
    target = svc.settings.data_dir / "imports" / f"{new_id()}{kind}"
    await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
    await asyncio.to_thread(shutil.move, upload.path, target)
    job = await job_runs.do_start_job(svc, actor, "import_process", {"import_file": str(target), "file_name": name})
    async with svc.db.write() as uow:
        audit.record_txn(uow, svc, "import_started", actor=actor, target_id=job.id, file_name=name, size=upload.size)
    return job
