"""Reporting messages and moderating them.

Anyone may report a message they can read, DMs included: the report keeps a snapshot of it, which the reporter
consents to share with the moderators, so the report survives the message being edited or deleted. Only
moderators (system admins, and users with the `system_moderator` role) see reports; for everyone else every
moderation route is 403 whether the report exists or not (A16). Moderators' reads of reports are written to
the audit log, as are all their changes and actions (A18). A moderator may not act against a system admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kafana.access import access_post
from kafana.actions import audit, system_bot
from kafana.actions.channels import DEFAULT_CHANNEL, remove_member_txn, retry_on_conflict
from kafana.actions.context import Services
from kafana.actions.posts import delete_post_txn
from kafana.actions.users import after_set_active, set_active_txn
from kafana.db import UnitOfWork
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, bad_request, forbidden, not_found
from kafana.lib.ids import new_id
from kafana.models import Report, ReportEvent, Suspension, User
from kafana.models.actor import SYSTEM, Actor
from kafana.models.moderation import STATES
from kafana.store import channels as channels_store
from kafana.store import moderation as store
from kafana.store import posts as posts_store
from kafana.store import users as users_store

MODERATOR_ROLE = "system_moderator"
ACTIONS = ("remove_post", "warn", "suspend", "deactivate", "remove_from_channel")
REASON_MAX = 1000
NOTE_MAX = 4000
SUSPEND_MAX_HOURS = 24 * 366
HOUR_MS = 3_600_000

NO_CONSENT = bad_request("api.kafana.report.consent.app_error", "A report shares the message with the moderators: the reporter must consent to that.")
SYSTEM_POST = bad_request("api.kafana.report.system_post.app_error", "System messages cannot be reported.")
POST_GONE = bad_request("api.kafana.report.post_gone.app_error", "The message has already been deleted.")
NOT_A_MEMBER = bad_request("api.kafana.report.not_a_member.app_error", "The user is not a member of a channel they can be removed from.")
LOG_OFF = AppError(501, "api.kafana.moderation_log.disabled.app_error", "The public moderation log is turned off on this server.")


def is_moderator(actor: Actor) -> bool:
    return actor.is_admin or (actor.user is not None and MODERATOR_ROLE in actor.user.role_set)


def _check_moderator(actor: Actor) -> None:
    if not is_moderator(actor):
        raise forbidden()


def _text(value: str, field: str, maximum: int) -> str:
    value = value.strip()
    if not value or len(value) > maximum:
        raise bad_request(f"api.kafana.report.{field}.app_error", f"{field} must be 1 to {maximum} characters.")
    return value


def _event(report: Report, actor: Actor, kind: str, value: str = "", body: str = "", at: int = 0) -> ReportEvent:
    return ReportEvent(id=new_id(), report_id=report.id, create_at=at or now_ms(), user_id=actor.user_id, kind=kind, value=value, body=body)


# Reporting (anyone) ------------------------------------------------------------------------------------------


async def do_report(svc: Services, actor: Actor, post_id: str, reason: str, *, consent: bool) -> tuple[Report, bool]:
    """Report a message the actor can read (404 otherwise, as for a missing one). Reporting the same message
    again answers with the first report (second value False)."""
    if not consent:
        raise NO_CONSENT
    reason = _text(reason, "reason", REASON_MAX)

    async def attempt() -> tuple[Report, bool]:
        async with svc.db.write() as uow:
            db = uow.session
            post, access = await access_post(db, actor, post_id)
            existing = await store.get_report_by(db, actor.user_id, post.id)
            if existing is not None:
                return existing, False
            if post.type.startswith("system_"):
                raise SYSTEM_POST
            author = await users_store.get_user(db, post.user_id)
            channel = access.channel
            now = now_ms()
            report = Report(
                id=new_id(), create_at=now, update_at=now, reporter_id=actor.user_id, reason=reason, state="open", assignee_id="",
                post_id=post.id, post_user_id=post.user_id, post_username=author.username if author else "", post_message=post.message,
                post_create_at=post.create_at, channel_id=channel.id, channel_name=channel.name, channel_display_name=channel.display_name,
                channel_type=channel.type, team_id=channel.team_id,
            )  # fmt: skip
            db.add(report)
            db.add(_event(report, actor, "created", "open", reason, now))
            audit.record_txn(uow, svc, "report_create", actor=actor, target_id=post.user_id, report_id=report.id, post_id=post.id)
            return report, True

    return await retry_on_conflict(attempt)


# The queue (moderators) ------------------------------------------------------------------------------------


async def list_reports(svc: Services, actor: Actor, *, states: list[str], assignee_id: str | None, offset: int, limit: int) -> list[Report]:
    _check_moderator(actor)
    if any(s not in STATES for s in states):
        raise bad_request("api.kafana.report.state.app_error", f"state is one of {', '.join(STATES)}.")
    async with svc.db.read() as db:
        found = await store.list_reports(db, states=states, assignee_id=assignee_id, offset=offset, limit=limit)
    await audit.record(svc, "reports_read", actor=actor, count=len(found))
    return found


async def _report(db: AsyncSession, report_id: str) -> Report:
    report = await store.get_report(db, report_id)
    if report is None:
        raise not_found("report")
    return report


async def get_report(svc: Services, actor: Actor, report_id: str) -> tuple[Report, list[ReportEvent]]:
    _check_moderator(actor)
    async with svc.db.read() as db:
        report = await _report(db, report_id)
        events = await store.timeline(db, report_id)
    await audit.record(svc, "report_read", actor=actor, target_id=report.post_user_id, report_id=report.id, channel_id=report.channel_id)
    return report, events


async def _check_assignee(db: AsyncSession, user_id: str) -> None:
    user = await users_store.get_user(db, user_id)
    if user is None or not user.is_active or not is_moderator(Actor(user)):
        raise bad_request("api.kafana.report.assignee.app_error", "Reports are assigned to moderators.")


async def do_update_report(svc: Services, actor: Actor, report_id: str, *, state: str | None, assignee_id: str | None) -> Report:
    """Change the state (open, in_review, resolved, dismissed) and/or the assigned moderator ("" unassigns)."""
    _check_moderator(actor)
    if state is not None and state not in STATES:
        raise bad_request("api.kafana.report.state.app_error", f"state is one of {', '.join(STATES)}.")
    async with svc.db.write() as uow:
        report = await _report(uow.session, report_id)
        now = now_ms()
        if assignee_id is not None and assignee_id != report.assignee_id:
            if assignee_id:
                await _check_assignee(uow.session, assignee_id)
            report.assignee_id = assignee_id
            uow.session.add(_event(report, actor, "assigned", assignee_id, at=now))
        if state is not None and state != report.state:
            report.state = state
            now += 1  # after the assignment in the timeline, which orders by time
            uow.session.add(_event(report, actor, "state", state, at=now))
        report.update_at = now
        audit.record_txn(
            uow, svc, "report_update", actor=actor, target_id=report.post_user_id, report_id=report.id, state=report.state, assignee_id=report.assignee_id
        )
    return report


async def do_add_note(svc: Services, actor: Actor, report_id: str, note: str) -> ReportEvent:
    _check_moderator(actor)
    note = _text(note, "note", NOTE_MAX)
    async with svc.db.write() as uow:
        report = await _report(uow.session, report_id)
        event = _event(report, actor, "note", body=note)
        uow.session.add(event)
        report.update_at = event.create_at
        audit.record_txn(uow, svc, "report_note", actor=actor, target_id=report.post_user_id, report_id=report.id)
    return event


# Actions ---------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ModAction:
    action: str
    reason: str  # shown in the public log, when it is on: no names
    message: str = ""  # warn: what the user is told (the reason if empty)
    hours: int = 0  # suspend: for how long
    channel_id: str = ""  # remove_from_channel: which channel (the reported message's if empty)


def check_action(act: ModAction) -> ModAction:
    if act.action not in ACTIONS:
        raise bad_request("api.kafana.report.action.app_error", f"action is one of {', '.join(ACTIONS)}.")
    act.reason = _text(act.reason, "reason", REASON_MAX)
    if act.action == "warn" and act.message:
        act.message = _text(act.message, "message", NOTE_MAX)
    if act.action == "suspend" and not 1 <= act.hours <= SUSPEND_MAX_HOURS:
        raise bad_request("api.kafana.report.hours.app_error", f"A suspension lasts 1 to {SUSPEND_MAX_HOURS} hours.")
    return act


async def do_action(svc: Services, actor: Actor, report_id: str, act: ModAction) -> ReportEvent:
    """Act on a report's message or its author; each action is a timeline entry and an audit entry, in one
    transaction with its effect."""
    _check_moderator(actor)
    act = check_action(act)
    async with svc.db.write() as uow:
        db = uow.session
        report = await _report(db, report_id)
        target = await users_store.get_user(db, report.post_user_id)
        if target is None:
            raise not_found("user")
        if target.is_system_admin and not actor.is_admin:
            raise forbidden()
        ended = await _apply(uow, svc, actor, report, target, act)
        event = _event(report, actor, "action", act.action, act.reason)
        db.add(event)
        report.update_at = event.create_at
        extra: dict[str, Any] = {"hours": act.hours} if act.action == "suspend" else {}
        audit.record_txn(uow, svc, f"moderation_{act.action}", actor=actor, target_id=target.id, report_id=report.id, post_id=report.post_id, **extra)
    if ended:
        await after_set_active(svc, ended, False)
    return event


async def _apply(uow: UnitOfWork, svc: Services, actor: Actor, report: Report, target: User, act: ModAction) -> list[str]:
    """The action's effect; returns the users whose sessions end (suspend, deactivate)."""
    db = uow.session
    if act.action == "remove_post":
        post = await posts_store.get_post(db, report.post_id)
        if post is None or post.delete_at:
            raise POST_GONE
        await delete_post_txn(uow, post, actor.user_id)
    elif act.action == "warn":
        where = "a direct message" if report.channel_type in ("D", "G") else f"~{report.channel_name}"
        await system_bot.send_dm_txn(uow, svc, target, f"A moderator warns you about your message in {where}: {act.message or act.reason}")
    elif act.action in ("suspend", "deactivate"):
        ended = await set_active_txn(uow, svc, actor, target, False, report_id=report.id)
        if act.action == "suspend":
            now = now_ms()
            suspension = Suspension(user_id=target.id, until=now + act.hours * HOUR_MS, create_at=now, by_id=actor.user_id, report_id=report.id)
            await store.set_suspension(db, suspension)
        return ended
    elif act.action == "remove_from_channel":
        channel = await channels_store.get_channel(db, act.channel_id or report.channel_id)
        member = await channels_store.get_channel_member(db, channel.id, target.id) if channel is not None else None
        if channel is None or member is None or channel.type in ("D", "G") or channel.name == DEFAULT_CHANNEL or channel.delete_at:
            raise NOT_A_MEMBER
        await remove_member_txn(uow, channel, member, target, by=actor.user)
    return []


async def do_end_suspensions(svc: Services, now: int | None = None) -> int:
    """The `moderation_suspensions` job: reactivate users whose suspension has ended; returns how many."""
    now = now_ms() if now is None else now
    reactivated: list[str] = []
    async with svc.db.write() as uow:
        for suspension in await store.expired_suspensions(uow.session, now):
            user = await users_store.get_user(uow.session, suspension.user_id)
            if user is None:
                await store.end_suspension(uow.session, suspension.user_id)
                continue
            reactivated += await set_active_txn(uow, svc, SYSTEM, user, True, suspension_ended=True, report_id=suspension.report_id)
            report = await store.get_report(uow.session, suspension.report_id)
            if report is not None:
                uow.session.add(_event(report, SYSTEM, "action", "suspension_ended", at=now))
    if reactivated:
        await after_set_active(svc, reactivated, True)
    return len(reactivated)


# The public log (anyone, when on) --------------------------------------------------------------------------


async def public_log(svc: Services, actor: Actor, *, before: int, limit: int) -> list[dict[str, Any]]:
    """Date, action and reason of moderators' actions, newest first; no names, no channels."""
    if not svc.settings.moderation_public_log:
        raise LOG_OFF
    async with svc.db.read() as db:
        found = await store.actions(db, before=before or 2**62, limit=limit)
    return [{"create_at": e.create_at, "action": e.value, "reason": e.body} for e in found]
