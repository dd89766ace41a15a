"""JSON responses as Mattermost clients need them: `Content-Type: application/json` exactly."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

from kafana.actions.auth import LoginResult
from kafana.actions.context import Services

STATUS_OK = b'{"status":"OK"}'


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def ok() -> Response:
    return Response(STATUS_OK, media_type="application/json")


def created(content: Any) -> JSON:
    return JSON(content, status_code=201)


COOKIE_MAX_AGE = 30 * 86_400


def set_session_cookies(response: Response, svc: Services, result: LoginResult) -> None:
    """Mattermost's web session cookies: the token (HttpOnly), the user id, and the CSRF token clients echo."""
    secure = svc.settings.site_url.startswith("https://")
    response.set_cookie("MMAUTHTOKEN", result.token, max_age=COOKIE_MAX_AGE, httponly=True, secure=secure, samesite="lax")
    response.set_cookie("MMUSERID", result.user.id, max_age=COOKIE_MAX_AGE, secure=secure, samesite="lax")
    response.set_cookie("MMCSRF", result.session.csrf_token, max_age=COOKIE_MAX_AGE, secure=secure, samesite="lax")
