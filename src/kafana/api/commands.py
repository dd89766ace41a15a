"""/commands: custom slash commands, autocomplete, and running a command (`POST /commands/execute`)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import commands
from kafana.api.body import read_object
from kafana.api.deps import ActorDep, ServicesDep, check_id
from kafana.api.responses import JSON, created, ok

router = APIRouter()


@router.post("/commands/execute")
async def execute_command(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    body.check_types({"channel_id": str, "command": str, "root_id": str, "team_id": str})
    return JSON((await commands.do_execute(svc, actor, body.data)).to_api())


@router.post("/commands", status_code=201)
async def create_command(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    return created((await commands.do_create_command(svc, actor, body.data)).to_api())


@router.get("/commands")
async def list_commands(svc: ServicesDep, actor: ActorDep, team_id: str = "", custom_only: bool = False) -> JSON:
    found = await commands.list_commands(svc, actor, check_id(team_id, "team_id"), custom_only=custom_only)
    return JSON([c.to_api() for c in found])


@router.get("/teams/{team_id}/commands/autocomplete")
async def autocomplete(team_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON([c.to_api(with_token=False) for c in await commands.autocomplete_commands(svc, actor, check_id(team_id, "team_id"))])


@router.get("/teams/{team_id}/commands/autocomplete_suggestions")
async def autocomplete_suggestions(team_id: str, svc: ServicesDep, actor: ActorDep, user_input: str = "") -> JSON:
    """Mattermost's AutocompleteSuggestion (capitalised keys) for the commands whose trigger starts as typed."""
    typed = user_input.lstrip("/").lower()
    found = await commands.autocomplete_commands(svc, actor, check_id(team_id, "team_id"))
    return JSON(
        [
            {"Complete": c.trigger, "Suggestion": "/" + c.trigger, "Hint": c.auto_complete_hint, "Description": c.auto_complete_desc, "IconData": ""}
            for c in found
            if c.trigger.startswith(typed)
        ]
    )


@router.get("/commands/{command_id}")
async def get_command(command_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await commands.get_command(svc, actor, check_id(command_id, "command_id"))).to_api())


@router.put("/commands/{command_id}")
async def update_command(command_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    return JSON((await commands.do_update_command(svc, actor, check_id(command_id, "command_id"), body.data)).to_api())


@router.put("/commands/{command_id}/regen_token")
async def regen_token(command_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON({"token": await commands.do_regen_command_token(svc, actor, check_id(command_id, "command_id"))})


@router.delete("/commands/{command_id}")
async def delete_command(command_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await commands.do_delete_command(svc, actor, check_id(command_id, "command_id"))
    return ok()
