"""Web Push: a real HTTP server on loopback stands in for a browser vendor's push service; the test plays the
browser, holding the subscription's private key, and decrypts what arrives (RFC 8291, aes128gcm)."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from sqlalchemy import select

from kafana.actions.context import Services
from kafana.actions.push import do_deliver_pushes
from kafana.lib.clock import now_ms
from kafana.models import PushDelivery, WebPushSubscription
from tests.helpers import Api
from tests.notify.receivers import Receiver, serve


@pytest.fixture
def push_service() -> Iterator[Receiver]:
    with serve(Receiver(status=201, reply={})) as receiver:
        yield receiver


@pytest.fixture
def settings_overrides(request: pytest.FixtureRequest) -> dict[str, Any]:
    # The push service is on loopback, which outgoing calls refuse unless allowed (as for an intranet).
    return {"push_poll_seconds": 3600.0, "outbound_allowed_networks": "127.0.0.0/8", **getattr(request, "param", {})}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Browser:
    """A browser's side of a PushSubscription: its key pair and auth secret."""

    def __init__(self, endpoint: str) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        point = self.key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        self.subscription = {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": b64url(point), "auth": b64url(self.auth)}}

    def decrypt(self, body: bytes) -> dict[str, Any]:
        return dict(json.loads(http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")))


async def room(anon: Api) -> tuple[Api, Api, dict[str, Any]]:
    ann, ben = await anon.signup("ann"), await anon.signup("ben")
    team = await ann.create_team("core", [ben])
    return ann, ben, await ann.create_channel(team, "town", "O", [ben])


async def queued(svc: Services) -> int:
    async with svc.db.read() as db:
        return len(list((await db.execute(select(PushDelivery))).scalars()))


async def test_a_mention_reaches_the_browser_encrypted_and_vapid_signed(anon: Api, push_service: Receiver, services: Services) -> None:
    ann, ben, channel = await room(anon)
    browser = Browser(push_service.url + "/push/ben-browser")
    await ben.post("/kafana/webpush/subscriptions", browser.subscription, expect=201)
    server_key = (await ben.get("/kafana/webpush/vapid_public_key"))["public_key"]
    post = await ann.post("/posts", {"channel_id": channel["id"], "message": "@ben the banner is ready"}, expect=201)
    assert await do_deliver_pushes(services, now_ms()) == 1
    got = await push_service.next()
    assert got.path == "/push/ben-browser" and got.headers["content-encoding"] == "aes128gcm" and int(got.headers["ttl"]) > 0
    assert b"banner" not in got.body  # the push service sees ciphertext only
    shown = browser.decrypt(got.body)
    assert shown["title"] == "Town" and shown["body"] == "ann: @ben the banner is ready"
    assert shown["post_id"] == post["id"] and shown["channel_id"] == channel["id"] and shown["url"].endswith(f"/core/pl/{post['id']}")
    # VAPID (RFC 8292): signed by the key the browser subscribed with, for this push service's origin
    authorization = got.headers["authorization"]
    assert Vapid02.verify(authorization)
    token, key = (part.split("=", 1)[1] for part in authorization.split(" ", 1)[1].split(","))
    assert key == server_key
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["aud"] == push_service.url and claims["exp"] > now_ms() // 1000


@pytest.mark.parametrize("settings_overrides", [{"push_id_only": True}], indirect=True)
async def test_id_only_mode_sends_no_text_even_encrypted(anon: Api, push_service: Receiver, services: Services) -> None:
    ann, ben, channel = await room(anon)
    browser = Browser(push_service.url + "/push/b")
    await ben.post("/kafana/webpush/subscriptions", browser.subscription, expect=201)
    await ann.post("/posts", {"channel_id": channel["id"], "message": "@ben secret plans"}, expect=201)
    await do_deliver_pushes(services, now_ms())
    shown = browser.decrypt((await push_service.next()).body)
    assert "secret" not in json.dumps(shown) and shown["body"] == "You have a new message."


async def test_an_expired_subscription_is_deleted(anon: Api, push_service: Receiver, services: Services) -> None:
    ann, ben, channel = await room(anon)
    await ben.post("/kafana/webpush/subscriptions", Browser(push_service.url + "/push/old").subscription, expect=201)
    push_service.status = 410
    await ann.post("/posts", {"channel_id": channel["id"], "message": "@ben one"}, expect=201)
    assert await do_deliver_pushes(services, now_ms()) == 0
    await push_service.next()
    async with services.db.read() as db:
        assert list((await db.execute(select(WebPushSubscription))).scalars()) == []
    await ann.post("/posts", {"channel_id": channel["id"], "message": "@ben two"}, expect=201)
    assert await queued(services) == 0


async def test_subscriptions_are_checked_and_owned(anon: Api, push_service: Receiver, services: Services) -> None:
    ann, ben, _ = await room(anon)
    good = Browser(push_service.url + "/push/x").subscription
    for bad in (
        {**good, "endpoint": "ftp://example.org/x"},
        {**good, "keys": {"p256dh": "AAAA", "auth": good["keys"]["auth"]}},
        {**good, "keys": {"p256dh": good["keys"]["p256dh"], "auth": b64url(b"short")}},
        {"endpoint": good["endpoint"]},
    ):
        assert (await ben.post("/kafana/webpush/subscriptions", bad, expect=400))["id"] == "api.kafana.webpush.subscription.app_error"
    await ben.post("/kafana/webpush/subscriptions", good, expect=201)
    await ann.delete("/kafana/webpush/subscriptions", {"endpoint": good["endpoint"]})  # not ann's: nothing happens
    async with services.db.read() as db:
        assert [s.user_id for s in (await db.execute(select(WebPushSubscription))).scalars()] == [ben.id]
    await ben.delete("/kafana/webpush/subscriptions", {"endpoint": good["endpoint"]})
    async with services.db.read() as db:
        assert list((await db.execute(select(WebPushSubscription))).scalars()) == []
    await anon.get("/kafana/webpush/vapid_public_key", expect=401)
