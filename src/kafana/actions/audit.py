"""The audit log: admin actions and security events (logins, failed logins, MFA changes, role changes,
deactivations, invitations, session revocations, exports, setting changes), for system admins to read and
export. Client addresses are kept only as `privacy_store_ip` allows and erased after
`privacy_ip_retention_days`."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import orjson

from kafana.access import has_system_permission
from kafana.actions.context import Actor, Services
from kafana.config import SECRET_SETTINGS
from kafana.db import UnitOfWork
from kafana.lib.client_ip import current_ip, stored_ip
from kafana.lib.clock import now_ms
from kafana.lib.errors import forbidden
from kafana.lib.ids import new_id
from kafana.models import AuditEntry, SystemValue
from kafana.store import audit as audit_store

EXPORT_LIMIT = 100_000
ERASE_EVERY_S = 3600.0


def entry(svc: Services, action: str, *, actor: Actor | None = None, user_id: str = "", target_id: str = "", session_id: str = "", **extra: Any) -> AuditEntry:
    """One audit row for the current request (its client address comes from lib/client_ip)."""
    who = user_id or (actor.user_id if actor is not None else "")
    if not session_id and actor is not None and actor.session is not None:
        session_id = actor.session.id
    info = orjson.dumps(extra).decode() if extra else ""
    return AuditEntry(
        id=new_id(),
        create_at=now_ms(),
        user_id=who,
        action=action,
        target_id=target_id,
        extra_info=info[:1024],
        ip_address=stored_ip(current_ip.get(), svc.settings.privacy_store_ip),
        session_id=session_id,
    )


def record_txn(uow: UnitOfWork, svc: Services, action: str, **kw: Any) -> None:
    """Audit inside the use case's own transaction: the entry exists exactly when the change does."""
    uow.session.add(entry(svc, action, **kw))


async def record(svc: Services, action: str, **kw: Any) -> None:
    """Audit something that has no transaction of its own (a refused login)."""
    async with svc.db.write() as uow:
        uow.session.add(entry(svc, action, **kw))
    await erase_expired_addresses(svc)


async def erase_expired_addresses(svc: Services) -> None:
    """At most hourly per node: blank the addresses older than the retention (sessions and audit rows)."""
    last = svc.extra.get("ip_erased_at", 0.0)
    now = time.monotonic()
    if isinstance(last, float) and last and now - last < ERASE_EVERY_S:
        return
    svc.extra["ip_erased_at"] = now
    before = now_ms() - svc.settings.privacy_ip_retention_days * 86_400_000
    async with svc.db.write() as uow:
        await audit_store.erase_old_addresses(uow.session, before)


async def record_setting_changes(svc: Services) -> None:
    """At start-up: settings come from files and the environment, so a change shows as a difference from the
    last start's (secrets compared by digest, never stored)."""
    values = svc.settings.masked()
    for key in SECRET_SETTINGS:
        secret = str(getattr(svc.settings, key))
        values[key] = hashlib.sha256(secret.encode()).hexdigest()[:12] if secret else ""
    values.pop("data_dir", None)
    async with svc.db.write() as uow:
        row = await uow.session.get(SystemValue, "settings_snapshot")
        previous: dict[str, Any] = orjson.loads(row.value) if row is not None and row.value else {}
        changed = sorted(k for k in values.keys() | previous.keys() if values.get(k) != previous.get(k))
        if row is None:
            uow.session.add(SystemValue(name="settings_snapshot", value=orjson.dumps(values).decode()))
        elif changed:
            row.value = orjson.dumps(values).decode()
            uow.session.add(entry(svc, "settings_changed", changed=changed))


def _check_reader(actor: Actor) -> None:
    if not has_system_permission(actor, "read_audits"):
        raise forbidden()


async def list_audits(svc: Services, actor: Actor, *, user_id: str = "", offset: int = 0, limit: int = 60) -> list[AuditEntry]:
    """GET /audits (system admins), GET /users/{id}/audits (system admins: A16)."""
    _check_reader(actor)
    async with svc.db.read() as db:
        return await audit_store.list_entries(db, user_id=user_id, offset=offset, limit=limit)


async def export_audits(svc: Services, actor: Actor, since: int, until: int) -> list[AuditEntry]:
    """The Kafana export (GET /kafana/audits/export): every entry in [since, until), newest first; the export
    is itself audited."""
    _check_reader(actor)
    async with svc.db.read() as db:
        found = await audit_store.list_entries(db, since=since, until=until, limit=EXPORT_LIMIT)
    await record(svc, "audit_export", actor=actor, since=since, until=until, count=len(found))
    return found
