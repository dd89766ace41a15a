"""Data retention: the global policy (settings), granular policies for teams and channels (Mattermost's
`/data_retention/policies`, free here), and the job that deletes expired messages and files for real.

The job works channel by channel in batches, each batch its own short transaction, so posting never waits
long behind it. A batch deletes the files' bytes first and then the rows: killed in between, the next run
finds the same rows again and finishes (deleting a missing object is not an error), so a run resumes where a
killed one stopped (F9).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kafana.actions.context import Services
from kafana.lib.clock import now_ms
from kafana.lib.errors import bad_request, forbidden, not_found
from kafana.lib.ids import new_id
from kafana.models import Channel, FileInfo, Team
from kafana.models.actor import Actor
from kafana.models.retention import RetentionPolicy, RetentionPolicyChannel, RetentionPolicyTeam
from kafana.store import retention as store
from kafana.store.retention import Durations

DAY_MS = 86_400_000
BATCH = 500  # rows per transaction: small enough that a SQLite writer waits milliseconds behind it


@dataclass(slots=True)
class RetentionRun:
    """What a run deleted so far (the CLI and the job log show it)."""

    posts: int = 0
    files: int = 0
    channels_done: int = 0
    channels: int = 0


def cutoff(now: int, days: int) -> int:
    """Rows created before this are expired; 0 (nothing expires) when `days` is below 1."""
    return now - days * DAY_MS if days > 0 else 0


def global_durations(svc: Services) -> Durations:
    s = svc.settings
    return Durations(s.retention_message_days, s.retention_file_days or s.retention_message_days)


def global_policy(svc: Services, now: int | None = None) -> dict[str, Any]:
    """GET /data_retention/policy: what the global settings delete, and the current cutoffs."""
    now = now_ms() if now is None else now
    d = global_durations(svc)
    return {
        "message_deletion_enabled": d.posts > 0,
        "file_deletion_enabled": d.files > 0,
        "message_retention_cutoff": cutoff(now, d.posts),
        "file_retention_cutoff": cutoff(now, d.files),
    }


async def applies(svc: Services) -> bool:
    """Whether any policy (the global settings or a granular one) deletes anything."""
    default = global_durations(svc)
    if default.posts > 0 or default.files > 0:
        return True
    async with svc.db.read() as db:
        return await store.has_policies(db)


async def do_run_retention(
    svc: Services, now: int | None = None, *, batch: int = BATCH, progress: Callable[[RetentionRun], None] | None = None
) -> RetentionRun:
    now = now_ms() if now is None else now
    default = global_durations(svc)
    run = RetentionRun()
    async with svc.db.read() as db:
        if default.posts <= 0 and default.files <= 0 and not await store.has_policies(db):
            return run
        channels = await store.channel_durations(db, default)
    run.channels = len(channels)
    for channel_id, durations in channels.items():
        await _purge_channel(svc, channel_id, cutoff(now, durations.posts), cutoff(now, durations.files), batch, run, progress)
        run.channels_done += 1
        if progress:
            progress(run)
    return run


async def _purge_channel(
    svc: Services, channel_id: str, post_cutoff: int, file_cutoff: int, batch: int, run: RetentionRun, progress: Callable[[RetentionRun], None] | None
) -> None:
    async def expired_posts(db: AsyncSession) -> tuple[list[str], list[FileInfo]]:
        post_ids = await store.expired_posts(db, channel_id, post_cutoff, batch)
        return post_ids, await store.files_of_posts(db, post_ids) if post_ids else []

    async def expired_files(db: AsyncSession) -> tuple[list[str], list[FileInfo]]:
        return [], await store.expired_files(db, channel_id, file_cutoff, batch)

    if post_cutoff:
        await _in_batches(svc, expired_posts, lambda db, ids, files: store.purge_posts(db, ids), run, progress)
    if file_cutoff:
        await _in_batches(svc, expired_files, lambda db, ids, files: store.purge_files(db, files), run, progress)


async def _in_batches(
    svc: Services,
    fetch: Callable[[AsyncSession], Awaitable[tuple[list[str], list[FileInfo]]]],
    purge: Callable[[AsyncSession, list[str], list[FileInfo]], Awaitable[None]],
    run: RetentionRun,
    progress: Callable[[RetentionRun], None] | None,
) -> None:
    """Until `fetch` finds nothing: delete a batch's bytes, then its rows in one short transaction."""
    while True:
        async with svc.db.read() as db:
            post_ids, files = await fetch(db)
        if not post_ids and not files:
            return
        await _delete_bytes(svc, store.storage_keys(files))
        async with svc.db.write() as uow:
            await purge(uow.session, post_ids, files)
        run.posts += len(post_ids)
        run.files += len(files)
        if progress:
            progress(run)
        await asyncio.sleep(0)  # let waiting requests in between batches


async def _delete_bytes(svc: Services, keys: list[str]) -> None:
    for key in keys:
        await svc.storage.delete(key)


# Granular policies (system admins) -----------------------------------------------------------------------------

TARGETS: dict[str, tuple[Any, str]] = {"teams": (RetentionPolicyTeam, "team_id"), "channels": (RetentionPolicyChannel, "channel_id")}


def _check_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise forbidden()


def _check_duration(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < -1 or value > 36_500:
        raise bad_request("model.retention_policy.is_valid.duration.app_error", f"{field} is a number of days (-1 keeps forever).")
    return value if value > 0 else -1


def _apply(policy: RetentionPolicy, body: dict[str, Any]) -> None:
    if "display_name" in body:
        name = body["display_name"]
        if not isinstance(name, str) or not name.strip() or len(name) > 64:
            raise bad_request("model.retention_policy.is_valid.display_name.app_error", "Give the policy a name of 1 to 64 characters.")
        policy.display_name = name.strip()
    if "post_duration" in body:
        policy.post_duration = _check_duration(body["post_duration"], "post_duration")
    if "file_duration" in body:
        policy.file_duration = None if body["file_duration"] is None else _check_duration(body["file_duration"], "file_duration")


def _ids(body: dict[str, Any], key: str) -> list[str]:
    ids = body.get(key) or []
    if not isinstance(ids, list) or not all(isinstance(i, str) and len(i) == 26 for i in ids) or len(ids) > 1000:
        raise bad_request("api.data_retention.ids.app_error", f"{key} is a list of up to 1,000 ids.")
    return ids


async def _assign_from(uow_session: AsyncSession, policy_id: str, body: dict[str, Any]) -> None:
    for key, (table, column) in (("team_ids", TARGETS["teams"]), ("channel_ids", TARGETS["channels"])):
        ids = _ids(body, key)
        if ids:
            await store.assign(uow_session, table, column, policy_id, ids)


async def _policy_json(db: AsyncSession, policy: RetentionPolicy) -> dict[str, Any]:
    teams, channels = await store.assigned_counts(db, policy.id)
    return policy.to_api(team_count=teams, channel_count=channels)


async def create_policy(svc: Services, actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    _check_admin(actor)
    if "display_name" not in body or "post_duration" not in body:
        raise bad_request("model.retention_policy.is_valid.app_error", "A policy needs display_name and post_duration.")
    policy = RetentionPolicy(id=new_id(), create_at=now_ms(), display_name="", post_duration=-1)
    _apply(policy, body)
    async with svc.db.write() as uow:
        uow.session.add(policy)
        await uow.session.flush()
        await _assign_from(uow.session, policy.id, body)
        return await _policy_json(uow.session, policy)


async def _get(db: AsyncSession, policy_id: str) -> RetentionPolicy:
    policy = await db.get(RetentionPolicy, policy_id)
    if policy is None:
        raise not_found("retention policy")
    return policy


async def get_policy(svc: Services, actor: Actor, policy_id: str) -> dict[str, Any]:
    _check_admin(actor)
    async with svc.db.read() as db:
        return await _policy_json(db, await _get(db, policy_id))


async def patch_policy(svc: Services, actor: Actor, policy_id: str, body: dict[str, Any]) -> dict[str, Any]:
    _check_admin(actor)
    async with svc.db.write() as uow:
        policy = await _get(uow.session, policy_id)
        _apply(policy, body)
        await _assign_from(uow.session, policy.id, body)
        return await _policy_json(uow.session, policy)


async def delete_policy(svc: Services, actor: Actor, policy_id: str) -> None:
    _check_admin(actor)
    async with svc.db.write() as uow:
        await _get(uow.session, policy_id)
        await store.delete_policy(uow.session, policy_id)


async def list_policies(svc: Services, actor: Actor, offset: int, limit: int) -> list[dict[str, Any]]:
    _check_admin(actor)
    async with svc.db.read() as db:
        return [p.to_api(team_count=t, channel_count=c) for p, t, c in await store.list_policies(db, offset, limit)]


async def count_policies(svc: Services, actor: Actor) -> int:
    _check_admin(actor)
    async with svc.db.read() as db:
        return await store.count_policies(db)


async def assigned_teams(svc: Services, actor: Actor, policy_id: str, offset: int, limit: int) -> list[Team]:
    _check_admin(actor)
    async with svc.db.read() as db:
        await _get(db, policy_id)
        return await store.assigned_teams(db, policy_id, offset, limit)


async def assigned_channels(svc: Services, actor: Actor, policy_id: str, offset: int, limit: int) -> list[tuple[Channel, Team | None]]:
    _check_admin(actor)
    async with svc.db.read() as db:
        await _get(db, policy_id)
        return await store.assigned_channels(db, policy_id, offset, limit)


async def change_assignment(svc: Services, actor: Actor, policy_id: str, target: str, ids: list[str], *, add: bool) -> None:
    _check_admin(actor)
    table, column = TARGETS[target]
    ids = _ids({"ids": ids}, "ids")
    async with svc.db.write() as uow:
        await _get(uow.session, policy_id)
        await (store.assign if add else store.unassign)(uow.session, table, column, policy_id, ids)


async def user_policies(svc: Services, actor: Actor, user_id: str, target: str) -> list[tuple[str, int]]:
    """The user's teams or channels under a granular policy, with its days: the client shows when messages
    there expire. Users see their own; admins anyone's."""
    if user_id != actor.user_id and not actor.is_admin:
        raise forbidden()
    async with svc.db.read() as db:
        return await store.user_policies(db, user_id, target)
