"""JSON responses as Mattermost clients need them: `Content-Type: application/json` exactly."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

STATUS_OK = b'{"status":"OK"}'


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def ok() -> Response:
    return Response(STATUS_OK, media_type="application/json")


def created(content: Any) -> JSON:
    return JSON(content, status_code=201)
