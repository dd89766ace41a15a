"""Reading request bodies strictly: JSON content type, no duplicate keys, typed field access.

Every failure is a 4xx with Mattermost's error JSON, never a 500 (reliability D11, D13).
"""

from __future__ import annotations

import builtins
import json
import math
from typing import Any

from starlette.requests import Request

from kafana.actions.member_roles import RoleChange
from kafana.lib.errors import AppError, invalid_param
from kafana.lib.validation import clean_text


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise AppError(400, "api.context.invalid_body_param.app_error", f"Duplicate key in JSON body: {key!r}.")
        out[key] = value
    return out


def _no_constants(name: str) -> Any:
    """NaN and Infinity are not JSON (RFC 8259); Python accepts them, PostgreSQL's json type does not."""
    raise AppError(400, "api.context.invalid_body_param.app_error", f"Request body is not valid JSON ({name}).")


INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _int64(text: str) -> int:
    """Every JSON integer must fit the databases' (and orjson's) 64 bits: a larger one in post props was stored
    and then broke every read of that channel's history."""
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise AppError(400, "api.context.invalid_body_param.app_error", "Request body has a number out of range.")
    return value


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 parses as infinity
        raise AppError(400, "api.context.invalid_body_param.app_error", "Request body has a number out of range.")
    return value


async def read_json(request: Request) -> Any:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type != "application/json":
        raise AppError(415, "api.context.invalid_content_type.app_error", "Request body must be JSON (Content-Type: application/json).")
    return parse_json(await request.body())


def parse_json(raw: bytes) -> Any:
    """Strict JSON (no duplicate keys, NaN or out-of-range numbers); 400 otherwise."""
    if not raw.strip():
        raise AppError(400, "api.context.invalid_body_param.app_error", "Request body is empty.")
    try:
        data = json.loads(raw, object_pairs_hook=_no_duplicates, parse_constant=_no_constants, parse_int=_int64, parse_float=_finite)
        if b"\\ud" in raw or b"\\uD" in raw:
            _check_encodable(data)
        return data
    except AppError:
        raise
    except (ValueError, RecursionError):
        raise AppError(400, "api.context.invalid_body_param.app_error", "Request body is not valid JSON.") from None


def _check_encodable(value: Any) -> None:
    """A lone surrogate escape ("\\ud800") parses, but no database or JSON encoder can store it (UnicodeEncodeError
    is a ValueError, so the caller answers 400)."""
    if isinstance(value, str):
        value.encode()
    elif isinstance(value, list):
        for item in value:
            _check_encodable(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            key.encode()
            _check_encodable(item)


async def read_object(request: Request) -> Body:
    data = await read_json(request)
    if not isinstance(data, dict):
        raise AppError(400, "api.context.invalid_body_param.app_error", "Request body must be a JSON object.")
    return Body(data)


async def read_id_list(request: Request, name: str = "ids", *, limit: int = 1000) -> list[str]:
    data = await read_json(request)
    if not isinstance(data, list) or not all(isinstance(x, str) for x in data) or len(data) > limit:
        raise invalid_param(name)
    return list(dict.fromkeys(data))


class Body:
    """Typed access to a JSON object; wrong types give `invalid_param(name)`."""

    def __init__(self, data: dict[builtins.str, Any]) -> None:
        self.data = data

    def check_types(self, spec: dict[builtins.str, type]) -> Body:
        """Fields the object type defines must have its type even where this call ignores them
        (as Mattermost's JSON decoding refuses `{"email": {"$ne": null}}` for a team)."""
        for key, kind in spec.items():
            value = self.data.get(key)
            if value is not None and (not isinstance(value, kind) or (kind is builtins.int and isinstance(value, builtins.bool))):
                raise invalid_param(key)
        return self

    def __contains__(self, key: builtins.str) -> builtins.bool:
        return key in self.data and self.data[key] is not None

    def str(self, key: builtins.str, default: builtins.str = "", *, max_len: builtins.int | None = None, required: builtins.bool = False) -> builtins.str:
        value = self.data.get(key)
        if value is None:
            if required:
                raise invalid_param(key)
            return default
        if not isinstance(value, str):
            raise invalid_param(key)
        if required and not value:
            raise invalid_param(key)
        if max_len is not None and len(value) > max_len:
            raise invalid_param(key)
        return clean_text(value)

    def bool(self, key: builtins.str, default: builtins.bool = False) -> builtins.bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise invalid_param(key)
        return value

    def int(self, key: builtins.str, default: builtins.int = 0) -> builtins.int:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not INT64_MIN <= value <= INT64_MAX:
            raise invalid_param(key)
        return value

    def str_list(self, key: builtins.str, *, max_items: builtins.int = 1000) -> list[builtins.str]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > max_items or not all(isinstance(x, str) for x in value):
            raise invalid_param(key)
        return value

    def obj(self, key: builtins.str) -> dict[builtins.str, Any] | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise invalid_param(key)
        return value


def read_role_change(body: Body, *, scheme: bool) -> RoleChange:
    """The body of PUT …/members/{uid}/roles (`scheme=False`) or …/members/{uid}/schemeRoles."""
    if not scheme:
        return RoleChange(roles=body.str("roles", required=True, max_len=256))
    for key in ("scheme_admin", "scheme_user"):
        if key not in body:
            raise invalid_param(key)
    if body.bool("scheme_guest"):
        raise invalid_param("scheme_guest")
    return RoleChange(scheme_admin=body.bool("scheme_admin"), scheme_user=body.bool("scheme_user"))
