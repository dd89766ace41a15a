"""/users: login, logout, profiles, lookups, passwords, sessions and personal access tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from kafana.actions import account_email, auth, mfa, profiles, users
from kafana.api.body import read_id_list, read_object
from kafana.api.deps import (
    ActorDep,
    MfaSetupActorDep,
    Paging,
    ServicesDep,
    Timestamp,
    authenticated_actor,
    current_actor,
    resolve_user_id,
    services,
    token_from_request,
)
from kafana.api.responses import JSON, created, ok, set_session_cookies
from kafana.lib.errors import AppError, invalid_param, not_found
from kafana.models.actor import Actor

router = APIRouter()


@router.post("/users/login")
async def login(request: Request, svc: ServicesDep) -> Response:
    body = await read_object(request)
    login_id = body.str("login_id", max_len=256)
    user_id = body.str("id", max_len=26)
    password = body.str("password", max_len=1024)
    if not (login_id or user_id) or not password:
        raise auth.INVALID_CREDENTIALS
    client = request.client.host if request.client else ""
    result = await auth.do_login(
        svc,
        login_id,
        password,
        user_id=user_id,
        device_id=body.str("device_id", max_len=512),
        mfa_token=body.str("token", max_len=32),
        client_key=client,
        user_agent=request.headers.get("user-agent", ""),
    )
    response = JSON(result.user.to_api(full=True))
    response.headers["Token"] = result.token
    if request.headers.get("x-requested-with", "").lower() == "xmlhttprequest":
        set_session_cookies(response, svc, result)
    return response


@router.post("/users/logout")
async def logout(request: Request, svc: ServicesDep) -> Response:
    """2xx even without a session: Matterbridge uses it as a liveness probe before logging in."""
    token, _ = token_from_request(request)
    if token:
        try:
            actor = await authenticated_actor(request)
        except AppError:
            actor = None
        if actor is not None:
            await auth.do_logout(svc, actor)
    response = ok()
    for name in ("MMAUTHTOKEN", "MMUSERID", "MMCSRF"):
        response.delete_cookie(name)
    return response


@router.post("/users", status_code=201)
async def create_user(request: Request, svc: ServicesDep, t: str = "", iid: str = "") -> Response:
    """Sign-up; `t` is an email invitation's token, `iid` a team's invite id (as Mattermost)."""
    body = await read_object(request)
    token, _ = token_from_request(request)
    actor = await current_actor(request) if token else None
    user = await users.do_create_user(svc, actor, body.data, create_at=body.int("create_at"), token=t[:128], invite_id=iid[:64])
    return created(profiles.sanitize(actor or Actor(user), user))


@router.post("/users/email/verify/send")
async def send_verification_email(request: Request, svc: ServicesDep) -> Response:
    """200 whether or not the address has an account (501 without email set up)."""
    await account_email.do_send_verification(svc, (await read_object(request)).str("email", required=True, max_len=128))
    return ok()


@router.post("/users/email/verify")
async def verify_email(request: Request, svc: ServicesDep) -> Response:
    await account_email.do_verify_email(svc, (await read_object(request)).str("token", required=True, max_len=128))
    return ok()


@router.post("/users/password/reset/send")
async def send_password_reset(request: Request, svc: ServicesDep) -> Response:
    """200 whether or not the address has an account (501 without email set up)."""
    await account_email.do_send_password_reset(svc, (await read_object(request)).str("email", required=True, max_len=128))
    return ok()


@router.post("/users/password/reset")
async def reset_password(request: Request, svc: ServicesDep) -> Response:
    body = await read_object(request)
    await account_email.do_reset_password(svc, body.str("code", required=True, max_len=128), body.str("new_password", required=True, max_len=1024))
    return ok()


@router.get("/users/me")
async def get_me(actor: MfaSetupActorDep) -> JSON:
    assert actor.user is not None
    return JSON(actor.user.to_api(full=True))


@router.get("/users")
async def list_users(
    svc: ServicesDep,
    actor: ActorDep,
    paging: Paging,
    in_team: str = "",
    not_in_team: str = "",
    in_channel: str = "",
    not_in_channel: str = "",
    in_group: str = "",
    without_team: bool = False,
    active: bool | None = None,
    inactive: bool = False,
    sort: str = "",
) -> JSON:
    offset, limit = paging
    found = await users.list_users(
        svc,
        actor,
        in_team=in_team,
        not_in_team=not_in_team,
        in_channel=in_channel,
        not_in_channel=not_in_channel,
        in_group=in_group,
        without_team=without_team,
        active=False if inactive else active,
        sort=sort,
        offset=offset,
        limit=limit,
    )
    return JSON([profiles.sanitize(actor, u) for u in found])


@router.post("/users/ids")
async def get_users_by_ids(request: Request, svc: ServicesDep, actor: ActorDep, since: Timestamp = 0) -> JSON:
    ids = await read_id_list(request, "user_ids")
    return JSON([profiles.sanitize(actor, u) for u in await users.get_users_by_ids(svc, actor, ids, since=since)])


@router.post("/users/usernames")
async def get_users_by_usernames(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    names = await read_id_list(request, "usernames")
    return JSON([profiles.sanitize(actor, u) for u in await users.get_users_by_usernames(svc, actor, names)])


@router.get("/users/username/{username}")
async def get_user_by_username(username: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    found = await users.get_users_by_usernames(svc, actor, [username])
    if not found:
        raise not_found("user")
    return JSON(profiles.sanitize(actor, found[0]))


@router.get("/users/email/{email}")
async def get_user_by_email(email: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    user = await users.get_user_by_email(svc, actor, email)
    return JSON(profiles.sanitize(actor, user))


@router.get("/users/autocomplete")
async def autocomplete_users(svc: ServicesDep, actor: ActorDep, name: str = "", in_team: str = "", in_channel: str = "", limit: int = 100) -> JSON:
    result = await users.autocomplete(svc, actor, name, in_team=in_team, in_channel=in_channel, limit=min(max(limit, 1), 200))
    return JSON({key: [profiles.sanitize(actor, u) for u in found] for key, found in result.items()})


@router.post("/users/search")
async def search_users(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    term = body.str("term", max_len=64)
    if not term.strip():
        raise invalid_param("term")  # as Mattermost: an empty term is not "everyone"
    found = await users.list_users(
        svc,
        actor,
        term=term,
        in_team=body.str("team_id", max_len=26),
        not_in_team=body.str("not_in_team_id", max_len=26),
        in_channel=body.str("in_channel_id", max_len=26),
        not_in_channel=body.str("not_in_channel_id", max_len=26),
        without_team=body.bool("without_team"),
        active=None if body.bool("allow_inactive") else True,
        offset=0,
        limit=min(max(body.int("limit", 100), 1), 200),
    )
    return JSON([profiles.sanitize(actor, u) for u in found])


@router.post("/users/group_channels")
async def get_profiles_in_group_channels(request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    ids = await read_id_list(request, "channel_ids", limit=200)
    result = await users.profiles_in_channels(svc, actor, ids)
    return JSON({cid: [profiles.sanitize(actor, u) for u in found] for cid, found in result.items()})


@router.get("/users/{user_id}")
async def get_user(user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    user = await users.get_user(svc, actor, resolve_user_id(actor, user_id))
    return JSON(profiles.sanitize(actor, user))


@router.put("/users/{user_id}/patch")
async def patch_user(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    user = await users.do_patch_user(svc, actor, resolve_user_id(actor, user_id), body.data)
    return JSON(profiles.sanitize(actor, user))


@router.put("/users/{user_id}")
async def update_user(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    uid = resolve_user_id(actor, user_id)
    if body.str("id") != uid:
        raise invalid_param("user_id")
    user = await users.do_patch_user(svc, actor, uid, body.data)
    return JSON(profiles.sanitize(actor, user))


@router.put("/users/{user_id}/password")
async def update_password(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    await users.do_update_password(
        svc, actor, resolve_user_id(actor, user_id), body.str("current_password", max_len=1024), body.str("new_password", max_len=1024, required=True)
    )
    return ok()


@router.put("/users/{user_id}/active")
async def update_active(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    if "active" not in body:
        raise invalid_param("active")
    await users.do_set_active(svc, actor, resolve_user_id(actor, user_id), body.bool("active"))
    return ok()


@router.delete("/users/{user_id}")
async def deactivate_user(user_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await users.do_set_active(svc, actor, resolve_user_id(actor, user_id), False)
    return ok()


@router.post("/users/{user_id}/promote")
async def promote_guest(user_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await users.do_set_guest(svc, actor, resolve_user_id(actor, user_id), False)
    return ok()


@router.post("/users/{user_id}/demote")
async def demote_to_guest(user_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await users.do_set_guest(svc, actor, resolve_user_id(actor, user_id), True)
    return ok()


@router.put("/users/{user_id}/roles")
async def update_roles(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    await users.do_update_roles(svc, actor, resolve_user_id(actor, user_id), body.str("roles", required=True, max_len=256))
    return ok()


@router.get("/users/{user_id}/sessions")
async def get_sessions(user_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    found = await users.list_sessions(svc, actor, resolve_user_id(actor, user_id))
    current = actor.session.id if actor.session is not None else ""
    return JSON([s.to_api(own=s.user_id == actor.user_id, current=s.id == current) for s in found])


@router.post("/users/{user_id}/sessions/revoke")
async def revoke_session(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    await auth.do_revoke_session(svc, actor, resolve_user_id(actor, user_id), body.str("session_id", required=True, max_len=26))
    return ok()


@router.post("/users/sessions/revoke/all")
async def revoke_everyones_sessions(svc: ServicesDep, actor: ActorDep) -> Response:
    await auth.do_revoke_everyone(svc, actor)
    return ok()


@router.post("/users/{user_id}/sessions/revoke/all")
async def revoke_all_sessions(user_id: str, svc: ServicesDep, actor: ActorDep) -> Response:
    await auth.do_revoke_all_sessions(svc, actor, resolve_user_id(actor, user_id))
    return ok()


@router.put("/users/sessions/device")
async def attach_device(request: Request, svc: ServicesDep, actor: ActorDep) -> Response:
    body = await read_object(request)
    await auth.do_attach_device(svc, actor, body.str("device_id", required=True, max_len=512))
    return ok()


@router.post("/users/mfa")
async def check_mfa(request: Request, svc: ServicesDep) -> JSON:
    body = await read_object(request)
    required = await users.mfa_required(svc, body.str("login_id", max_len=256))
    return JSON({"mfa_required": required})


@router.post("/users/{user_id}/mfa/generate")
async def generate_mfa_secret(user_id: str, svc: ServicesDep, actor: MfaSetupActorDep) -> JSON:
    generated = await mfa.do_generate_secret(svc, actor, resolve_user_id(actor, user_id))
    return JSON({"secret": generated.secret, "qr_code": generated.qr_code})


@router.put("/users/{user_id}/mfa")
async def update_mfa(user_id: str, request: Request, svc: ServicesDep, actor: MfaSetupActorDep) -> JSON:
    """Mattermost's activate/deactivate; activating also answers with the one-time recovery codes (Kafana)."""
    body = await read_object(request)
    uid = resolve_user_id(actor, user_id)
    if "activate" not in body:
        raise invalid_param("activate")
    code = body.str("code", max_len=32)
    if body.bool("activate"):
        return JSON({"status": "OK", "recovery_codes": await mfa.do_activate(svc, actor, uid, code)})
    await mfa.do_deactivate(svc, actor, uid, code, body.str("password", max_len=1024))
    return JSON({"status": "OK"})


@router.post("/users/{user_id}/mfa/recovery_codes")
async def new_recovery_codes(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    """Kafana: replace the recovery codes, proving possession with a current code."""
    body = await read_object(request)
    return JSON({"recovery_codes": await mfa.do_new_recovery_codes(svc, actor, resolve_user_id(actor, user_id), body.str("code", max_len=32))})


# Personal access tokens ------------------------------------------------------------------------------------


@router.post("/users/{user_id}/tokens")
async def create_token(user_id: str, request: Request, svc: ServicesDep, actor: ActorDep) -> JSON:
    body = await read_object(request)
    pat, token = await auth.do_create_access_token(svc, actor, resolve_user_id(actor, user_id), body.str("description", max_len=512))
    return JSON({**pat.to_api(), "token": token})


@router.get("/users/{user_id}/tokens")
async def list_tokens(user_id: str, svc: ServicesDep, actor: ActorDep, paging: Paging) -> JSON:
    offset, limit = paging
    found = await auth.list_access_tokens(svc, actor, resolve_user_id(actor, user_id), offset, limit)
    return JSON([t.to_api() for t in found])


@router.get("/users/tokens/{token_id}")
async def get_token(token_id: str, svc: ServicesDep, actor: ActorDep) -> JSON:
    return JSON((await auth.get_access_token(svc, actor, token_id)).to_api())


async def _token_state(request: Request, active: bool | None) -> Response:
    actor = await current_actor(request)
    body = await read_object(request)
    await auth.do_set_access_token_state(services(request), actor, body.str("token_id", required=True, max_len=26), active=active)
    return ok()


@router.post("/users/tokens/revoke")
async def revoke_token(request: Request) -> Response:
    return await _token_state(request, None)


@router.post("/users/tokens/disable")
async def disable_token(request: Request) -> Response:
    return await _token_state(request, False)


@router.post("/users/tokens/enable")
async def enable_token(request: Request) -> Response:
    return await _token_state(request, True)
