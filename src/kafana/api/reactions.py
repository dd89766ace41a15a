"""/reactions: add, remove and list emoji reactions on posts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import reactions
from kafana.api.body import read_id_list, read_object
from kafana.api.deps import ActorDep, ServicesDep, check_id, resolve_user_id
from kafana.api.responses import JSON, created, ok
from kafana.lib.errors import AppError, invalid_param
from kafana.lib.ids import is_valid_id

router = APIRouter()

INVALID = AppError(400, "api.reaction.save_reaction.invalid.app_error", "Reaction is not valid.")


@router.post("/reactions", status_code=201)
async def save_reaction(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    """201 as Mattermost's API document says (its server answers 200; clients accept both)."""
    body = await read_object(request)
    user_id, post_id, emoji_name = body.str("user_id"), body.str("post_id"), body.str("emoji_name")
    if not is_valid_id(user_id) or not is_valid_id(post_id) or not emoji_name or len(emoji_name) > 64:
        raise INVALID
    reaction = await reactions.do_add_reaction(svc, actor, user_id, post_id, emoji_name)
    return created(reaction.to_api())


@router.get("/posts/{post_id}/reactions")
async def get_reactions(post_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    found = await reactions.get_reactions(svc, actor, check_id(post_id, "post_id"))
    return JSON([r.to_api() for r in found])


@router.delete("/users/{user_id}/posts/{post_id}/reactions/{emoji_name}")
async def delete_reaction(user_id: str, post_id: str, emoji_name: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await reactions.do_remove_reaction(svc, actor, resolve_user_id(actor, user_id), check_id(post_id, "post_id"), emoji_name)
    return ok()


@router.post("/posts/ids/reactions")
async def get_reactions_for_posts(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    ids = await read_id_list(request, "post_ids", limit=1000)
    if not all(is_valid_id(i) for i in ids):
        raise invalid_param("post_ids")
    found = await reactions.get_reactions_for_posts(svc, actor, ids)
    return JSON({post_id: [r.to_api() for r in rows] for post_id, rows in found.items()})
