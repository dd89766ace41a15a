"""/channels: channels, DMs and GMs, channel members, read state, unread counts and stats."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import channels
from kafana.actions.channels import ChannelDraft
from kafana.api.body import read_id_list, read_json, read_object, read_role_change
from kafana.api.deps import ActorDep, Paging, ServicesDep, Timestamp, check_id, resolve_user_id
from kafana.api.responses import JSON, created, ok
from kafana.lib.errors import invalid_param
from kafana.models import Channel, Team

# The channel object's fields and their JSON types: a wrong type is a 400 even where a call ignores the field.
CHANNEL_FIELDS: dict[str, type] = {"id": str, "team_id": str, "name": str, "display_name": str, "type": str, "header": str, "purpose": str, "creator_id": str}

router = APIRouter()

PATCHABLE = ("name", "display_name", "purpose", "header")
MAX_MS = 2**62  # timestamps past this would overflow the databases' 64-bit integers
MAX_PAGE = 1_000_000


def _since(value: int) -> int:
    return min(max(value, 0), MAX_MS)


def _list(found: list[Channel]) -> JSON:
    return JSON([c.to_api() for c in found])


@router.post("/channels", status_code=201)
async def create_channel(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = (await read_object(request)).check_types(CHANNEL_FIELDS)
    draft = ChannelDraft(
        team_id=body.str("team_id", required=True),
        name=body.str("name"),
        display_name=body.str("display_name"),
        type=body.str("type"),
        purpose=body.str("purpose"),
        header=body.str("header"),
    )
    return created((await channels.do_create_channel(svc, actor, draft)).to_api())


@router.post("/channels/direct", status_code=201)
async def create_direct_channel(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    data = await read_id_list_raw(request, "user_ids", limit=2)
    return created((await channels.do_create_direct(svc, actor, [resolve_user_id(actor, u) for u in data])).to_api())


@router.post("/channels/group", status_code=201)
async def create_group_channel(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    ids = await read_id_list(request, "user_ids", limit=channels.GROUP_MAX_USERS + 1)
    return created((await channels.do_create_group(svc, actor, ids)).to_api())


async def read_id_list_raw(request: Request, name: str, *, limit: int) -> list[str]:
    """Like read_id_list but keeps duplicates: [a, a] is a DM with yourself."""
    data = await read_json(request)
    if not isinstance(data, list) or not all(isinstance(x, str) for x in data) or len(data) > limit:
        raise invalid_param(name)
    return data


@router.post("/channels/members/{user_id}/view")
async def view_channel(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    wanted = []
    for key in ("channel_id", "prev_channel_id"):
        value = body.str(key)
        if value:
            wanted.append(check_id(value, key))
    times = await channels.do_view_channels(svc, actor, resolve_user_id(actor, user_id), wanted)
    return JSON({"status": "OK", "last_viewed_at_times": times})


@router.get("/channels/{channel_id}")
async def get_channel(channel_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await channels.get_channel(svc, actor, check_id(channel_id, "channel_id"))).to_api())


@router.put("/channels/{channel_id}/patch")
async def patch_channel(channel_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = (await read_object(request)).check_types(CHANNEL_FIELDS)
    patch = {key: body.str(key) for key in PATCHABLE if key in body}
    return JSON((await channels.do_patch_channel(svc, actor, check_id(channel_id, "channel_id"), patch)).to_api())


@router.put("/channels/{channel_id}")
async def update_channel(channel_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    """The full update: header and purpose are replaced (missing means empty), name and display name only
    when given, as Mattermost does; type changes go through /privacy."""
    body = (await read_object(request)).check_types(CHANNEL_FIELDS)
    if body.str("id") != channel_id:
        raise invalid_param("id")
    patch = {"header": body.str("header"), "purpose": body.str("purpose")}
    for key in ("name", "display_name"):
        if body.str(key):
            patch[key] = body.str(key)
    return JSON((await channels.do_patch_channel(svc, actor, check_id(channel_id, "channel_id"), patch)).to_api())


@router.put("/channels/{channel_id}/privacy")
async def update_channel_privacy(channel_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    channel = await channels.do_set_privacy(svc, actor, check_id(channel_id, "channel_id"), body.str("privacy", required=True))
    return JSON(channel.to_api())


@router.post("/channels/{channel_id}/move")
async def move_channel(channel_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    team_id = body.str("team_id", max_len=64)  # checked after the caller's permission (invisible channels: 404 first)
    return JSON((await channels.do_move_channel(svc, actor, check_id(channel_id, "channel_id"), team_id, force=body.bool("force"))).to_api())


def _with_team(found: list[tuple[Channel, Team]]) -> JSON:
    """Mattermost's ChannelWithTeamData."""
    return JSON([{**c.to_api(), "team_display_name": t.display_name, "team_name": t.name, "team_update_at": t.update_at} for c, t in found])


@router.get("/channels")
async def get_all_channels(svc: ServicesDep, actor: ActorDep, paging: Paging, include_deleted: bool = False) -> JSON:
    offset, limit = paging
    return _with_team(await channels.search_all_channels(svc, actor, "", deleted=None if include_deleted else False, offset=offset, limit=limit))


@router.post("/channels/search")
async def search_all_channels(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    """The system console's channel search (every team, private channels too); `deleted` lists archived ones."""
    body = await read_object(request)
    page, per_page = max(body.int("page"), 0), min(max(body.int("per_page", 100), 1), 200)
    found = await channels.search_all_channels(
        svc,
        actor,
        body.str("term", max_len=64),
        team_ids=[check_id(t, "team_ids") for t in body.str_list("team_ids", max_items=100)],
        deleted=True if body.bool("deleted") else (None if body.bool("include_deleted") else False),
        offset=min(page, MAX_PAGE) * per_page,
        limit=per_page,
    )
    return _with_team(found)


@router.delete("/channels/{channel_id}")
async def delete_channel(channel_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await channels.do_archive_channel(svc, actor, check_id(channel_id, "channel_id"))
    return ok()


@router.post("/channels/{channel_id}/restore")
async def restore_channel(channel_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await channels.do_restore_channel(svc, actor, check_id(channel_id, "channel_id"))).to_api())


@router.get("/channels/{channel_id}/stats")
async def get_channel_stats(channel_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(await channels.get_channel_stats(svc, actor, check_id(channel_id, "channel_id")))


@router.get("/channels/{channel_id}/timezones")
async def get_channel_timezones(channel_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    await channels.get_channel(svc, actor, check_id(channel_id, "channel_id"))
    return JSON([])


# Members --------------------------------------------------------------------------------------------------


@router.get("/channels/{channel_id}/members")
async def list_channel_members(channel_id: str, svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    offset, limit = paging
    found = await channels.list_channel_members(svc, actor, check_id(channel_id, "channel_id"), offset, limit)
    return JSON([m.to_api() for m in found])


@router.post("/channels/{channel_id}/members/ids")
async def get_channel_members_by_ids(channel_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    ids = await read_id_list(request, "user_ids", limit=1000)
    found = await channels.get_channel_members_by_ids(svc, actor, check_id(channel_id, "channel_id"), ids)
    return JSON([m.to_api() for m in found])


@router.post("/channels/{channel_id}/members", status_code=201)
async def add_channel_member(channel_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    check_id(channel_id, "channel_id")
    if "user_ids" in body and "user_id" not in body:
        user_ids = [resolve_user_id(actor, u) for u in body.str_list("user_ids", max_items=256)]
        if not user_ids:
            raise invalid_param("user_ids")
        added = [await channels.do_add_channel_member(svc, actor, channel_id, uid) for uid in dict.fromkeys(user_ids)]
        return created([m.to_api() for m in added])
    user_id = resolve_user_id(actor, body.str("user_id", required=True))
    return created((await channels.do_add_channel_member(svc, actor, channel_id, user_id)).to_api())


@router.get("/channels/{channel_id}/members/{user_id}")
async def get_channel_member(channel_id: str, user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    member = await channels.get_channel_member(svc, actor, check_id(channel_id, "channel_id"), resolve_user_id(actor, user_id))
    return JSON(member.to_api())


@router.delete("/channels/{channel_id}/members/{user_id}")
async def remove_channel_member(channel_id: str, user_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await channels.do_remove_channel_member(svc, actor, check_id(channel_id, "channel_id"), resolve_user_id(actor, user_id))
    return ok()


@router.put("/channels/{channel_id}/members/{user_id}/roles")
async def update_channel_member_roles(channel_id: str, user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    change = read_role_change(await read_object(request), scheme=False)
    await channels.do_update_member_roles(svc, actor, check_id(channel_id, "channel_id"), resolve_user_id(actor, user_id), change)
    return ok()


@router.put("/channels/{channel_id}/members/{user_id}/schemeRoles")
async def update_channel_member_scheme_roles(channel_id: str, user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    change = read_role_change(await read_object(request), scheme=True)
    await channels.do_update_member_roles(svc, actor, check_id(channel_id, "channel_id"), resolve_user_id(actor, user_id), change)
    return ok()


@router.put("/channels/{channel_id}/members/{user_id}/notify_props")
async def update_channel_notify_props(channel_id: str, user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    props = {k: v for k, v in body.data.items() if k not in ("channel_id", "user_id")}
    await channels.do_update_notify_props(svc, actor, check_id(channel_id, "channel_id"), resolve_user_id(actor, user_id), props)
    return ok()


# A team's channels ----------------------------------------------------------------------------------------


@router.get("/teams/{team_id}/channels")
async def list_public_channels(team_id: str, svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    offset, limit = paging
    return _list(await channels.list_public_channels(svc, actor, check_id(team_id, "team_id"), offset, limit))


@router.get("/teams/{team_id}/channels/private")
async def list_private_channels(team_id: str, svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    offset, limit = paging
    return _list(await channels.list_private_channels(svc, actor, check_id(team_id, "team_id"), offset, limit))


@router.get("/teams/{team_id}/channels/deleted")
async def list_deleted_channels(team_id: str, svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    offset, limit = paging
    return _list(await channels.list_deleted_channels(svc, actor, check_id(team_id, "team_id"), offset, limit))


@router.post("/teams/{team_id}/channels/search")
async def search_channels(team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    term = body.str("term", max_len=64)
    return _list(await channels.search_channels(svc, actor, check_id(team_id, "team_id"), term))


@router.get("/teams/{team_id}/channels/autocomplete")
async def autocomplete_channels(team_id: str, svc: ServicesDep, actor: ActorDep, name: str = "") -> JSON:
    if len(name) > 64:
        raise invalid_param("name")
    return _list(await channels.search_channels(svc, actor, check_id(team_id, "team_id"), name, autocomplete=True, limit=50))


@router.get("/teams/{team_id}/channels/name/{channel_name}")
async def get_channel_by_name(team_id: str, channel_name: str, svc: ServicesDep, actor: ActorDep, include_deleted: bool = False) -> JSON:
    channel = await channels.get_channel_by_name(svc, actor, check_id(team_id, "team_id"), channel_name, include_deleted=include_deleted)
    return JSON(channel.to_api())


@router.get("/teams/name/{team_name}/channels/name/{channel_name}")
async def get_channel_by_names(team_name: str, channel_name: str, svc: ServicesDep, actor: ActorDep, include_deleted: bool = False) -> JSON:
    channel = await channels.get_channel_by_name(svc, actor, "", channel_name, team_name=team_name, include_deleted=include_deleted)
    return JSON(channel.to_api())


# A user's channels ----------------------------------------------------------------------------------------


@router.get("/users/{user_id}/teams/{team_id}/channels")
async def list_user_team_channels(
    user_id: str, team_id: str, svc: ServicesDep, actor: ActorDep, include_deleted: bool = False, last_delete_at: Timestamp = 0
) -> JSON:
    found = await channels.list_user_channels(
        svc, actor, resolve_user_id(actor, user_id), check_id(team_id, "team_id"), include_deleted=include_deleted, last_delete_at=_since(last_delete_at)
    )
    return _list(found)


@router.get("/users/{user_id}/channels")
async def list_user_channels(user_id: str, svc: ServicesDep, actor: ActorDep, include_deleted: bool = False, last_delete_at: Timestamp = 0) -> JSON:
    found = await channels.list_user_channels(
        svc, actor, resolve_user_id(actor, user_id), None, include_deleted=include_deleted, last_delete_at=_since(last_delete_at)
    )
    return _list(found)


@router.get("/users/{user_id}/teams/{team_id}/channels/members")
async def list_user_team_channel_members(user_id: str, team_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    found = await channels.list_user_channel_members(svc, actor, resolve_user_id(actor, user_id), check_id(team_id, "team_id"))
    return JSON([m.to_api() for m in found])


@router.get("/users/{user_id}/channel_members")
async def list_user_channel_members(user_id: str, svc: ServicesDep, actor: ActorDep, page: int = 0, per_page: int = 0) -> JSON:
    """Every channel membership of the user; paged only when per_page is given (Mattermost's default is all)."""
    limit = min(max(per_page, 0), 1000)
    offset = min(max(page, 0), MAX_PAGE) * limit
    found = await channels.list_user_channel_members(svc, actor, resolve_user_id(actor, user_id), None, offset=offset, limit=limit)
    return JSON([m.to_api() for m in found])


@router.get("/users/{user_id}/channels/{channel_id}/unread")
async def get_channel_unread(user_id: str, channel_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(await channels.get_channel_unread(svc, actor, resolve_user_id(actor, user_id), check_id(channel_id, "channel_id")))
