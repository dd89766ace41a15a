"""The WebSocket against a real `kafana serve`, with the real clients: mattermostdriver's websocket (its own
event loop, run in a thread) and @mattermost/client's WebSocketClient in node (tests/js/ws_flow.js); plus the
S6 and D5 refusals as the served process answers them (uvicorn's frame limit included).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import subprocess
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from mattermostdriver import Driver
from mattermostdriver.websocket import Websocket
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.compat.conftest import LiveServer
from tests.compat.test_mattermost_client_js import JS_DIR, node_or_skip
from tests.realtime.test_websocket_security import declared_length_frame

pytestmark = [pytest.mark.xdist_group("live")]

PASSWORD = "correct-horse-battery"
WAIT = 10.0  # seconds: the bound on every wait


@dataclass
class Setup:
    server: LiveServer
    admin: dict[str, Any]
    bob: dict[str, Any]
    eve: dict[str, Any]
    team_id: str
    channel_id: str  # private; admin and bob are members, eve is not

    @property
    def ws_url(self) -> str:
        return self.server.url.replace("http", "ws", 1) + "/api/v4/websocket"

    def call(self, who: dict[str, Any], method: str, path: str, body: Any = None) -> Any:
        response = requests.request(method, self.server.api + path, json=body, headers={"Authorization": f"Bearer {who['token']}"}, timeout=WAIT)
        assert response.status_code < 300, response.text
        return response.json()


def _signup(server: LiveServer, name: str) -> dict[str, Any]:
    requests.post(server.api + "/users", json={"username": name, "email": f"{name}@example.com", "password": PASSWORD}, timeout=WAIT).raise_for_status()
    login = requests.post(server.api + "/users/login", json={"login_id": name, "password": PASSWORD}, timeout=WAIT)
    login.raise_for_status()
    return {**login.json(), "token": login.headers["Token"]}


@pytest.fixture(scope="module")
def setup(new_live_server: Callable[[], LiveServer]) -> Setup:
    server = new_live_server()
    admin, bob, eve = (_signup(server, n) for n in ("wsadmin", "wsbob", "wseve"))
    s = Setup(server, admin, bob, eve, "", "")
    team = s.call(admin, "POST", "/teams", {"name": "ws", "display_name": "WS", "type": "O"})
    for user in (bob, eve):
        s.call(admin, "POST", f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": user["id"]})
    channel = s.call(admin, "POST", "/channels", {"team_id": team["id"], "name": "ws-" + uuid.uuid4().hex[:6], "display_name": "WS", "type": "P"})
    s.call(admin, "POST", f"/channels/{channel['id']}/members", {"user_id": bob["id"]})
    s.team_id, s.channel_id = team["id"], channel["id"]
    return s


class ClosingWebsocket(Websocket):  # type: ignore[misc]
    """The driver's own websocket loop, closing the socket when the loop ends (the driver leaves it open)."""

    async def _start_loop(self, websocket: Any, event_handler: Any) -> None:
        try:
            await super()._start_loop(websocket, event_handler)
        finally:
            await websocket.close()


def _driver_listen(s: Setup, who: dict[str, Any], inbox: queue.Queue[dict[str, Any]], stop_on: Callable[[dict[str, Any]], bool]) -> threading.Thread:
    """mattermostdriver's websocket in a thread with its own loop; it disconnects itself on the stop event."""
    driver = Driver({"url": s.server.host, "port": s.server.port, "scheme": "http", "token": who["token"], "basepath": "/api/v4", "keepalive": False})
    driver.login()

    async def handler(message: str) -> None:
        parsed = json.loads(message)
        inbox.put(parsed)
        if stop_on(parsed):
            driver.disconnect()

    def run() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            driver.init_websocket(handler, websocket_cls=ClosingWebsocket)
        finally:
            loop.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _next(inbox: queue.Queue[dict[str, Any]]) -> dict[str, Any]:
    return inbox.get(timeout=WAIT)


def _until(inbox: queue.Queue[dict[str, Any]], event: str) -> list[dict[str, Any]]:
    seen = []
    while True:
        frame = _next(inbox)
        seen.append(frame)
        if frame.get("event") == event:
            return seen


def test_mattermostdriver_receives_the_core_events(setup: Setup) -> None:
    s = setup
    inbox: queue.Queue[dict[str, Any]] = queue.Queue()
    marker = lambda f: f.get("event") == "status_change" and f["data"]["status"] == "away"  # noqa: E731
    thread = _driver_listen(s, s.bob, inbox, marker)
    first = _until(inbox, "hello")
    assert first[-1]["seq"] == 0 and first[-1]["broadcast"]["user_id"] == s.bob["id"]
    assert {"status": "OK", "seq_reply": 1} in first or first == [first[-1]]

    post = s.call(s.admin, "POST", "/posts", {"channel_id": s.channel_id, "message": "from the driver test"})
    s.call(s.admin, "PUT", f"/posts/{post['id']}/patch", {"message": "edited"})
    s.call(s.admin, "POST", "/reactions", {"user_id": s.admin["id"], "post_id": post["id"], "emoji_name": "smile"})
    s.call(s.admin, "DELETE", f"/users/me/posts/{post['id']}/reactions/smile")
    with connect(s.ws_url, additional_headers={"Authorization": f"Bearer {s.admin['token']}"}, open_timeout=WAIT) as typist:
        assert json.loads(typist.recv(timeout=WAIT))["event"] == "hello"
        typist.send(json.dumps({"seq": 1, "action": "user_typing", "data": {"channel_id": s.channel_id, "parent_id": ""}}))
        assert _reply(typist) == {"status": "OK", "seq_reply": 1}
    s.call(s.admin, "DELETE", f"/posts/{post['id']}")
    s.call(s.bob, "PUT", "/users/me/status", {"user_id": s.bob["id"], "status": "away"})

    frames: list[dict[str, Any]] = []
    while not frames or not marker(frames[-1]):  # bob's own "online" status_change may come first
        frames.append(_next(inbox))
    thread.join(WAIT)
    assert not thread.is_alive()
    events = [f for f in frames if "event" in f]
    assert [f["seq"] for f in events] == list(range(1, len(events) + 1))
    names = [f["event"] for f in events]
    for name in ("posted", "post_edited", "reaction_added", "reaction_removed", "typing", "post_deleted"):
        assert name in names, names
    by_name = {f["event"]: f for f in events}
    assert json.loads(by_name["posted"]["data"]["post"])["id"] == post["id"]  # a JSON string, as Matterbridge needs
    assert by_name["typing"]["data"] == {"user_id": s.admin["id"], "parent_id": ""}


def test_a_non_member_hears_nothing_of_a_private_channel(setup: Setup) -> None:
    """A10 on the served process: eve (same team, not in the channel) gets only her own marker event."""
    s = setup
    with connect(s.ws_url, additional_headers={"Authorization": f"Bearer {s.eve['token']}"}, open_timeout=WAIT) as ws:
        assert json.loads(ws.recv(timeout=WAIT))["event"] == "hello"
        post = s.call(s.admin, "POST", "/posts", {"channel_id": s.channel_id, "message": "secret"})
        s.call(s.admin, "PUT", f"/posts/{post['id']}/patch", {"message": "still secret"})
        s.call(s.eve, "PUT", "/users/me/status", {"user_id": s.eve["id"], "status": "away"})
        assert json.loads(ws.recv(timeout=WAIT))["event"] == "status_change"


def _reply(ws: Any) -> dict[str, Any]:
    """The next reply to a client request, past any events sent meanwhile (such as one's own status_change)."""
    while True:
        frame: dict[str, Any] = json.loads(ws.recv(timeout=WAIT))
        if "seq_reply" in frame:
            return frame


def test_refusals_and_frame_limits(setup: Setup) -> None:
    """S6 and D5 as `kafana serve` answers them: refused upgrades, 1008 for garbage, 1009 for 10 MB."""
    s = setup
    for url, headers, status in (
        (s.ws_url, {"Authorization": "Bearer " + "x" * 26}, 401),
        (f"{s.ws_url}?access_token={s.bob['token']}", {}, 401),
        (s.ws_url, {"Cookie": f"MMAUTHTOKEN={s.bob['token']}", "Origin": "https://evil.example"}, 403),
    ):
        with pytest.raises(InvalidStatus) as info:
            connect(url, additional_headers=headers, open_timeout=WAIT)
        assert info.value.response.status_code == status
    headers = {"Authorization": f"Bearer {s.bob['token']}"}
    for payload, code in (("not json", 1008), (declared_length_frame(10 * 1024 * 1024), 1009)):
        with connect(s.ws_url, additional_headers=headers, open_timeout=WAIT) as ws:
            assert json.loads(ws.recv(timeout=WAIT))["event"] == "hello"
            if isinstance(payload, bytes):
                ws.socket.sendall(payload)  # a frame header declaring 10 MB, and 2 bytes of it
            else:
                ws.send(payload)
            with pytest.raises(ConnectionClosed):
                while True:  # events may come first (the socket's own status_change: now online)
                    ws.recv(timeout=WAIT)
            assert ws.close_code == code
    with connect(s.ws_url, additional_headers=headers, open_timeout=WAIT, max_size=None) as ws:  # really 10 MB
        assert json.loads(ws.recv(timeout=WAIT))["event"] == "hello"
        with contextlib.suppress(ConnectionClosed, ConnectionError):
            ws.send('{"seq":1,"action":"ping","data":{"x":"' + "a" * (10 * 1024 * 1024) + '"}}')
            while True:
                ws.recv(timeout=WAIT)
        assert ws.close_code in (1009, 1006)  # 1006: the kernel reset the connection (unread bytes) first
    assert requests.get(s.server.api + "/system/ping", timeout=WAIT).status_code == 200


def test_mattermost_client_websocket_with_reconnect(setup: Setup) -> None:
    s = setup
    node = node_or_skip()
    env = {**os.environ, "ADMIN_TOKEN": s.admin["token"], "ADMIN_ID": s.admin["id"], "BOB_TOKEN": s.bob["token"], "CHANNEL_ID": s.channel_id}
    proc = subprocess.run([node, str(JS_DIR / "ws_flow.js"), s.server.url], cwd=str(JS_DIR), env=env, capture_output=True, text=True, timeout=120, check=False)
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert lines, f"ws_flow.js printed nothing (exit {proc.returncode}); stderr:\n{proc.stderr[-3000:]}"
    result = json.loads(lines[-1])
    assert "error" not in result, f"{result['error']}\nstderr:\n{proc.stderr[-3000:]}\nserver log:\n{s.server.log_tail()}"
    events = result["events"]
    hello = result["hello"]
    assert hello["seq"] == 0 and hello["broadcast"]["user_id"] == s.bob["id"]
    names = [e["event"] for e in events]
    for name in ("posted", "post_edited", "reaction_added", "reaction_removed", "typing", "post_deleted"):
        assert name in names, names
    assert names.count("hello") == 1 and result["missed"] == 0  # resumed: no new hello, no resync
    assert result["connectionIdAfter"] == hello["data"]["connection_id"]
    assert [e["seq"] for e in events] == list(range(len(events)))  # no gap across the reconnect
    assert f"connection_id={hello['data']['connection_id']}&sequence_number={result['sequenceAtDrop']}" in result["urls"][1]
    replayed = [json.loads(e["data"]["post"])["id"] for e in events if e["event"] == "posted"]
    assert replayed[-2:] == result["whileDown"] and len(set(replayed)) == len(replayed)
    assert result["typed"]["status"] == "OK" and result["pong"]["data"]["text"] == "pong"
