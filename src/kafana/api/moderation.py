"""Kafana's reporting and moderation routes (/kafana/reports…, /kafana/moderation/log): Mattermost has no such
API in the reference it follows, so these are Kafana's own, documented in docs/api.md."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import moderation
from kafana.api.body import read_object
from kafana.api.deps import ActorDep, Paging, ServicesDep, Timestamp, check_id, resolve_user_id
from kafana.api.responses import JSON, created
from kafana.models import Report, ReportEvent

router = APIRouter()


def _detail(report: Report, events: list[ReportEvent]) -> dict[str, object]:
    return {**report.to_api(), "timeline": [e.to_api() for e in events]}


@router.post("/kafana/reports", status_code=201)
async def create_report(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    """{post_id, reason, consent: true}: 201 with the new report, 200 with the earlier one for a repeat."""
    body = await read_object(request)
    post_id = body.str("post_id", required=True)
    report, new = await moderation.do_report(
        svc, actor, check_id(post_id, "post_id"), body.str("reason", max_len=moderation.REASON_MAX * 2), consent=body.bool("consent")
    )
    return created(report.to_api()) if new else JSON(report.to_api())


@router.get("/kafana/reports")
async def list_reports(svc: ServicesDep, actor: ActorDep, paging: Paging, state: str = "", assignee: str = "") -> JSON:
    """Moderators: the queue, oldest first; `state` a comma list, `assignee` a user id, `me` or `none`."""
    assignee_id = None if not assignee else "" if assignee == "none" else resolve_user_id(actor, assignee)
    states = [s for s in state.split(",") if s]
    found = await moderation.list_reports(svc, actor, states=states, assignee_id=assignee_id, offset=paging[0], limit=paging[1])
    return JSON([r.to_api() for r in found])


@router.get("/kafana/reports/{report_id}")
async def get_report(report_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(_detail(*await moderation.get_report(svc, actor, check_id(report_id, "report_id"))))


@router.patch("/kafana/reports/{report_id}")
async def update_report(report_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    """{state?, assignee_id?}: the report with its timeline."""
    body = await read_object(request)
    state = body.str("state") if "state" in body else None
    assignee = body.str("assignee_id") if "assignee_id" in body else None
    if assignee:
        check_id(assignee, "assignee_id")
    report_id = check_id(report_id, "report_id")
    await moderation.do_update_report(svc, actor, report_id, state=state, assignee_id=assignee)
    return JSON(_detail(*await moderation.get_report(svc, actor, report_id)))


@router.post("/kafana/reports/{report_id}/notes", status_code=201)
async def add_note(report_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    event = await moderation.do_add_note(svc, actor, check_id(report_id, "report_id"), body.str("message", required=True, max_len=moderation.NOTE_MAX * 2))
    return created(event.to_api())


@router.post("/kafana/reports/{report_id}/actions", status_code=201)
async def act(report_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    """{action, reason, message?, hours?, channel_id?}: the timeline entry of the action taken."""
    body = await read_object(request)
    channel_id = body.str("channel_id")
    if channel_id:
        check_id(channel_id, "channel_id")
    action = moderation.ModAction(
        action=body.str("action", required=True, max_len=64),
        reason=body.str("reason", max_len=moderation.REASON_MAX * 2),
        message=body.str("message", max_len=moderation.NOTE_MAX * 2),
        hours=body.int("hours"),
        channel_id=channel_id,
    )
    event = await moderation.do_action(svc, actor, check_id(report_id, "report_id"), action)
    return created(event.to_api())


@router.get("/kafana/moderation/log")
async def public_log(svc: ServicesDep, actor: ActorDep, paging: Paging, before: Timestamp = 0) -> JSON:
    """Any signed-in user, when the setting is on: [{create_at, action, reason}], newest first; the next page
    is `before` the last entry's create_at (`page` is ignored)."""
    return JSON(await moderation.public_log(svc, actor, before=before, limit=paging[1]))
