"""Every failure becomes Mattermost's error JSON with a stable id; never a traceback."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from kafana.api.responses import JSON
from kafana.lib.errors import AppError

log = logging.getLogger("kafana.api")

_HTTP_IDS = {
    404: ("api.context.404.app_error", "Sorry, we could not find the page."),
    405: ("api.context.405.app_error", "Method not allowed."),
}


def error_response(request: Request, status: int, id: str, message: str, detailed: str = "", headers: Mapping[str, str] | None = None) -> Response:
    body = {
        "id": id,
        "message": message,
        "detailed_error": detailed,
        "request_id": getattr(request.state, "request_id", ""),
        "status_code": status,
        "is_oauth": False,
    }
    return JSON(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        return error_response(request, exc.status_code, exc.id, exc.message, exc.detailed_error)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        return error_response(request, 400, "api.context.invalid_param.app_error", f"Invalid or missing {where} in request.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        id, message = _HTTP_IDS.get(exc.status_code, ("api.context.http_error.app_error", str(exc.detail)))
        return error_response(request, exc.status_code, id, message, headers=exc.headers)  # e.g. Allow on 405

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "api.context.unexpected.app_error", "An unexpected error occurred.")
