"""Integrations against a real `kafana serve`: mattermostdriver's webhook and bot calls, and the sequence of
calls Matterbridge makes in API mode (§4 of the API reference), WebSocket included."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import requests
from mattermostdriver import Driver
from websockets.sync.client import connect

from tests.compat.conftest import LiveServer
from tests.compat.test_mattermostdriver import driver_for

pytestmark = [pytest.mark.xdist_group("live")]

PASSWORD = "correct-horse-battery"
WAIT = 10.0


@pytest.fixture(scope="module")
def server(new_live_server: Callable[[], LiveServer]) -> LiveServer:
    return new_live_server()


def signed_up(server: LiveServer, name: str) -> Driver:
    driver_for(server).users.create_user({"username": name, "email": f"{name}@example.com", "password": PASSWORD})
    driver = driver_for(server, login_id=name, password=PASSWORD)
    driver.login()
    return driver


def test_call_webhook_and_bot_token_through_mattermostdriver(server: LiveServer) -> None:
    admin = signed_up(server, "hookadmin")  # the server's first account: system admin
    team = admin.teams.create_team({"name": "hookteam", "display_name": "Hooks", "type": "O"})
    channel = admin.channels.create_channel({"team_id": team["id"], "name": "alerts", "display_name": "Alerts", "type": "O"})
    hook = admin.webhooks.create_incoming_hook({"channel_id": channel["id"], "display_name": "CI"})
    assert admin.webhooks.get_incoming_hook(hook["id"])["channel_id"] == channel["id"]
    response = admin.webhooks.call_webhook(hook["id"], options={"text": "deployed :rocket:"})
    assert (response.status_code, response.text) == (200, "ok")
    page = admin.posts.get_posts_for_channel(channel["id"])
    post = page["posts"][page["order"][0]]
    assert (post["message"], post["props"]["from_webhook"], post["user_id"]) == ("deployed :rocket:", "true", admin.client.userid)

    # Slash commands through the driver's own wrappers.
    # (the driver's list_autocomplete_commands drops the slash after /teams: called directly)
    assert "me" in {c["trigger"] for c in admin.client.get(f"/teams/{team['id']}/commands/autocomplete")}
    answer = admin.commands.execute_command({"channel_id": channel["id"], "command": "/me waves"})
    assert answer["response_type"] == "in_channel"
    page = admin.posts.get_posts_for_channel(channel["id"])
    assert (page["posts"][page["order"][0]]["message"], page["posts"][page["order"][0]]["type"]) == ("*waves*", "me")

    # A bot made through the API gets a personal access token and posts with it.
    bot = admin.client.post("/bots", {"username": "notifier", "display_name": "Notifier"})  # the driver has no bots endpoint
    token = admin.users.create_user_access_token(bot["user_id"], {"description": "ci"})["token"]
    admin.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": bot["user_id"]})
    admin.channels.add_user(channel["id"], {"user_id": bot["user_id"]})
    as_bot = driver_for(server, token=token)
    as_bot.login()
    created = as_bot.posts.create_post({"channel_id": channel["id"], "message": "from the bot"})
    assert created["user_id"] == bot["user_id"]


def test_matterbridge_api_mode_sequence(server: LiveServer) -> None:
    """Each call Matterbridge's Mattermost bridge makes, in its order, with the shapes it reads."""
    api = server.api
    root = requests.get(server.url + "/", timeout=WAIT)
    assert int(root.headers["X-Version-Id"].split(".")[0]) >= 10
    assert requests.post(api + "/users/logout", timeout=WAIT).status_code < 300  # pre-login liveness probe
    owner = signed_up(server, "bridgeowner")
    signed_up(server, "bridgebot")
    login = requests.post(api + "/users/login", json={"login_id": "bridgebot", "password": PASSWORD}, timeout=WAIT)
    token, me = login.headers["Token"], login.json()
    auth = {"Authorization": f"Bearer {token}"}

    def call(method: str, path: str, body: Any = None, **kw: Any) -> Any:
        response = requests.request(method, api + path, json=body, headers=auth, timeout=WAIT, **kw)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        assert response.headers["X-Version-Id"]
        return response.json() if response.headers.get("content-type") == "application/json" else response.content

    team = owner.teams.create_team({"name": "bridged", "display_name": "Bridged", "type": "O"})
    owner.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": me["id"]})
    owner.channels.create_channel({"team_id": team["id"], "name": "irc", "display_name": "IRC", "type": "O"})
    assert call("GET", "/users/me")["id"] == me["id"]
    assert [t["id"] for t in call("GET", f"/users/{me['id']}/teams")] == [team["id"]]
    users: list[dict[str, Any]] = []
    for page in range(10):  # pages until empty
        batch = call("GET", f"/users?in_team={team['id']}&page={page}&per_page=200")
        if not batch:
            break
        users += batch
    assert {u["username"] for u in users} >= {"bridgeowner", "bridgebot"}
    assert call("GET", "/users?page=0&per_page=200")
    call("GET", f"/users/{users[0]['id']}")
    call("GET", f"/users/{me['id']}/teams/{team['id']}/channels?include_deleted=false")
    public: list[dict[str, Any]] = []
    for page in range(10):
        batch = call("GET", f"/teams/{team['id']}/channels?page={page}&per_page=200")
        if not batch:
            break
        public += batch
    assert "irc" in {c["name"] for c in public}
    channel = call("GET", f"/teams/{team['id']}/channels/name/irc")
    call("POST", f"/channels/{channel['id']}/members", {"user_id": me["id"]})
    call("GET", f"/channels/{channel['id']}/members/{me['id']}")
    assert len(call("GET", f"/channels/{channel['id']}/members?page=0&per_page=50000")) == 2
    call("PUT", f"/channels/{channel['id']}", {**channel, "header": "bridged to #kafana"})
    call("POST", f"/channels/members/{me['id']}/view", {"channel_id": channel["id"]})
    direct = call("POST", "/channels/direct", [me["id"], owner.client.userid])
    assert direct["type"] == "D"

    with connect(server.url.replace("http", "ws", 1) + "/api/v4/websocket", open_timeout=WAIT) as ws:
        ws.send(json.dumps({"seq": 1, "action": "authentication_challenge", "data": {"token": token}}))
        frames = [json.loads(ws.recv(timeout=WAIT)) for _ in range(2)]
        assert {"status": "OK", "seq_reply": 1} in [{k: f.get(k) for k in ("status", "seq_reply")} for f in frames]
        assert any(f.get("event") == "hello" for f in frames)
        ws.send(json.dumps({"seq": 2, "action": "ping"}))

        def next_event(name: str) -> dict[str, Any]:
            while True:
                frame = json.loads(ws.recv(timeout=WAIT))
                if frame.get("event") == name or (frame.get("seq_reply") == 2 and name == "pong"):
                    return dict(frame)

        assert next_event("pong")["data"]["text"] == "pong"
        marker = f"matterbridge_{uuid.uuid4()}"
        owner.posts.create_post({"channel_id": channel["id"], "message": "from kafana"})
        posted = next_event("posted")
        post = json.loads(posted["data"]["post"])  # a JSON string, as Matterbridge type-asserts
        assert (post["message"], posted["data"]["team_id"], posted["data"]["channel_type"]) == ("from kafana", team["id"], "O")
        sent = call("POST", "/posts", {"channel_id": channel["id"], "message": "<irc> hi", "props": {marker: True}})
        assert json.loads(next_event("posted")["data"]["post"])["props"][marker] is True
        owner.posts.patch_post(post["id"], {"message": "edited"})
        assert json.loads(next_event("post_edited")["data"]["post"])["message"] == "edited"
        call("PUT", f"/posts/{sent['id']}", {"id": sent["id"], "message": "<irc> hi (edited)"})
        reply = call("POST", "/posts", {"channel_id": channel["id"], "message": "a reply", "root_id": post["id"]})
        assert call("GET", f"/posts/{reply['root_id']}")["id"] == post["id"]
        assert post["id"] in call("GET", f"/posts/{post['id']}/thread")["order"]
        call("DELETE", f"/posts/{sent['id']}")
        assert json.loads(next_event("post_deleted")["data"]["post"])["id"] == sent["id"]

    latest = call("GET", f"/channels/{channel['id']}/posts?page=0&per_page=10")
    assert latest["order"][0] == reply["id"]
    since = call("GET", f"/channels/{channel['id']}/posts?since={post['create_at']}")
    assert sent["id"] in since["posts"]  # edited and deleted rows come back with since
    found = call("POST", f"/teams/{team['id']}/posts/search", {"terms": "reply", "is_or_search": False})
    assert reply["id"] in found["order"]
    upload = call("POST", "/files", files={"files": ("log.txt", b"bridged file")}, data={"channel_id": channel["id"]})
    file_id = upload["file_infos"][0]["id"]
    call("POST", "/posts", {"channel_id": channel["id"], "message": "", "file_ids": [file_id]})
    link = requests.get(api + f"/files/{file_id}/link", headers=auth, timeout=WAIT)
    assert link.status_code in (200, 501)  # public links off: Matterbridge falls back to /api/v4/files/{id}
    assert call("GET", f"/files/{file_id}/info")["name"] == "log.txt"
    assert call("GET", f"/files/{file_id}?download=1") == b"bridged file"
    assert call("GET", f"/users/{me['id']}/image")[:4] == b"\x89PNG"
    call("PUT", f"/users/{me['id']}/status", {"user_id": me["id"], "status": "online"})
    assert call("GET", f"/users/{me['id']}/status")["status"] == "online"
    assert call("POST", "/users/status/ids", [me["id"]])[0]["user_id"] == me["id"]
    assert call("GET", "/system/ping")["status"] == "OK"
