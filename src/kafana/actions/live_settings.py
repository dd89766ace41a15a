"""Settings that change without a restart: system admins override them in the database; every node applies
the overrides on top of its file/environment settings, at once on the node that made the change and within
`RELOAD_SECONDS` on the others (the `live_settings` scheduler job).

Only settings read at each use are live. Those read once at start-up (addresses, the database, storage,
rate limits, password hashing cost, job periods, the login throttle) are not, and are refused here.
"""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

import orjson
from pydantic import ValidationError

from kafana.access import has_system_permission
from kafana.actions import audit
from kafana.actions.context import Actor, Services
from kafana.config import Settings
from kafana.lib.errors import bad_request, forbidden
from kafana.store import live_settings as store

RELOAD_SECONDS = 5.0

LIVE: tuple[str, ...] = (
    "site_name",
    "signup_mode",
    "signup_approval",
    "invite_permission",
    "invite_expiry_hours",
    "guest_accounts_enabled",
    "mfa_enabled",
    "mfa_enforced",
    "session_length_days",
    "session_idle_timeout_minutes",
    "enable_personal_access_tokens",
    "bot_creation",
    "enable_link_previews",
    "enable_image_proxy",
    "enable_public_links",
    "max_file_size",
    "user_file_quota",
    "max_image_pixels",
    "retention_message_days",
    "retention_file_days",
    "privacy_store_ip",
    "privacy_ip_retention_days",
    "code_of_conduct_url",
    "moderation_public_log",
    "enable_incoming_webhooks",
    "enable_outgoing_webhooks",
    "enable_commands",
    "enable_post_username_override",
    "enable_post_icon_override",
)


def _check_admin(actor: Actor) -> None:
    if not has_system_permission(actor, "manage_system"):
        raise forbidden()


KINDS: dict[Any, str] = {bool: "boolean", int: "integer", float: "number"}


def describe(name: str) -> dict[str, Any]:
    """A setting's type for forms: boolean, integer, number, string, or choice (with its choices) and bounds."""
    field = Settings.model_fields[name]
    annotation = field.annotation
    out: dict[str, Any] = {"name": name}
    if get_origin(annotation) is Literal:
        out.update(type="choice", choices=list(get_args(annotation)))
    else:
        out["type"] = KINDS.get(annotation, "string")
    for rule in field.metadata:
        for key, bound in (("ge", "minimum"), ("gt", "exclusive_minimum"), ("le", "maximum"), ("min_length", "min_length"), ("max_length", "max_length")):
            if getattr(rule, key, None) is not None:
                out[bound] = getattr(rule, key)
    return out


DESCRIPTIONS = {name: describe(name) for name in LIVE}


def apply(svc: Services, overrides: dict[str, str]) -> None:
    """Replace `svc.settings` with the base settings plus `overrides` (JSON texts, validated when written);
    a setting whose override went away returns to its base value."""
    values = {name: orjson.loads(text) for name, text in overrides.items() if name in DESCRIPTIONS}
    try:
        merged = Settings.model_validate({**svc.base_settings.model_dump(), **values})
    except ValidationError:  # an override that a newer node wrote and this one does not accept: keep the rest
        merged = svc.base_settings
    changed = set(overrides) | set(svc.live_overrides)
    svc.settings = svc.settings.model_copy(update={name: getattr(merged, name) for name in changed if name in DESCRIPTIONS})
    svc.live_overrides = dict(overrides)


async def do_reload(svc: Services) -> bool:
    """Read the overrides and apply them if they changed (every node, every few seconds); True if they did."""
    async with svc.db.read() as db:
        overrides = await store.load(db)
    if overrides == svc.live_overrides:
        return False
    apply(svc, overrides)
    return True


def list_settings(svc: Services, actor: Actor) -> list[dict[str, Any]]:
    """GET /kafana/settings: each live setting with its value, its value without override, and its type."""
    _check_admin(actor)
    current = svc.settings.model_dump(mode="json")
    base = svc.base_settings.model_dump(mode="json")
    return [{**DESCRIPTIONS[name], "value": current[name], "default": base[name], "overridden": name in svc.live_overrides} for name in LIVE]


def _validate(svc: Services, changes: dict[str, Any]) -> dict[str, str | None]:
    """The overrides to write (JSON text) or remove (None); a 400 naming the first bad setting otherwise."""
    for name in changes:
        if name not in DESCRIPTIONS:
            raise bad_request("api.kafana.settings.not_live.app_error", f"{name!r} is not a setting that can change without a restart.")
    overrides = {name: orjson.loads(text) for name, text in svc.live_overrides.items()}
    overrides.update({name: value for name, value in changes.items() if value is not None})
    for name, value in changes.items():
        if value is None:
            overrides.pop(name, None)
    try:
        valid = Settings.model_validate({**svc.base_settings.model_dump(), **overrides})
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise bad_request("api.kafana.settings.invalid_value.app_error", f"Invalid value for {where}: {error['msg']}.") from None
    dumped = valid.model_dump(mode="json")
    return {name: None if value is None else orjson.dumps(dumped[name]).decode() for name, value in changes.items()}


async def do_update(svc: Services, actor: Actor, changes: dict[str, Any]) -> list[dict[str, Any]]:
    """PUT /kafana/settings: {name: value} overrides a setting, {name: null} removes its override. All or
    nothing; each change is audited; this node applies it at once, the others at their next reload."""
    _check_admin(actor)
    if not isinstance(changes, dict) or not changes:
        raise bad_request("api.kafana.settings.empty.app_error", "Send an object of setting names and values.")
    written = _validate(svc, changes)
    before = svc.settings.model_dump(mode="json")
    async with svc.db.write() as uow:
        overrides = await store.load(uow.session)
        for name, text in written.items():
            if text is None:
                await store.remove(uow.session, name)
                overrides.pop(name, None)
            else:
                await store.put(uow.session, name, text)
                overrides[name] = text
            new = orjson.loads(text) if text is not None else svc.base_settings.model_dump(mode="json")[name]
            if new != before[name] or (text is None) != (name not in svc.live_overrides):
                audit.record_txn(uow, svc, "setting_changed", actor=actor, setting=name, old=before[name], new=new, overridden=text is not None)
    apply(svc, overrides)
    return list_settings(svc, actor)
