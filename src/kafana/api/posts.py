"""/posts and channel history: create, read, page, thread, edit, delete, pin."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import files, integrations, posts, unreads
from kafana.actions.posts import PostDraft, PostPage
from kafana.api.body import Body, read_id_list, read_object
from kafana.api.deps import ActorDep, Paging, ServicesDep, Timestamp, check_id, resolve_user_id
from kafana.api.responses import JSON, created, ok
from kafana.lib.errors import invalid_param
from kafana.models import Post
from kafana.models.posts import post_metadata, post_to_api

router = APIRouter()


def post_list(page: PostPage) -> dict[str, Any]:
    return {
        "order": page.order,
        "posts": {p.id: post_to_api(p, metadata=page.metadata(p)) for p in page.posts},
        "next_post_id": page.next_post_id,
        "prev_post_id": page.prev_post_id,
        "has_next": bool(page.has_next) if page.has_next is not None else False,
        "first_inaccessible_post_time": 0,
    }


@router.post("/posts", status_code=201)
async def create_post(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    draft = PostDraft(
        channel_id=check_id(body.str("channel_id", required=True), "channel_id"),
        message=body.str("message", max_len=70_000),
        root_id=body.str("root_id", max_len=26),
        props=body.obj("props") or {},
        file_ids=body.str_list("file_ids", max_items=10),
        pending_post_id=body.str("pending_post_id", max_len=100),
        create_at=body.int("create_at"),
    )
    post, _ = await posts.do_create_post(svc, actor, draft)
    return created(await _with_metadata(svc, actor, post))


@router.post("/posts/ephemeral", status_code=201)
async def create_ephemeral_post(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    post = Body(body.obj("post") or {})
    draft = PostDraft(
        channel_id=check_id(post.str("channel_id", required=True), "channel_id"),
        message=post.str("message", max_len=70_000),
        root_id=post.str("root_id", max_len=26),
        props=post.obj("props") or {},
    )
    return created(await integrations.do_create_ephemeral_post(svc, actor, check_id(body.str("user_id", required=True), "user_id"), draft))


async def _with_metadata(svc: ServicesDep, actor: ActorDep, post: Post) -> dict[str, Any]:
    """A post just written, as clients expect it back: with its files in metadata."""
    attached = await files.get_post_files(svc, actor, post.id) if post.file_ids else []
    return post.to_api(metadata=post_metadata(post, attached))


@router.get("/posts/{post_id}")
async def get_post(post_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    page = await posts.get_post(svc, actor, check_id(post_id, "post_id"))
    post = page.posts[0]
    return JSON(post_to_api(post, metadata=page.metadata(post)))


@router.post("/posts/ids")
async def get_posts_by_ids(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    ids = await read_id_list(request, "post_ids", limit=1000)
    return JSON([p.to_api() for p in await posts.get_posts_by_ids(svc, actor, ids)])


@router.put("/posts/{post_id}/patch")
async def patch_post(post_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    for key, kind in (("message", str), ("props", dict), ("is_pinned", bool), ("file_ids", list)):
        if key in body.data and body.data[key] is not None and not isinstance(body.data[key], kind):
            raise invalid_param(key)
    post = await posts.do_patch_post(svc, actor, check_id(post_id, "post_id"), body.data)
    return JSON(await _with_metadata(svc, actor, post))


@router.put("/posts/{post_id}")
async def update_post(post_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    if body.str("id") != post_id:
        raise invalid_param("id")
    body.str("message", max_len=70_000)
    post = await posts.do_patch_post(svc, actor, check_id(post_id, "post_id"), body.data, replace=True)
    return JSON(await _with_metadata(svc, actor, post))


@router.delete("/posts/{post_id}")
async def delete_post(post_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await posts.do_delete_post(svc, actor, check_id(post_id, "post_id"))
    return ok()


@router.post("/posts/{post_id}/pin")
async def pin_post(post_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await posts.do_set_pinned(svc, actor, check_id(post_id, "post_id"), True)
    return ok()


@router.post("/posts/{post_id}/unpin")
async def unpin_post(post_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await posts.do_set_pinned(svc, actor, check_id(post_id, "post_id"), False)
    return ok()


@router.post("/users/{user_id}/posts/{post_id}/set_unread")
async def set_post_unread(user_id: str, post_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(await unreads.do_set_unread(svc, actor, resolve_user_id(actor, user_id), check_id(post_id, "post_id")))


@router.get("/posts/{post_id}/thread")
async def get_thread(
    post_id: str, svc: ServicesDep, actor: ActorDep, perPage: int = 0, fromPost: str = "", direction: str = "down", skipFetchThreads: bool = False
) -> JSON:
    page = await posts.get_thread(svc, actor, check_id(post_id, "post_id"), per_page=min(max(perPage, 0), 200), from_post=fromPost, direction=direction)
    return JSON(post_list(page))


@router.get("/channels/{channel_id}/posts")
async def get_channel_posts(
    channel_id: str,
    svc: ServicesDep,
    actor: ActorDep,
    paging: Paging,
    since: Timestamp = 0,
    before: str = "",
    after: str = "",
    collapsedThreads: bool = False,
    collapsedThreadsExtended: bool = False,
    skipFetchThreads: bool = False,
) -> JSON:
    offset, limit = paging
    page = await posts.get_channel_posts(
        svc, actor, check_id(channel_id, "channel_id"), offset=offset, limit=limit, since=max(since, 0), before=before, after=after, roots_only=collapsedThreads
    )
    return JSON(post_list(page))


@router.get("/channels/{channel_id}/pinned")
async def get_pinned_posts(channel_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(post_list(await posts.get_pinned_posts(svc, actor, check_id(channel_id, "channel_id"))))


@router.get("/users/{user_id}/channels/{channel_id}/posts/unread")
async def get_posts_around_unread(user_id: str, channel_id: str, svc: ServicesDep, actor: ActorDep, limit_before: int = 60, limit_after: int = 60) -> JSON:
    page = await posts.get_posts_around_unread(
        svc, actor, resolve_user_id(actor, user_id), check_id(channel_id, "channel_id"), min(max(limit_before, 0), 200), min(max(limit_after, 1), 200)
    )
    return JSON(post_list(page))
