"""/teams: teams, team members, member roles, team stats and unread counts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import invites, teams
from kafana.actions.teams import TeamDraft
from kafana.api.body import Body, read_id_list, read_json, read_object, read_role_change
from kafana.api.deps import ActorDep, Paging, ServicesDep, check_id, resolve_user_id
from kafana.api.responses import JSON, created, ok
from kafana.lib.errors import invalid_param

# The team object's fields and their JSON types: a wrong type is a 400 even where a call ignores the field.
TEAM_FIELDS: dict[str, type] = {
    "id": str,
    "name": str,
    "display_name": str,
    "description": str,
    "email": str,
    "type": str,
    "company_name": str,
    "allowed_domains": str,
    "invite_id": str,
    "allow_open_invite": bool,
}

router = APIRouter()

TEXT_FIELDS = ("display_name", "description", "company_name", "allowed_domains")


def _patch(body: Body) -> dict[str, Any]:
    """The fields a team manager may change; anything else in the body is ignored (A14)."""
    patch: dict[str, Any] = {key: body.str(key) for key in TEXT_FIELDS if key in body}
    if "allow_open_invite" in body:
        patch["allow_open_invite"] = body.bool("allow_open_invite")
    return patch


@router.post("/teams", status_code=201)
async def create_team(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = (await read_object(request)).check_types(TEAM_FIELDS)
    draft = TeamDraft(
        name=body.str("name", required=True),
        display_name=body.str("display_name", required=True),
        type=body.str("type", "O") or "O",
        description=body.str("description"),
        company_name=body.str("company_name"),
        allowed_domains=body.str("allowed_domains"),
        allow_open_invite=body.bool("allow_open_invite"),
    )
    view = await teams.do_create_team(svc, actor, draft)
    return created(view.to_api())


@router.get("/teams")
async def list_teams(svc: ServicesDep, actor: ActorDep, paging: Paging, include_total_count: bool = False, include_deleted: bool = False) -> JSON:
    """`include_deleted` (Kafana, system admins): archived teams too, for the console to restore them."""
    offset, limit = paging
    views, total = await teams.list_teams(svc, actor, offset, limit, with_total=include_total_count, include_deleted=include_deleted)
    found = [v.to_api() for v in views]
    return JSON({"teams": found, "total_count": total} if include_total_count else found)


@router.post("/teams/search")
async def search_teams(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    return JSON([v.to_api() for v in await teams.search_teams(svc, actor, body.str("term", max_len=64))])


@router.get("/teams/name/{name}")
async def get_team_by_name(name: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await teams.get_team(svc, actor, name=name.lower())).to_api())


@router.get("/teams/{team_id}")
async def get_team(team_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await teams.get_team(svc, actor, check_id(team_id, "team_id"))).to_api())


@router.put("/teams/{team_id}/patch")
async def patch_team(team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = (await read_object(request)).check_types(TEAM_FIELDS)
    return JSON((await teams.do_patch_team(svc, actor, check_id(team_id, "team_id"), _patch(body))).to_api())


@router.put("/teams/{team_id}")
async def update_team(team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = (await read_object(request)).check_types(TEAM_FIELDS)
    if body.str("id") != team_id:
        raise invalid_param("id")
    return JSON((await teams.do_patch_team(svc, actor, check_id(team_id, "team_id"), _patch(body))).to_api())


@router.put("/teams/{team_id}/privacy")
async def update_team_privacy(team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    view = await teams.do_set_team_privacy(svc, actor, check_id(team_id, "team_id"), body.str("privacy", required=True))
    return JSON(view.to_api())


@router.delete("/teams/{team_id}")
async def delete_team(team_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await teams.do_set_team_archived(svc, actor, check_id(team_id, "team_id"), True)
    return ok()


@router.post("/teams/{team_id}/restore")
async def restore_team(team_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await teams.do_set_team_archived(svc, actor, check_id(team_id, "team_id"), False)).to_api())


@router.get("/teams/{team_id}/stats")
async def get_team_stats(team_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(await teams.get_team_stats(svc, actor, check_id(team_id, "team_id")))


# Members --------------------------------------------------------------------------------------------------


@router.get("/teams/{team_id}/members")
async def list_team_members(team_id: str, svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    offset, limit = paging
    return JSON([m.to_api() for m in await teams.list_team_members(svc, actor, check_id(team_id, "team_id"), offset, limit)])


@router.post("/teams/{team_id}/members/ids")
async def get_team_members_by_ids(team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    ids = await read_id_list(request, "user_ids", limit=1000)
    return JSON([m.to_api() for m in await teams.get_team_members_by_ids(svc, actor, check_id(team_id, "team_id"), ids)])


@router.post("/teams/{team_id}/members", status_code=201)
async def add_team_member(team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    check_id(team_id, "team_id")
    if body.str("team_id", team_id) != team_id:
        raise invalid_param("team_id")
    user_id = resolve_user_id(actor, body.str("user_id", required=True))
    members = await teams.do_add_team_members(svc, actor, team_id, [user_id])
    return created(members[0].to_api())


@router.post("/teams/{team_id}/members/batch", status_code=201)
async def add_team_members(team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    check_id(team_id, "team_id")
    data = await read_json(request)
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise invalid_param("members")
    user_ids = []
    for item in data:
        member = Body(item)
        if member.str("team_id", team_id) != team_id:
            raise invalid_param("team_id")
        user_ids.append(check_id(member.str("user_id", required=True), "user_id"))
    members = await teams.do_add_team_members(svc, actor, team_id, user_ids)
    return created([m.to_api() for m in members])


@router.get("/teams/{team_id}/members/{user_id}")
async def get_team_member(team_id: str, user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    member = await teams.get_team_member(svc, actor, check_id(team_id, "team_id"), resolve_user_id(actor, user_id))
    return JSON(member.to_api())


@router.delete("/teams/{team_id}/members/{user_id}")
async def remove_team_member(team_id: str, user_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await teams.do_remove_team_member(svc, actor, check_id(team_id, "team_id"), resolve_user_id(actor, user_id))
    return ok()


@router.put("/teams/{team_id}/members/{user_id}/roles")
async def update_team_member_roles(team_id: str, user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    change = read_role_change(await read_object(request), scheme=False)
    await teams.do_update_team_member_roles(svc, actor, check_id(team_id, "team_id"), resolve_user_id(actor, user_id), change)
    return ok()


@router.put("/teams/{team_id}/members/{user_id}/schemeRoles")
async def update_team_member_scheme_roles(team_id: str, user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    change = read_role_change(await read_object(request), scheme=True)
    await teams.do_update_team_member_roles(svc, actor, check_id(team_id, "team_id"), resolve_user_id(actor, user_id), change)
    return ok()


# A user's teams -------------------------------------------------------------------------------------------


@router.get("/users/{user_id}/teams")
async def list_user_teams(user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON([v.to_api() for v in await teams.list_user_teams(svc, actor, resolve_user_id(actor, user_id))])


@router.get("/users/{user_id}/teams/members")
async def list_user_team_members(user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON([m.to_api() for m in await teams.list_user_team_members(svc, actor, resolve_user_id(actor, user_id))])


@router.get("/users/{user_id}/teams/unread")
async def get_teams_unread(user_id: str, svc: ServicesDep, actor: ActorDep, exclude_team: str = "", include_collapsed_threads: bool = False) -> JSON:
    return JSON(await teams.get_team_unreads(svc, actor, resolve_user_id(actor, user_id), exclude_team=exclude_team))


@router.get("/users/{user_id}/teams/{team_id}/unread")
async def get_team_unread(user_id: str, team_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    found = await teams.get_team_unreads(svc, actor, resolve_user_id(actor, user_id), team_id=check_id(team_id, "team_id"))
    return JSON(found[0])


# Invitations --------------------------------------------------------------------------------------------------


@router.post("/teams/{team_id}/invite/email")
async def invite_by_email(team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    emails = await read_id_list(request, "emails", limit=invites.MAX_EMAILS)
    await invites.do_invite_by_email(svc, actor, check_id(team_id, "team_id"), emails)
    return ok()


@router.post("/teams/{team_id}/invite-guests/email")
async def invite_guests_by_email(team_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    emails = body.str_list("emails", max_items=invites.MAX_EMAILS)
    channels = [check_id(c, "channels") for c in body.str_list("channels", max_items=invites.MAX_EMAILS)]
    await invites.do_invite_guests_by_email(svc, actor, check_id(team_id, "team_id"), emails, channels)
    return ok()


@router.post("/teams/{team_id}/regenerate_invite_id")
async def regenerate_invite_id(team_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await invites.do_regenerate_invite_id(svc, actor, check_id(team_id, "team_id"))).to_api())


@router.get("/teams/invite/{invite_id}")
async def get_invite_info(invite_id: str, svc: ServicesDep) -> JSON:
    """Public, as in Mattermost: the signup page shows which team an invite link leads to."""
    team = await invites.get_invite_info(svc, invite_id[:64])
    return JSON({"id": team.id, "name": team.name, "display_name": team.display_name, "description": team.description})


@router.post("/teams/members/invite", status_code=201)
async def join_by_invite(svc: ServicesDep, actor: ActorDep, token: str = "", invite_id: str = "") -> Response:
    member = await invites.do_join_by_invite(svc, actor, token=token[:128], invite_id=invite_id[:64])
    return created(member.to_api())
