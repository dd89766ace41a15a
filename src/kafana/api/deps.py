"""Request-scoped helpers: the services, the authenticated actor (with CSRF rules), paging."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request

from kafana.actions import auth, mfa, presence
from kafana.actions.context import Actor, Services
from kafana.lib.errors import AppError, unauthorized
from kafana.lib.ids import is_valid_id

MAX_PER_PAGE = 200
# A timestamp query parameter (ms): out of range is a 400, never an integer overflow in the database.
Timestamp = Annotated[int, Query(ge=0, le=2**62)]
MAX_PAGE = 1_000_000  # far past any data; keeps page * per_page inside the databases' 64-bit integers


def services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


def token_from_request(request: Request) -> tuple[str, bool]:
    """The token and whether it came from the cookie (then CSRF rules apply). Cookie first, as Mattermost."""
    cookie = request.cookies.get("MMAUTHTOKEN")
    if cookie:
        return cookie, True
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() in ("bearer", "token") and value.strip():
            return value.strip(), False
    query = request.query_params.get("access_token")
    if query:
        return query, False
    return "", False


def check_csrf(request: Request, actor: Actor) -> None:
    """Cookie sessions on unsafe methods need the CSRF token, or X-Requested-With (not strict mode)."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    sent = request.headers.get("x-csrf-token", "")
    if actor.session is not None and sent and sent == actor.session.csrf_token:
        return
    origin = request.headers.get("origin")
    if origin and not _same_origin(request, origin):
        raise AppError(401, "api.context.session_expired.app_error", "Cross-site request refused.")
    if _from_a_person(request):
        return
    raise unauthorized()


def _same_origin(request: Request, origin: str) -> bool:
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") == host


MFA_SETUP_NEEDED = AppError(403, "api.context.mfa_required.app_error", "Multi-factor authentication is required on this server: set it up first.")


async def authenticated_actor(request: Request) -> Actor:
    """The actor behind the request's token, MFA set up or not (for the routes that set it up, and logout)."""
    token, from_cookie = token_from_request(request)
    if not token:
        raise unauthorized()
    actor = await auth.authenticate(services(request), token)
    if from_cookie:
        check_csrf(request, actor)
    request.state.actor = actor
    if actor.user_id and _from_a_person(request):
        await presence.do_note_activity(services(request), actor.user_id)
    return actor


def _from_a_person(request: Request) -> bool:
    """Mattermost's web and desktop apps mark the requests a person's action made (not background polling)."""
    return request.headers.get("x-requested-with", "").lower() == "xmlhttprequest"


async def current_actor(request: Request) -> Actor:
    """The actor, refused with Mattermost's `mfa_required` while enforced MFA is not set up."""
    actor = await authenticated_actor(request)
    if actor.user is not None and mfa.mfa_setup_required(services(request), actor.user):
        raise MFA_SETUP_NEEDED
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
MfaSetupActorDep = Annotated[Actor, Depends(authenticated_actor)]
ServicesDep = Annotated[Services, Depends(services)]


def resolve_user_id(actor: Actor, user_id: str) -> str:
    """`me` is accepted wherever a user id is."""
    if user_id == "me":
        return actor.user_id
    if not is_valid_id(user_id):
        raise AppError(400, "api.context.invalid_url_param.app_error", "Invalid or missing user_id parameter in request URL.")
    return user_id


def check_id(value: str, name: str) -> str:
    if not is_valid_id(value):
        raise AppError(400, "api.context.invalid_url_param.app_error", f"Invalid or missing {name} parameter in request URL.")
    return value


def paging(page: int = 0, per_page: int = 60) -> tuple[int, int]:
    """Mattermost paging: 0-based page, per_page clamped to 200 (Matterbridge asks for 50000), never rejected."""
    per_page = min(max(per_page, 1), MAX_PER_PAGE) if per_page > 0 else 60
    page = min(max(page, 0), MAX_PAGE)
    return page * per_page, per_page


Paging = Annotated[tuple[int, int], Depends(paging)]
