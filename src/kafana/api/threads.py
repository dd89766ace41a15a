"""/users/{uid}/teams/{tid}/threads: collapsed reply threads (followed threads, read state, following)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from kafana.actions import threads
from kafana.actions.threads import ThreadQuery, user_thread
from kafana.api.deps import ActorDep, ServicesDep, Timestamp, check_id, resolve_user_id
from kafana.api.responses import JSON, ok
from kafana.lib.errors import invalid_param
from kafana.models.actor import Actor

router = APIRouter()

MAX_MS = 2**62  # timestamps past this would overflow the databases' 64-bit integers
MAX_PER_PAGE = 200


def _ids(actor: Actor, user_id: str, team_id: str) -> tuple[str, str]:
    return resolve_user_id(actor, user_id), check_id(team_id, "team_id")


@router.get("/users/{user_id}/teams/{team_id}/threads")
async def get_threads(
    user_id: str,
    team_id: str,
    svc: ServicesDep,
    actor: ActorDep,
    since: Timestamp = 0,
    deleted: bool = False,
    unread: bool = False,
    threadsOnly: bool = False,
    totalsOnly: bool = False,
    extended: bool = False,
    per_page: int = 0,
    pageSize: int = 0,
    before: str = "",
    after: str = "",
) -> JSON:
    uid, tid = _ids(actor, user_id, team_id)
    size = per_page or pageSize or 60  # Mattermost's per_page default; older clients send pageSize
    query = ThreadQuery(
        since=min(max(since, 0), MAX_MS),
        deleted=deleted,
        unread=unread,
        threads_only=threadsOnly,
        totals_only=totalsOnly,
        extended=extended,
        before=before,
        after=after,
        limit=min(max(size, 1), MAX_PER_PAGE),
    )
    found = await threads.get_user_threads(svc, actor, uid, tid, query)
    return JSON(
        {
            "total": found.totals.total,
            "total_unread_threads": found.totals.unread_threads,
            "total_unread_mentions": found.totals.unread_mentions,
            "total_unread_urgent_mentions": 0,
            "threads": [user_thread(actor, v) for v in found.threads],
        }
    )


@router.get("/users/{user_id}/teams/{team_id}/threads/mention_counts")
async def get_thread_mention_counts(user_id: str, team_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    uid, tid = _ids(actor, user_id, team_id)
    return JSON(await threads.get_mention_counts(svc, actor, uid, tid))


@router.put("/users/{user_id}/teams/{team_id}/threads/read")
async def mark_all_threads_read(user_id: str, team_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    uid, tid = _ids(actor, user_id, team_id)
    await threads.do_mark_all_read(svc, actor, uid, tid)
    return ok()


@router.get("/users/{user_id}/teams/{team_id}/threads/{thread_id}")
async def get_thread(user_id: str, team_id: str, thread_id: str, svc: ServicesDep, actor: ActorDep, extended: bool = False) -> JSON:
    uid, tid = _ids(actor, user_id, team_id)
    view = await threads.get_user_thread(svc, actor, uid, tid, check_id(thread_id, "thread_id"), extended=extended)
    return JSON(user_thread(actor, view))


@router.put("/users/{user_id}/teams/{team_id}/threads/{thread_id}/read/{timestamp}")
async def read_thread(user_id: str, team_id: str, thread_id: str, timestamp: int, svc: ServicesDep, actor: ActorDep) -> JSON:
    uid, tid = _ids(actor, user_id, team_id)
    if not 0 < timestamp <= MAX_MS:
        raise invalid_param("timestamp")
    view = await threads.do_read_thread(svc, actor, uid, tid, check_id(thread_id, "thread_id"), timestamp)
    return JSON(user_thread(actor, view))


@router.post("/users/{user_id}/teams/{team_id}/threads/{thread_id}/set_unread/{post_id}")
async def set_thread_unread(user_id: str, team_id: str, thread_id: str, post_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    uid, tid = _ids(actor, user_id, team_id)
    view = await threads.do_set_thread_unread(svc, actor, uid, tid, check_id(thread_id, "thread_id"), check_id(post_id, "post_id"))
    return JSON(user_thread(actor, view))


@router.put("/users/{user_id}/teams/{team_id}/threads/{thread_id}/following")
async def follow_thread(user_id: str, team_id: str, thread_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    uid, tid = _ids(actor, user_id, team_id)
    await threads.do_set_following(svc, actor, uid, tid, check_id(thread_id, "thread_id"), True)
    return ok()


@router.delete("/users/{user_id}/teams/{team_id}/threads/{thread_id}/following")
async def unfollow_thread(user_id: str, team_id: str, thread_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    uid, tid = _ids(actor, user_id, team_id)
    await threads.do_set_following(svc, actor, uid, tid, check_id(thread_id, "thread_id"), False)
    return ok()
