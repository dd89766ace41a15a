"""Web Push (RFC 8030) for the web client: browsers' PushSubscriptions, the server's VAPID key (RFC 8292) and
payloads encrypted for the subscription (RFC 8291, aes128gcm), so the push service cannot read them.

Web Push rows share the push outbox with mobile pushes (actions/push.py sends both); a subscription whose
push service answers 404 or 410 is gone and is deleted. Endpoints come from browsers, so the server posts to
them only after the same address checks as link previews (a subscription cannot make it call an intranet).
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any
from urllib.parse import urlsplit

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02

from kafana.actions.context import Actor, Services
from kafana.lib.clock import now_ms
from kafana.lib.errors import bad_request, forbidden
from kafana.lib.ids import new_id
from kafana.links import safe_http
from kafana.models import Channel, Post, SystemValue, WebPushSubscription
from kafana.store import push as push_store

VAPID_KEY_NAME = "vapid_private_key"
TTL_SECONDS = 24 * 3600
MAX_SUBSCRIPTIONS_PER_USER = 20
BAD_SUBSCRIPTION = bad_request("api.kafana.webpush.subscription.app_error", "A push subscription needs an http(s) endpoint and the keys p256dh and auth.")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def vapid_key(svc: Services) -> Vapid02:
    """The server's VAPID key, made on first use and kept in system_values."""
    pem = svc.extra.get(VAPID_KEY_NAME)
    if pem is None:
        async with svc.db.write() as uow:
            row = await uow.session.get(SystemValue, VAPID_KEY_NAME)
            if row is None:
                fresh = Vapid02()
                fresh.generate_keys()
                row = SystemValue(name=VAPID_KEY_NAME, value=fresh.private_pem().decode())
                uow.session.add(row)
            pem = svc.extra[VAPID_KEY_NAME] = row.value
    return Vapid02.from_pem(pem.encode())


async def public_key(svc: Services) -> str:
    """The applicationServerKey browsers subscribe with: the uncompressed P-256 point, base64url."""
    key = await vapid_key(svc)
    return _b64url(key.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


def _check_subscription(body: dict[str, Any]) -> tuple[str, str, str]:
    endpoint = str(body.get("endpoint") or "")
    keys = body.get("keys")
    if not isinstance(keys, dict):
        raise BAD_SUBSCRIPTION
    p256dh, auth = str(keys.get("p256dh") or ""), str(keys.get("auth") or "")
    parts = urlsplit(endpoint)
    if len(endpoint) > 1024 or parts.scheme not in ("http", "https") or not parts.hostname:
        raise BAD_SUBSCRIPTION
    try:
        point, secret = _b64url_decode(p256dh), _b64url_decode(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, TypeError):
        raise BAD_SUBSCRIPTION from None
    if len(secret) != 16:
        raise BAD_SUBSCRIPTION
    return endpoint, p256dh, auth


async def do_subscribe(svc: Services, actor: Actor, body: dict[str, Any]) -> WebPushSubscription:
    """Register (or re-register) this browser's subscription for the signed-in user."""
    if actor.user is None or actor.session is None:
        raise forbidden()
    endpoint, p256dh, auth = _check_subscription(body)
    async with svc.db.write() as uow:
        db = uow.session
        await push_store.delete_subscription(db, endpoint=endpoint)  # a browser moves to whoever signed in last
        if len(await push_store.subscriptions(db, [actor.user_id])) >= MAX_SUBSCRIPTIONS_PER_USER:
            raise bad_request("api.kafana.webpush.too_many.app_error", f"At most {MAX_SUBSCRIPTIONS_PER_USER} browsers can receive pushes per user.")
        row = WebPushSubscription(
            id=new_id(), user_id=actor.user_id, session_id=actor.session.id, endpoint=endpoint, p256dh=p256dh, auth=auth, create_at=now_ms()
        )
        db.add(row)
        return row


async def do_unsubscribe(svc: Services, actor: Actor, endpoint: str) -> None:
    async with svc.db.write() as uow:
        await push_store.delete_subscription(uow.session, endpoint=endpoint, user_id=actor.user_id)


def notification(channel: Channel, post: Post, contents: dict[str, Any] | None, site_url: str, team_name: str) -> dict[str, Any]:
    """What the service worker shows; `contents` None in id-only mode (a generic text, no names). The URL is
    the post's permalink in its team (a DM's: the app's start page)."""
    site = site_url.rstrip("/")
    url = f"{site}/{team_name}/pl/{post.id}" if team_name else f"{site}/"
    out: dict[str, Any] = {"channel_id": channel.id, "team_id": channel.team_id, "post_id": post.id, "root_id": post.root_id, "url": url}
    if contents is None:
        out.update(title="Kafana", body="You have a new message.")
    else:
        out.update(title=contents["channel_name"], body=contents["message"])
    return out


async def send(svc: Services, target: str, payload: dict[str, Any]) -> str:
    """Encrypt and post one notification: sent, gone (the subscription is deleted), retry or drop."""
    async with svc.db.read() as db:
        subscription = await db.get(WebPushSubscription, target)
    if subscription is None:
        return "gone"
    key = await vapid_key(svc)
    body = http_ece.encrypt(
        json.dumps(payload).encode(),
        salt=os.urandom(16),
        private_key=ec.generate_private_key(ec.SECP256R1()),
        dh=_b64url_decode(subscription.p256dh),
        auth_secret=_b64url_decode(subscription.auth),
        version="aes128gcm",
    )
    parts = urlsplit(subscription.endpoint)
    claims = {"aud": f"{parts.scheme}://{parts.netloc}", "exp": now_ms() // 1000 + 12 * 3600, "sub": _subject(svc)}
    headers = {**key.sign(claims), "TTL": str(TTL_SECONDS), "Content-Encoding": "aes128gcm", "Content-Type": "application/octet-stream", "Urgency": "high"}
    allowed = safe_http.parse_networks(svc.settings.outbound_allowed_networks)
    try:
        status = await safe_http.post(subscription.endpoint, body, headers, allowed=allowed)
    except safe_http.Refused:
        return "retry"
    if status in (404, 410):
        async with svc.db.write() as uow:
            await push_store.delete_subscription(uow.session, endpoint=subscription.endpoint)
        return "gone"
    if status < 300:
        return "sent"
    return "retry" if status == 429 or status >= 500 else "drop"


def _subject(svc: Services) -> str:
    """VAPID's contact: the site's https URL, else the sender address."""
    site = svc.settings.site_url
    return site if site.startswith("https://") else f"mailto:{svc.settings.email_from}"
