"""/users/{uid}/teams/{tid}/channels/categories: the sidebar's channel categories and their order."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import categories
from kafana.actions.categories import CategoryPatch, CategoryView
from kafana.api.body import Body, read_json, read_object
from kafana.api.deps import ActorDep, ServicesDep, check_id, resolve_user_id
from kafana.api.responses import JSON, created, ok
from kafana.lib.errors import AppError, invalid_param
from kafana.lib.ids import is_valid_id
from kafana.models.actor import Actor

router = APIRouter()

CATEGORY_ID_RE = re.compile(r"^[a-z0-9_]{1,128}$")
MAX_ITEMS = 200
BASE = "/users/{user_id}/teams/{team_id}/channels/categories"


def _ids(actor: Actor, user_id: str, team_id: str) -> tuple[str, str]:
    return resolve_user_id(actor, user_id), check_id(team_id, "team_id")


def _category_id(value: str) -> str:
    if not CATEGORY_ID_RE.match(value):
        raise AppError(400, "api.context.invalid_url_param.app_error", "Invalid or missing category_id parameter in request URL.")
    return value


def read_patch(body: Body, *, category_id: str = "") -> CategoryPatch:
    """A category as clients send it; only the fields present change."""
    channel_ids = body.str_list("channel_ids", max_items=10_000) if "channel_ids" in body else None
    if channel_ids is not None and not all(is_valid_id(c) for c in channel_ids):
        raise invalid_param("channel_ids")
    return CategoryPatch(
        id=category_id or body.str("id", max_len=128),
        display_name=body.str("display_name", max_len=1000) if "display_name" in body else None,
        sorting=body.str("sorting", max_len=16) if "sorting" in body else None,
        muted=body.bool("muted") if "muted" in body else None,
        collapsed=body.bool("collapsed") if "collapsed" in body else None,
        channel_ids=channel_ids,
        user_id=body.str("user_id", max_len=26),
        team_id=body.str("team_id", max_len=26),
    )


def _one(view: CategoryView) -> dict[str, Any]:
    return view.to_api()


@router.get(BASE)
async def get_categories(user_id: str, team_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    found = await categories.get_categories(svc, actor, *_ids(actor, user_id, team_id))
    return JSON({"categories": [_one(v) for v in found.categories], "order": found.order})


@router.post(BASE, status_code=201)
async def create_category(user_id: str, team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    view = await categories.do_create_category(svc, actor, *_ids(actor, user_id, team_id), read_patch(body, category_id="new"))
    return created(_one(view))


@router.put(BASE)
async def update_categories(user_id: str, team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    data = await read_json(request)
    if not isinstance(data, list) or len(data) > MAX_ITEMS or not all(isinstance(item, dict) for item in data):
        raise invalid_param("categories")
    patches = [read_patch(Body(item)) for item in data]
    for patch in patches:
        _category_id(patch.id)
    views = await categories.do_update_categories(svc, actor, *_ids(actor, user_id, team_id), patches)
    return JSON([_one(v) for v in views])


@router.get(BASE + "/order")
async def get_category_order(user_id: str, team_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(await categories.get_category_order(svc, actor, *_ids(actor, user_id, team_id)))


@router.put(BASE + "/order")
async def set_category_order(user_id: str, team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    data = await read_json(request)
    if not isinstance(data, list) or len(data) > MAX_ITEMS or not all(isinstance(x, str) for x in data):
        raise invalid_param("order")
    return JSON(await categories.do_set_category_order(svc, actor, *_ids(actor, user_id, team_id), data))


@router.get(BASE + "/{category_id}")
async def get_category(user_id: str, team_id: str, category_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(_one(await categories.get_category(svc, actor, *_ids(actor, user_id, team_id), _category_id(category_id))))


@router.put(BASE + "/{category_id}")
async def update_category(user_id: str, team_id: str, category_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    patch = read_patch(body)
    if patch.id and patch.id != category_id:
        raise invalid_param("id")
    patch.id = _category_id(category_id)
    views = await categories.do_update_categories(svc, actor, *_ids(actor, user_id, team_id), [patch])
    return JSON(_one(views[0]))


@router.delete(BASE + "/{category_id}")
async def delete_category(user_id: str, team_id: str, category_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await categories.do_delete_category(svc, actor, *_ids(actor, user_id, team_id), _category_id(category_id))
    return ok()
