"""Single sign-on routes at Mattermost's paths (outside /api/v4): /oauth/{service}/login|mobile_login|signup
and the provider's redirect back to /signup/{service}/complete (also /login/{service}/complete)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import RedirectResponse, Response

from kafana.actions import sso
from kafana.api.deps import ServicesDep
from kafana.api.responses import set_session_cookies

router = APIRouter(include_in_schema=False)

# These GETs belong to the server, not to the web client's single-page routes (api/webapp.py lets them through).
SERVER_PATHS = re.compile(r"^/(oauth/[^/]+/(login|mobile_login|signup)|(signup|login)/[^/]+/complete)$")


@router.get("/oauth/{service}/login")
async def oauth_login(service: str, svc: ServicesDep, redirect_to: str = "") -> Response:
    return RedirectResponse(await sso.begin(svc, service, redirect_to=redirect_to[:512]), status_code=302)


@router.get("/oauth/{service}/mobile_login")
async def oauth_mobile_login(service: str, svc: ServicesDep, redirect_to: str = "") -> Response:
    return RedirectResponse(await sso.begin(svc, service, redirect_to=redirect_to[:512], mobile=True), status_code=302)


@router.get("/oauth/{service}/signup")
async def oauth_signup(service: str, svc: ServicesDep, t: str = "", iid: str = "", redirect_to: str = "") -> Response:
    return RedirectResponse(await sso.begin(svc, service, redirect_to=redirect_to[:512], invite_token=t, invite_id=iid), status_code=302)


@router.get("/signup/{service}/complete")
@router.get("/login/{service}/complete")
async def oauth_complete(service: str, svc: ServicesDep, code: str = "", state: str = "") -> Response:
    """Web: session cookies and a redirect to the page the login started from. Mobile: a redirect to the app's
    URL scheme carrying the token (as Mattermost's mobile_login does)."""
    done = await sso.complete(svc, service, code[:2048], state[:256])
    if done.mobile:
        query = urlencode({"MMAUTHTOKEN": done.result.token, "MMCSRF": done.result.session.csrf_token})
        return RedirectResponse(f"{done.redirect_to}?{query}", status_code=302)
    response = RedirectResponse(done.redirect_to or "/", status_code=302)
    set_session_cookies(response, svc, done.result)
    return response
