"""Mobile push through a push proxy: a real HTTP server on loopback stands in for the Mattermost push proxy
(POST /api/v1/send_push with PushNotification JSON). The outbox is worked by calling the delivery action
(the scheduler's own run is tested once, at the end), so each test decides when pushes go out."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from sqlalchemy import select

from kafana.actions.context import Services
from kafana.actions.push import do_deliver_pushes
from kafana.lib.clock import now_ms
from kafana.models import PushDelivery
from tests.helpers import Api
from tests.notify.receivers import Receiver, serve

LATER = 10 * 60 * 1000  # past any retry delay


@pytest.fixture
def proxy() -> Iterator[Receiver]:
    with serve(Receiver()) as receiver:
        yield receiver


@pytest.fixture
def settings_overrides(proxy: Receiver, request: pytest.FixtureRequest) -> dict[str, Any]:
    # An hour between the scheduler's runs: the tests send by calling do_deliver_pushes themselves.
    overrides = {"push_proxy_url": proxy.url, "push_poll_seconds": 3600.0}
    overrides.update(getattr(request, "param", {}))
    return overrides


@dataclass
class Room:
    channel: dict[str, Any]
    ann: Api
    ben: Api  # web session
    phone: Api  # ben's phone: a second session with a device


@pytest.fixture
async def room(anon: Api) -> Room:
    ann, ben = await anon.signup("ann"), await anon.signup("ben")
    team = await ann.create_team("core", [ben])
    channel = await ann.create_channel(team, "town", "O", [ben])
    phone = await anon.login("ben")
    await phone.put("/users/sessions/device", {"device_id": "apple_rn-v2:ben-phone-token"})
    return Room(channel, ann, ben, phone)


async def outbox(svc: Services) -> list[PushDelivery]:
    async with svc.db.read() as db:
        return list((await db.execute(select(PushDelivery))).scalars())


def verify_signature(jwt: str, public_b64: str) -> dict[str, Any]:
    """Check the ES256 JWT as the mobile app does, with the server's published key; returns its claims."""
    header, claims, signature = jwt.split(".")
    key = serialization.load_der_public_key(base64.b64decode(public_b64))
    assert isinstance(key, ec.EllipticCurvePublicKey)
    raw = base64.urlsafe_b64decode(signature + "==")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "ES256", "typ": "JWT"}
    return dict(json.loads(base64.urlsafe_b64decode(claims + "==")))


async def test_a_mention_is_pushed_signed_with_text_and_badge(room: Room, proxy: Receiver, services: Services, anon: Api) -> None:
    post = await room.ann.post("/posts", {"channel_id": room.channel["id"], "message": "@ben the banner is ready"}, expect=201)
    await room.ann.post("/posts", {"channel_id": room.channel["id"], "message": "no mention here"}, expect=201)
    assert len(await outbox(services)) == 1  # only the mention, only the device session
    assert await do_deliver_pushes(services, now_ms()) == 1
    got = await proxy.next()
    assert got.path == "/api/v1/send_push"
    push = got.json()
    assert push["platform"] == "apple_rn-v2" and push["device_id"] == "ben-phone-token" and push["type"] == "message"
    assert push["post_id"] == post["id"] and push["channel_id"] == room.channel["id"] and push["server_id"] == "testdiagnosticid"
    assert push["message"] == "ann: @ben the banner is ready" and push["channel_name"] == "Town" and push["sender_name"] == "ann"
    assert push["badge"] == 1 and push["version"] == "v2" and push["category"] == "CAN_REPLY" and push["is_id_loaded"] is False
    public = (await anon.get("/config/client?format=old"))["AsymmetricSigningPublicKey"]
    assert verify_signature(push["signature"], public) == {"ack_id": push["ack_id"], "device_id": "ben-phone-token"}
    assert await outbox(services) == []
    ack = {"id": push["ack_id"], "received_at": now_ms(), "platform": "apple_rn-v2", "type": "message", "post_id": post["id"], "is_id_loaded": False}
    assert await room.phone.post("/notifications/ack", ack) == {"status": "OK"}


@pytest.mark.parametrize("settings_overrides", [{"push_id_only": True}], indirect=True)
async def test_id_only_pushes_carry_no_text_and_the_app_fetches_it(room: Room, proxy: Receiver, services: Services, anon: Api) -> None:
    dm = await room.ann.post("/channels/direct", [room.ann.id, room.ben.id], expect=201)
    post = await room.ann.post("/posts", {"channel_id": dm["id"], "message": "secret plans"}, expect=201)
    await do_deliver_pushes(services, now_ms())
    raw = (await proxy.next()).body.decode()
    push = json.loads(raw)
    assert "secret" not in raw and not {"sender_name", "channel_name"} & set(push) and push["message"] == "You have a new message."
    assert push["is_id_loaded"] is True and push["post_id"] == post["id"]
    ack = {"id": push["ack_id"], "received_at": now_ms(), "platform": "apple_rn-v2", "type": "message", "post_id": post["id"], "is_id_loaded": True}
    full = await room.phone.post("/notifications/ack", ack)
    assert full["message"] == "secret plans" and full["sender_name"] == "ann" and full["channel_id"] == dm["id"]
    # someone who may not read the post learns nothing
    eve = await anon.signup("eve")
    assert (await eve.post("/notifications/ack", ack, expect=404))["status_code"] == 404


async def test_an_outage_delays_but_loses_nothing(room: Room, proxy: Receiver, services: Services) -> None:
    proxy.status = 503
    await room.ann.post("/posts", {"channel_id": room.channel["id"], "message": "@ben first"}, expect=201)
    tried_at = now_ms()
    assert await do_deliver_pushes(services, tried_at) == 0
    assert (await proxy.next()).answered == 503
    [waiting] = await outbox(services)
    assert waiting.attempts == 1 and waiting.next_attempt_at > tried_at
    assert await do_deliver_pushes(services, tried_at) == 0  # not due yet: the proxy is left alone
    assert proxy.nothing_more()
    await room.ann.post("/posts", {"channel_id": room.channel["id"], "message": "@ben second"}, expect=201)
    proxy.status = 200
    assert await do_deliver_pushes(services, now_ms() + LATER) == 2
    texts = sorted([(await proxy.next()).json()["message"], (await proxy.next()).json()["message"]])
    assert texts == ["ann: @ben first", "ann: @ben second"]
    assert await outbox(services) == [] and proxy.nothing_more()
    assert await do_deliver_pushes(services, now_ms() + 2 * LATER) == 0  # nothing is sent twice


async def test_a_removed_device_is_forgotten(room: Room, proxy: Receiver, services: Services) -> None:
    proxy.reply = {"status": "REMOVE"}
    await room.ann.post("/posts", {"channel_id": room.channel["id"], "message": "@ben hello"}, expect=201)
    await do_deliver_pushes(services, now_ms())
    await proxy.next()
    sessions = await room.ben.get("/users/me/sessions")
    assert all(s["device_id"] == "" for s in sessions) and await outbox(services) == []
    await room.ann.post("/posts", {"channel_id": room.channel["id"], "message": "@ben again"}, expect=201)
    assert await outbox(services) == []


async def test_reading_elsewhere_clears_the_phone(room: Room, proxy: Receiver, services: Services) -> None:
    await room.ann.post("/posts", {"channel_id": room.channel["id"], "message": "@ben look"}, expect=201)
    await do_deliver_pushes(services, now_ms())
    assert (await proxy.next()).json()["badge"] == 1
    await room.ben.post(f"/channels/members/{room.ben.id}/view", {"channel_id": room.channel["id"]})
    await do_deliver_pushes(services, now_ms())
    clear = (await proxy.next()).json()
    assert clear["type"] == "clear" and clear["channel_id"] == room.channel["id"] and clear["badge"] == 0 and "message" not in clear
    # viewing again (nothing unread) sends nothing; the phone's own view does not push to itself
    await room.ben.post(f"/channels/members/{room.ben.id}/view", {"channel_id": room.channel["id"]})
    await room.ann.post("/posts", {"channel_id": room.channel["id"], "message": "@ben again"}, expect=201)
    await room.phone.post(f"/channels/members/{room.ben.id}/view", {"channel_id": room.channel["id"]})
    await do_deliver_pushes(services, now_ms())
    assert (await proxy.next()).json()["type"] == "message"
    assert proxy.nothing_more()


async def test_do_not_disturb_and_mute_push_nothing(room: Room, services: Services) -> None:
    await room.ben.put(f"/users/{room.ben.id}/status", {"user_id": room.ben.id, "status": "dnd", "dnd_end_time": now_ms() // 1000 + 3600})
    await room.ann.post("/posts", {"channel_id": room.channel["id"], "message": "@ben during dnd"}, expect=201)
    assert await outbox(services) == []
    await room.ben.put(f"/users/{room.ben.id}/status", {"user_id": room.ben.id, "status": "online"})
    cid = room.channel["id"]
    await room.ben.put(f"/channels/{cid}/members/{room.ben.id}/notify_props", {"channel_id": cid, "user_id": room.ben.id, "mark_unread": "mention"})
    await room.ann.post("/posts", {"channel_id": cid, "message": "@ben muted"}, expect=201)
    assert await outbox(services) == []


@pytest.mark.parametrize("settings_overrides", [{"push_poll_seconds": 0.2}], indirect=True)
async def test_the_scheduler_works_the_outbox(room: Room, proxy: Receiver) -> None:
    await room.ann.post("/posts", {"channel_id": room.channel["id"], "message": "@ben via the job"}, expect=201)
    assert (await proxy.next()).json()["message"] == "ann: @ben via the job"
