"""Push to the Mattermost mobile apps through a push proxy, from an outbox in the database.

A post's transaction writes one outbox row per device that should hear about it (notifications.py decides
who); viewing a channel with unread mentions writes `clear` rows for the user's other devices. The scheduler's
leased `push_delivery` job sends due rows (badge and signature added at sending time), deletes them once the
proxy took them, and otherwise retries with a growing delay for up to a day: a proxy outage delays pushes but
loses none, and posting never waits on HTTP. In id-only mode (`push_id_only`) no message text, channel or
sender name leaves the server: the app asks for them with POST /notifications/ack.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from kafana.access import access_post
from kafana.actions import webpush
from kafana.actions.context import Actor, Services
from kafana.db import Database, UnitOfWork
from kafana.lib import push_payloads
from kafana.lib.clock import now_ms
from kafana.lib.ids import is_valid_id, new_id
from kafana.models import Channel, Post, SystemValue
from kafana.store import push as push_store
from kafana.store import teams as teams_store
from kafana.store import users as users_store

log = logging.getLogger(__name__)

SIGNING_KEY_NAME = "push_signing_key"
BATCH = 100
CLAIM_MS = 60_000  # a claimed row is not sent again for this long (a sender that died mid-send)
GIVE_UP_AFTER_MS = 24 * 3600 * 1000
MAX_DELAY_MS = 5 * 60 * 1000


async def ensure_signing_key(db: Database) -> str:
    """The server's P-256 key for push signatures, made on first start and kept in system_values."""
    async with db.write() as uow:
        row = await uow.session.get(SystemValue, SIGNING_KEY_NAME)
        if row is None:
            row = SystemValue(name=SIGNING_KEY_NAME, value=push_payloads.new_signing_key())
            uow.session.add(row)
        return row.value


def _contents(channel: Channel, post: Post, sender_name: str) -> dict[str, Any]:
    """What id-only mode keeps off the push services: the text and the names."""
    text = push_payloads.message_text(post.message, sender=sender_name, channel_type=channel.type, has_files=bool(post.file_ids))
    return {"message": text, "channel_name": sender_name if channel.type == "D" else channel.display_name, "sender_name": sender_name}


async def enqueue_post_txn(uow: UnitOfWork, svc: Services, channel: Channel, post: Post, sender_name: str, user_ids: Sequence[str]) -> None:
    """Queue the post's push for every registered device and browser of `user_ids` (those the rules chose)."""
    if not user_ids:
        return
    now = now_ms()
    contents = None if svc.settings.push_id_only else _contents(channel, post, sender_name)
    rows = []
    if svc.settings.push_proxy_url:
        api_post = {"id": post.id, "root_id": post.root_id, "user_id": post.user_id}
        extra = contents or {"message": push_payloads.ID_ONLY_MESSAGE, "is_id_loaded": True}
        for user_id, session_id, device_id in await push_store.device_sessions(uow.session, user_ids, now):
            payload = push_payloads.notification(
                kind="message", ack_id=new_id(), device_id=device_id, server_id=svc.diagnostic_id, channel_id=channel.id, team_id=channel.team_id,
                post=api_post, extra=extra,
            )  # fmt: skip
            rows.append(_row(f"{post.id}:{session_id}", "proxy", user_id, session_id, payload, now))
    subscriptions = await push_store.subscriptions(uow.session, user_ids)
    if subscriptions:
        team = await teams_store.get_team(uow.session, channel.team_id) if channel.team_id else None
        shown = webpush.notification(channel, post, contents, svc.settings.site_url, team.name if team else "")
        rows += [_row(f"{post.id}:{s.id}", "webpush", s.user_id, s.id, shown, now) for s in subscriptions]
    await push_store.enqueue(uow.session, rows)


async def enqueue_clear_txn(uow: UnitOfWork, svc: Services, user_id: str, channel_ids: Sequence[str], *, except_session: str) -> None:
    """The user read these channels somewhere: their other devices drop the channels' notifications and
    update the badge. Call before the mentions are cleared (only channels with unread mentions matter)."""
    if not svc.settings.push_proxy_url or not channel_ids:
        return
    now = now_ms()
    cleared = await push_store.with_mentions(uow.session, user_id, channel_ids)
    devices = [d for d in await push_store.device_sessions(uow.session, [user_id], now) if d[1] != except_session] if cleared else []
    rows = []
    for channel_id in cleared:
        for _, session_id, device_id in devices:
            payload = push_payloads.notification(kind="clear", ack_id=new_id(), device_id=device_id, server_id=svc.diagnostic_id, channel_id=channel_id)
            rows.append(_row(f"clear:{channel_id}:{session_id}:{now}", "proxy", user_id, session_id, payload, now))
    await push_store.enqueue(uow.session, rows)


def _row(key: str, kind: str, user_id: str, target: str, payload: dict[str, Any], now: int) -> dict[str, Any]:
    return {
        "id": new_id(),
        "key": key,
        "kind": kind,
        "user_id": user_id,
        "target": target,
        "payload": payload,
        "attempts": 0,
        "next_attempt_at": now,
        "create_at": now,
    }


@dataclass(slots=True)
class _Outgoing:
    row_id: str
    kind: str
    user_id: str
    target: str
    payload: dict[str, Any]
    attempts: int
    create_at: int


async def do_deliver_pushes(svc: Services, now: int) -> int:
    """Send what is due; returns how many were delivered. No transaction is held while sending."""
    async with svc.db.read() as db:
        if not await push_store.due(db, now, 1):
            return 0  # the usual case: no write transaction at all
    async with svc.db.write() as uow:
        outgoing = []
        for row in await push_store.due(uow.session, now, BATCH):
            if await push_store.claim(uow.session, row.id, row.next_attempt_at, now + CLAIM_MS):
                payload = dict(row.payload)
                if row.kind == "proxy":
                    payload["badge"] = await push_store.badge(uow.session, row.user_id)
                    if svc.push_signing_key:
                        payload["signature"] = push_payloads.sign(svc.push_signing_key, payload["ack_id"], payload["device_id"])
                outgoing.append(_Outgoing(row.id, row.kind, row.user_id, row.target, payload, row.attempts, row.create_at))
    if not outgoing:
        return 0
    url = svc.settings.push_proxy_url.rstrip("/") + "/api/v1/send_push"
    async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
        results = await asyncio.gather(
            *(_send(client, url, item.payload) if item.kind == "proxy" else webpush.send(svc, item.target, item.payload) for item in outgoing)
        )
    delivered = 0
    async with svc.db.write() as uow:
        for item, result in zip(outgoing, results, strict=True):
            if result == "retry" and now - item.create_at < GIVE_UP_AFTER_MS:
                delay = min(1000 * 2 ** min(item.attempts, 20), MAX_DELAY_MS)
                await push_store.retry_later(uow.session, item.row_id, item.attempts + 1, now + delay)
                continue
            if result == "remove":
                await push_store.forget_device(uow.session, item.target)
            elif result in ("retry", "drop"):
                log.warning("a %s push to %s was dropped (%s) after %d attempts", item.kind, item.user_id, result, item.attempts + 1)
            delivered += result == "sent"
            await push_store.finish(uow.session, item.row_id)
    return delivered


async def _send(client: httpx.AsyncClient, url: str, payload: dict[str, Any]) -> str:
    """sent, remove (the proxy says the device is gone) or retry."""
    if not url.startswith("http"):
        return "drop"  # the proxy setting was removed while pushes waited
    try:
        response = await client.post(url, json=payload)
    except httpx.HTTPError as exc:
        log.info("push proxy unreachable: %s", exc.__class__.__name__)
        return "retry"
    if response.status_code >= 300:
        return "retry"
    try:
        status = str(response.json().get("status", "OK")).upper()
    except ValueError:
        status = "OK"
    return {"REMOVE": "remove", "FAIL": "retry"}.get(status, "sent")


async def ack(svc: Services, actor: Actor, body: dict[str, Any]) -> dict[str, Any] | None:
    """POST /notifications/ack. For an id-only push the app gets the full notification in the answer (only
    for a post its user may read); otherwise nothing to say."""
    post_id = str(body.get("post_id") or "")
    if not body.get("is_id_loaded") or not is_valid_id(post_id):
        return None
    async with svc.db.read() as db:
        post, access = await access_post(db, actor, post_id)
        sender = await users_store.get_user(db, post.user_id)
    channel = access.channel
    payload = push_payloads.notification(
        kind="message", ack_id=str(body.get("id") or ""), device_id=str(body.get("platform") or "") + ":", server_id=svc.diagnostic_id,
        channel_id=channel.id, team_id=channel.team_id, post={"id": post.id, "root_id": post.root_id, "user_id": post.user_id},
        extra={**_contents(channel, post, sender.username if sender else ""), "is_id_loaded": True},
    )  # fmt: skip
    return payload
