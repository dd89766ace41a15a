"""/users/{id}/preferences and saved ("flagged") posts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import preferences
from kafana.actions.preferences import PreferenceInput
from kafana.api.body import Body, read_json
from kafana.api.deps import ActorDep, Paging, ServicesDep, check_id, resolve_user_id
from kafana.api.posts import post_list
from kafana.api.responses import JSON, ok
from kafana.lib.errors import invalid_param
from kafana.models import Preference

router = APIRouter()

MAX_ITEMS = 1000  # far above the 100 a call may change; the action says so with Mattermost's error


async def read_preferences(request: Request) -> list[PreferenceInput]:
    """A JSON array of {user_id, category, name, value} objects, every field a string."""
    data = await read_json(request)
    if not isinstance(data, list) or len(data) > MAX_ITEMS or not all(isinstance(item, dict) for item in data):
        raise invalid_param("preferences")
    out = []
    for item in data:
        body = Body(item)
        out.append(PreferenceInput(body.str("user_id"), body.str("category"), body.str("name"), body.str("value")))
    return out


def _list(found: list[Preference]) -> JSON:
    return JSON([p.to_api() for p in found])


@router.get("/users/{user_id}/preferences")
async def get_preferences(user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return _list(await preferences.get_preferences(svc, actor, resolve_user_id(actor, user_id)))


@router.put("/users/{user_id}/preferences")
async def save_preferences(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    await preferences.do_save_preferences(svc, actor, resolve_user_id(actor, user_id), await read_preferences(request))
    return ok()


@router.post("/users/{user_id}/preferences/delete")
async def delete_preferences(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    await preferences.do_delete_preferences(svc, actor, resolve_user_id(actor, user_id), await read_preferences(request))
    return ok()


@router.get("/users/{user_id}/preferences/{category}")
async def get_preferences_by_category(user_id: str, category: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return _list(await preferences.get_preferences(svc, actor, resolve_user_id(actor, user_id), category=category))


@router.get("/users/{user_id}/preferences/{category}/name/{name}")
async def get_preference(user_id: str, category: str, name: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    found = await preferences.get_preferences(svc, actor, resolve_user_id(actor, user_id), category=category, name=name)
    return JSON(found[0].to_api())


@router.get("/users/{user_id}/posts/flagged")
async def get_flagged_posts(user_id: str, svc: ServicesDep, actor: ActorDep, paging: Paging, channel_id: str = "", team_id: str = "") -> JSON:
    offset, limit = paging
    page = await preferences.get_flagged_posts(
        svc,
        actor,
        resolve_user_id(actor, user_id),
        channel_id=check_id(channel_id, "channel_id") if channel_id else "",
        team_id=check_id(team_id, "team_id") if team_id else "",
        offset=offset,
        limit=limit,
    )
    return JSON(post_list(page))
