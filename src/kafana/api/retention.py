"""/data_retention: the global policy and granular team/channel policies (Mattermost's shapes; no licence)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import retention
from kafana.api.body import read_id_list, read_object
from kafana.api.deps import ActorDep, Paging, ServicesDep, check_id, resolve_user_id
from kafana.api.responses import JSON, created, ok
from kafana.lib.errors import not_found

router = APIRouter()


@router.get("/data_retention/policy")
async def get_global_policy(svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(retention.global_policy(svc))


@router.get("/data_retention/policies_count")
async def count_policies(svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON({"total_count": await retention.count_policies(svc, actor)})


@router.get("/data_retention/policies")
async def list_policies(svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    return JSON(await retention.list_policies(svc, actor, *paging))


@router.post("/data_retention/policies", status_code=201)
async def create_policy(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    return created(await retention.create_policy(svc, actor, body.data))


@router.get("/data_retention/policies/{policy_id}")
async def get_policy(policy_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON(await retention.get_policy(svc, actor, check_id(policy_id, "policy_id")))


@router.patch("/data_retention/policies/{policy_id}")
async def patch_policy(policy_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    return JSON(await retention.patch_policy(svc, actor, check_id(policy_id, "policy_id"), body.data))


@router.delete("/data_retention/policies/{policy_id}")
async def delete_policy(policy_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await retention.delete_policy(svc, actor, check_id(policy_id, "policy_id"))
    return ok()


@router.get("/data_retention/policies/{policy_id}/teams")
async def policy_teams(policy_id: str, svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    return JSON([t.to_api() for t in await retention.assigned_teams(svc, actor, check_id(policy_id, "policy_id"), *paging)])


@router.get("/data_retention/policies/{policy_id}/channels")
async def policy_channels(policy_id: str, svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    """ChannelListWithTeamData: each channel with its team's names."""
    found = await retention.assigned_channels(svc, actor, check_id(policy_id, "policy_id"), *paging)
    return JSON(
        [
            {
                **c.to_api(),
                "team_display_name": t.display_name if t else "",
                "team_name": t.name if t else "",
                "team_update_at": t.update_at if t else 0,
                "policy_id": policy_id,
            }
            for c, t in found
        ]
    )


@router.post("/data_retention/policies/{policy_id}/{target}")
async def add_to_policy(policy_id: str, target: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    """POST …/teams or …/channels with a JSON list of ids."""
    ids = await read_id_list(request, target)
    await retention.change_assignment(svc, actor, check_id(policy_id, "policy_id"), _target(target), ids, add=True)
    return ok()


@router.delete("/data_retention/policies/{policy_id}/{target}")
async def remove_from_policy(policy_id: str, target: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    ids = await read_id_list(request, target)
    await retention.change_assignment(svc, actor, check_id(policy_id, "policy_id"), _target(target), ids, add=False)
    return ok()


@router.get("/users/{user_id}/data_retention/team_policies")
async def user_team_policies(user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    found = await retention.user_policies(svc, actor, resolve_user_id(actor, user_id), "teams")
    return JSON({"policies": [{"team_id": i, "post_duration": d} for i, d in found], "total_count": len(found)})


@router.get("/users/{user_id}/data_retention/channel_policies")
async def user_channel_policies(user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    found = await retention.user_policies(svc, actor, resolve_user_id(actor, user_id), "channels")
    return JSON({"policies": [{"channel_id": i, "post_duration": d} for i, d in found], "total_count": len(found)})


def _target(target: str) -> str:
    if target not in retention.TARGETS:
        raise not_found("retention policy target")
    return target
