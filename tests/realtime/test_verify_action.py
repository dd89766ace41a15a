"""Every action's events, checked as Zulip's verify_action does (shared/reference/style.md).

For each scenario, five users watch over real sockets: admin (system and team admin), bob and carol (in the
public channel `pub` and the private `priv`), eve (in the team, in neither channel) and dan (not in the team).
Each one's client state S0 is fetched, the action runs, then for every observer:
  (a) the events that arrived (up to a ping's reply, which the server queues behind them) are exactly the
      ones the scenario expects, in order, and each payload matches the reference (event_payloads.py),
  (b) applying them to S0 as a Mattermost client does (tests/client_state.py) gives a fresh fetch S1.
Observers who may not see a channel get nothing about it (an unexpected event fails (a); one about a channel
they are not in fails (b) as a leak). `test_every_event_has_a_scenario` keeps the list complete.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from kafana.events import NAMES
from tests.client_state import differences, fetch_state
from tests.files import images
from tests.helpers import Api
from tests.openapi import Spec, load_spec
from tests.realtime.conftest import OpenSocket, Socket
from tests.realtime.event_payloads import PAYLOADS, payload_problems

OBSERVERS = ("admin", "bob", "carol", "eve", "dan")


@pytest.fixture(scope="module")
def spec() -> Spec:
    return load_spec()


@dataclass
class World:
    users: dict[str, Api]
    team: dict[str, Any]
    pub: dict[str, Any]
    priv: dict[str, Any]
    root: dict[str, Any]
    reply: dict[str, Any]
    sockets: dict[str, Socket] = field(default_factory=dict)
    early: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # events read while awaiting a reply
    saved: dict[str, Any] = field(default_factory=dict)  # what a scenario's preparation hands to its action

    def __getattr__(self, name: str) -> Api:
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    async def request(self, user: str, action: str, data: dict[str, Any]) -> None:
        """A WebSocket request from `user`, answered OK; events that arrive meanwhile are kept for the check."""
        sock, seq = self.sockets[user], 900 + len(self.early.get(user, []))
        await sock.send({"seq": seq, "action": action, "data": data})
        while True:
            frame = await sock.next()
            if frame.get("seq_reply") == seq:
                assert frame["status"] == "OK", frame
                return
            self.early.setdefault(user, []).append(frame)

    def threads(self, user: str, thread_id: str = "") -> str:
        api = self.users[user]
        return f"/users/{api.id}/teams/{self.team['id']}/threads" + (f"/{thread_id}" if thread_id else "")

    def categories(self, user: str) -> str:
        return f"/users/{self.users[user].id}/teams/{self.team['id']}/channels/categories"


async def build_world(admin: Api, anon: Api) -> World:
    users = {"admin": admin}
    for name in OBSERVERS[1:]:
        users[name] = await anon.signup(name)
    team = await admin.create_team("core", [users["bob"], users["carol"], users["eve"]])
    pub = await admin.create_channel(team, "pub", "O", [users["bob"], users["carol"]])
    priv = await admin.create_channel(team, "priv", "P", [users["bob"], users["carol"]])
    root = await admin.post("/posts", {"channel_id": pub["id"], "message": "a root for threads"}, expect=201)
    reply = await users["bob"].post("/posts", {"channel_id": pub["id"], "message": "a reply", "root_id": root["id"]}, expect=201)
    return World(users, team, pub, priv, root, reply)


Step = Callable[[World], Awaitable[Any]]


@dataclass
class Scenario:
    name: str
    act: Step
    expect: dict[str, list[str]]  # observer -> the event names it must receive, in order (others: none)
    prepare: Step | None = None


PUB_MEMBERS = ("admin", "bob", "carol")
TEAM = ("admin", "bob", "carol", "eve")


def to(names: tuple[str, ...] | list[str], *events: str) -> dict[str, list[str]]:
    return {n: list(events) for n in names}


def merge(*parts: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in parts:
        out.update(part)
    return out


# The actions ----------------------------------------------------------------------------------------------


async def post_in_priv(w: World) -> None:
    await w.bob.post("/posts", {"channel_id": w.priv["id"], "message": "hello @carol and @eve"}, expect=201)


async def reply_in_pub(w: World) -> None:
    await w.carol.post("/posts", {"channel_id": w.pub["id"], "message": "me too @admin", "root_id": w.root["id"]}, expect=201)


async def edit_root(w: World) -> None:
    await w.admin.put(f"/posts/{w.root['id']}/patch", {"message": "an edited root"})


async def pin_root(w: World) -> None:
    await w.bob.post(f"/posts/{w.root['id']}/pin")


async def delete_reply(w: World) -> None:
    await w.bob.delete(f"/posts/{w.reply['id']}")


async def delete_root(w: World) -> None:
    await w.admin.delete(f"/posts/{w.root['id']}")


async def react(w: World) -> None:
    await w.bob.post("/reactions", {"user_id": w.bob.id, "post_id": w.root["id"], "emoji_name": "tada"}, expect=201)


async def unreact(w: World) -> None:
    await w.bob.delete(f"/users/{w.bob.id}/posts/{w.root['id']}/reactions/tada")


def create_channel_of(kind: str) -> Step:
    async def act(w: World) -> None:
        await w.bob.create_channel(w.team, "fresh", kind)

    return act


async def update_pub(w: World) -> None:
    await w.admin.put(f"/channels/{w.pub['id']}/patch", {"header": "new header", "display_name": "Public"})


def archive(channel: str) -> Step:
    async def act(w: World) -> None:
        await w.admin.delete(f"/channels/{getattr(w, channel)['id']}")

    return act


async def restore_pub(w: World) -> None:
    await w.admin.post(f"/channels/{w.pub['id']}/restore")


async def convert_priv(w: World) -> None:
    await w.admin.put(f"/channels/{w.priv['id']}/privacy", {"privacy": "O"})


async def add_eve_to_pub(w: World) -> None:
    await w.admin.post(f"/channels/{w.pub['id']}/members", {"user_id": w.eve.id}, expect=201)


async def eve_joins_pub(w: World) -> None:
    await w.eve.post(f"/channels/{w.pub['id']}/members", {"user_id": w.eve.id}, expect=201)


async def remove_carol_from_priv(w: World) -> None:
    await w.admin.delete(f"/channels/{w.priv['id']}/members/{w.carol.id}")


async def bob_leaves_pub(w: World) -> None:
    await w.bob.delete(f"/channels/{w.pub['id']}/members/{w.bob.id}")


async def admin_posts_in_priv(w: World) -> None:
    w.saved["post"] = await w.admin.post("/posts", {"channel_id": w.priv["id"], "message": "unread for @bob"}, expect=201)
    await w.admin.post("/posts", {"channel_id": w.priv["id"], "message": "and another"}, expect=201)


async def bob_views_priv(w: World) -> None:
    await w.bob.post(f"/channels/members/{w.bob.id}/view", {"channel_id": w.priv["id"], "prev_channel_id": ""})


async def bob_marks_unread(w: World) -> None:
    await w.bob.post(f"/users/{w.bob.id}/posts/{w.saved['post']['id']}/set_unread")


async def bob_reads_priv(w: World) -> None:
    await admin_posts_in_priv(w)
    await bob_views_priv(w)


async def update_notify_props(w: World) -> None:
    await w.bob.put(f"/channels/{w.priv['id']}/members/{w.bob.id}/notify_props", {"desktop": "mention", "mark_unread": "mention"})


async def make_bob_channel_admin(w: World) -> None:
    await w.admin.put(f"/channels/{w.priv['id']}/members/{w.bob.id}/schemeRoles", {"scheme_admin": True, "scheme_user": True})


async def dan_joins_team(w: World) -> None:
    await w.admin.post(f"/teams/{w.team['id']}/members", {"team_id": w.team["id"], "user_id": w.dan.id}, expect=201)


async def eve_leaves_team(w: World) -> None:
    await w.eve.delete(f"/teams/{w.team['id']}/members/{w.eve.id}")


async def update_team(w: World) -> None:
    await w.admin.put(f"/teams/{w.team['id']}/patch", {"display_name": "The Core", "description": "where it happens"})


async def make_bob_team_admin(w: World) -> None:
    await w.admin.put(f"/teams/{w.team['id']}/members/{w.bob.id}/schemeRoles", {"scheme_admin": True, "scheme_user": True})


async def archive_team(w: World) -> None:
    await w.admin.delete(f"/teams/{w.team['id']}")


async def restore_team(w: World) -> None:
    await w.admin.post(f"/teams/{w.team['id']}/restore")


async def open_dm(w: World) -> None:
    await w.admin.post("/channels/direct", [w.admin.id, w.bob.id], expect=201)


async def open_gm(w: World) -> None:
    await w.admin.post("/channels/group", [w.admin.id, w.bob.id, w.carol.id], expect=201)


async def make_eve_system_admin(w: World) -> None:
    await w.admin.put(f"/users/{w.users['eve'].id}/roles", {"roles": "system_user system_admin"})


async def update_bob(w: World) -> None:
    await w.bob.put(f"/users/{w.bob.id}/patch", {"nickname": "Bobby", "first_name": "Robert"})


async def new_user(w: World) -> None:
    await Api(w.admin.http).post("/users", {"username": "fay", "email": "fay@example.com", "password": "correct-horse-battery"}, expect=201)


async def bob_adds_emoji(w: World) -> None:
    meta = json.dumps({"name": "party_time", "creator_id": w.bob.id})
    await w.bob.post("/emoji", expect=201, data={"emoji": meta}, files={"image": ("e.png", images.png(20, 20), "image/png")})


async def bob_dnd(w: World) -> None:
    await w.bob.put(f"/users/{w.bob.id}/status", {"user_id": w.bob.id, "status": "dnd"})


async def bob_types(w: World) -> None:
    await w.request("bob", "user_typing", {"channel_id": w.priv["id"], "parent_id": ""})


THEME = {"category": "display_settings", "name": "use_military_time", "value": "true"}


async def save_pref(w: World) -> None:
    await w.bob.put(f"/users/{w.bob.id}/preferences", [{"user_id": w.bob.id, **THEME}])


async def delete_pref(w: World) -> None:
    await w.bob.post(f"/users/{w.bob.id}/preferences/delete", [{"user_id": w.bob.id, **THEME}])


async def favorite_pub(w: World) -> None:
    await w.bob.put(f"/users/{w.bob.id}/preferences", [{"user_id": w.bob.id, "category": "favorite_channel", "name": w.pub["id"], "value": "true"}])


async def unfavorite_pub(w: World) -> None:
    await w.bob.post(f"/users/{w.bob.id}/preferences/delete", [{"user_id": w.bob.id, "category": "favorite_channel", "name": w.pub["id"], "value": ""}])


async def unfollow_root(w: World) -> None:
    await w.bob.delete(w.threads("bob", w.root["id"]) + "/following")


async def follow_root(w: World) -> None:
    await w.bob.put(w.threads("bob", w.root["id"]) + "/following")


async def carol_replies(w: World) -> None:
    await w.carol.post("/posts", {"channel_id": w.pub["id"], "message": "news for @bob", "root_id": w.root["id"]}, expect=201)


async def bob_reads_thread(w: World) -> None:
    await w.bob.put(w.threads("bob", w.root["id"]) + f"/read/{w.reply['create_at']}")


async def bob_reads_all_threads(w: World) -> None:
    await w.bob.put(w.threads("bob") + "/read")


async def create_category(w: World) -> None:
    w.saved["category"] = await w.bob.post(w.categories("bob"), {"display_name": "Work", "channel_ids": [w.priv["id"]]}, expect=201)


async def move_pub_to_favorites(w: World) -> None:
    favorites = f"favorites_{w.bob.id}_{w.team['id']}"
    await w.bob.put(w.categories("bob") + f"/{favorites}", {"id": favorites, "channel_ids": [w.pub["id"]]})


async def delete_category(w: World) -> None:
    await w.bob.delete(w.categories("bob") + f"/{w.saved['category']['id']}")


async def reorder_categories(w: World) -> None:
    order = await w.bob.get(w.categories("bob") + "/order")
    await w.bob.put(w.categories("bob") + "/order", list(reversed(order)))


async def leave_then(w: World) -> None:
    """Bob leaves priv; then everything that happens in priv must stay away from him."""
    await w.bob.delete(f"/channels/{w.priv['id']}/members/{w.bob.id}")


async def activity_in_priv(w: World) -> None:
    post = await w.admin.post("/posts", {"channel_id": w.priv["id"], "message": "after bob left"}, expect=201)
    await w.admin.put(f"/posts/{post['id']}/patch", {"message": "edited"})
    await w.carol.post("/reactions", {"user_id": w.carol.id, "post_id": post["id"], "emoji_name": "eyes"}, expect=201)
    await w.admin.put(f"/channels/{w.priv['id']}/patch", {"purpose": "secret plans"})
    await w.request("carol", "user_typing", {"channel_id": w.priv["id"], "parent_id": ""})


SCENARIOS = [
    # posts and reactions
    # eve is not in the private channel: bob is told she was not notified
    Scenario("create post with mentions", post_in_priv, merge(to(("admin", "carol"), "posted"), to(("bob",), "posted", "ephemeral_message"))),
    Scenario("reply in a thread", reply_in_pub, merge(to(("admin", "bob"), "posted", "thread_updated"), to(("carol",), "posted"))),
    Scenario("edit post", edit_root, to(PUB_MEMBERS, "post_edited")),
    Scenario("pin post", pin_root, to(PUB_MEMBERS, "post_edited")),
    Scenario("delete reply", delete_reply, to(PUB_MEMBERS, "post_deleted")),
    Scenario("delete root with its replies", delete_root, to(PUB_MEMBERS, "post_deleted")),
    Scenario("react", react, to(PUB_MEMBERS, "reaction_added")),
    Scenario("unreact", unreact, to(PUB_MEMBERS, "reaction_removed"), prepare=react),
    Scenario("typing", bob_types, to(("admin", "carol"), "typing")),
    # channels
    Scenario("create public channel", create_channel_of("O"), to(("bob",), "channel_created")),
    Scenario("create private channel", create_channel_of("P"), to(("bob",), "channel_created")),
    # Two system posts: one for the display name, one for the header.
    Scenario("update channel", update_pub, to(PUB_MEMBERS, "posted", "posted", "channel_updated")),
    Scenario("archive public channel", archive("pub"), merge(to(PUB_MEMBERS, "posted", "channel_deleted"), to(("eve",), "channel_deleted"))),
    Scenario("archive private channel", archive("priv"), to(PUB_MEMBERS, "posted", "channel_deleted")),
    Scenario("restore channel", restore_pub, merge(to(PUB_MEMBERS, "posted", "channel_restored"), to(("eve",), "channel_restored")), prepare=archive("pub")),
    Scenario(
        "convert private channel to public",
        convert_priv,
        merge(to(PUB_MEMBERS, "posted", "channel_updated", "channel_converted"), to(("eve",), "channel_converted")),
    ),
    Scenario("add member", add_eve_to_pub, to((*PUB_MEMBERS, "eve"), "user_added", "posted")),
    Scenario("join channel", eve_joins_pub, to((*PUB_MEMBERS, "eve"), "user_added", "posted")),
    Scenario("remove member", remove_carol_from_priv, merge(to(("admin", "bob"), "user_removed", "posted"), to(("carol",), "user_removed"))),
    Scenario("leave channel", bob_leaves_pub, merge(to(("admin", "carol"), "user_removed", "posted"), to(("bob",), "user_removed"))),
    Scenario(
        "a removed member hears nothing more of the channel",
        activity_in_priv,
        merge(
            to(("admin",), "posted", "post_edited", "reaction_added", "posted", "channel_updated", "typing"),
            to(("carol",), "posted", "post_edited", "reaction_added", "posted", "channel_updated"),
        ),
        prepare=leave_then,
    ),
    Scenario("view channel", bob_views_priv, to(("bob",), "multiple_channels_viewed"), prepare=admin_posts_in_priv),
    Scenario("mark unread", bob_marks_unread, to(("bob",), "post_unread"), prepare=bob_reads_priv),
    Scenario("channel notify props", update_notify_props, to(("bob",), "channel_member_updated")),
    Scenario("channel member roles", make_bob_channel_admin, to(("bob",), "channel_member_updated")),
    Scenario("direct message", open_dm, to(("admin", "bob"), "direct_added")),
    Scenario("group message", open_gm, to(PUB_MEMBERS, "group_added")),
    # teams
    Scenario(
        "join team",
        dan_joins_team,
        merge(to(TEAM, "user_added", "posted", "user_added", "posted"), to(("dan",), "user_added", "posted", "user_added", "posted", "added_to_team")),
    ),
    Scenario(
        "leave team",
        eve_leaves_team,
        merge(to(PUB_MEMBERS, "user_removed", "user_removed", "posted", "leave_team"), to(("eve",), "user_removed", "user_removed", "leave_team")),
    ),
    Scenario("update team", update_team, to(TEAM, "update_team")),
    Scenario("team member roles", make_bob_team_admin, to(("bob",), "memberrole_updated")),
    Scenario("archive team", archive_team, to(TEAM, "delete_team")),
    Scenario("restore team", restore_team, to(TEAM, "restore_team"), prepare=archive_team),
    # users
    Scenario("update user", update_bob, to(OBSERVERS, "user_updated")),
    Scenario("system roles", make_eve_system_admin, merge(to(OBSERVERS, "user_updated"), to(("eve",), "user_role_updated", "user_updated"))),
    Scenario("new user", new_user, to(OBSERVERS, "new_user")),
    Scenario("status change", bob_dnd, to(("bob",), "status_change")),
    Scenario("custom emoji", bob_adds_emoji, to(OBSERVERS, "emoji_added")),
    Scenario("save preferences", save_pref, to(("bob",), "preferences_changed")),
    Scenario("delete preferences", delete_pref, to(("bob",), "preferences_deleted"), prepare=save_pref),
    Scenario("favorite a channel by preference", favorite_pub, to(("bob",), "preferences_changed", "sidebar_category_updated")),
    Scenario("unfavorite a channel by preference", unfavorite_pub, to(("bob",), "preferences_deleted", "sidebar_category_updated"), prepare=favorite_pub),
    # threads
    Scenario("unfollow thread", unfollow_root, to(("bob",), "thread_follow_changed")),
    Scenario("follow thread", follow_root, to(("bob",), "thread_follow_changed"), prepare=unfollow_root),
    Scenario("read thread", bob_reads_thread, to(("bob",), "thread_read_changed"), prepare=carol_replies),
    Scenario("read every thread", bob_reads_all_threads, to(("bob",), "thread_read_changed"), prepare=carol_replies),
    # sidebar categories
    Scenario("create category", create_category, to(("bob",), "sidebar_category_created")),
    Scenario("move a channel to favorites", move_pub_to_favorites, to(("bob",), "preferences_changed", "sidebar_category_updated")),
    Scenario("delete category", delete_category, to(("bob",), "sidebar_category_deleted"), prepare=create_category),
    Scenario("reorder categories", reorder_categories, to(("bob",), "sidebar_category_order_updated")),
]


# The harness ----------------------------------------------------------------------------------------------


async def drain(sock: Socket, seq: int) -> list[dict[str, Any]]:
    """The events queued for this socket so far: the server answers a ping behind them."""
    await sock.send({"seq": seq, "action": "ping", "data": {}})
    frames = []
    while True:
        frame = await sock.next()
        if frame.get("seq_reply") == seq:
            return frames
        if "event" in frame:
            frames.append(frame)


def overexposed(frame: dict[str, Any], world: World, observer: str) -> list[str]:
    """Events are serialized once per audience, so what only some may see must stay out of them: another
    user's email and settings (except for admins), a team's email and invite id (every team event)."""
    data = frame["data"]
    if frame["event"] == "user_updated" and data["user"]["id"] != world.users[observer].id and observer != "admin":
        leaked = [k for k in ("notify_props", "last_password_update", "mfa_active") if k in data["user"]] + (["email"] if data["user"]["email"] else [])
        return [f"{observer}: user_updated shows another user's {leaked}"] if leaked else []
    if frame["event"] in ("update_team", "delete_team", "restore_team"):
        team = json.loads(data["team"])
        leaked = [k for k in ("email", "invite_id") if team[k]]
        return [f"{observer}: {frame['event']} shows the team's {leaked}"] if leaked else []
    return []


async def verify_action(world: World, scenario: Scenario, open_socket: OpenSocket, spec: Spec) -> None:
    if scenario.prepare is not None:
        await scenario.prepare(world)
    for name in OBSERVERS:
        world.sockets[name] = await open_socket(world.users[name])
    for name in OBSERVERS:
        await drain(world.sockets[name], 1)  # presence changes from opening the sockets
    before = {name: await fetch_state(world.users[name]) for name in OBSERVERS}
    await scenario.act(world)
    failures: list[str] = []
    for name in OBSERVERS:
        api, state = world.users[name], before[name]
        frames = world.early.get(name, []) + await drain(world.sockets[name], 2)
        got = [f["event"] for f in frames]
        if got != scenario.expect.get(name, []):
            failures.append(f"{name} received {got}, expected {scenario.expect.get(name, [])}")
            continue
        for frame in frames:
            failures += [f"{name}: {p}" for p in payload_problems(frame, spec) + overexposed(frame, world, name)]
        for frame in frames:
            try:
                await state.apply(frame, api)
            except AssertionError as exc:
                failures.append(f"{name}: applying {frame['event']}: {exc}")
        fresh = await fetch_state(api)
        diff = differences(state.snapshot(), fresh.snapshot())
        failures += [f"{name}: {d}" for d in diff]
    assert not failures, f"{scenario.name}:\n  " + "\n  ".join(failures)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_verify_action(scenario: Scenario, admin: Api, anon: Api, open_socket: OpenSocket, spec: Spec) -> None:
    world = await build_world(admin, anon)
    await verify_action(world, scenario, open_socket, spec)


def test_every_event_has_a_scenario() -> None:
    """Every event the server can emit (kafana.events.NAMES) is produced by some scenario and has a payload
    description; so a new event cannot land without being checked here."""
    covered = {name for s in SCENARIOS for names in s.expect.values() for name in names}
    assert sorted(NAMES - covered) == []
    assert sorted(NAMES - set(PAYLOADS)) == []
    assert sorted(set(PAYLOADS) - NAMES) == []


def test_the_payload_checker_catches_mistakes(spec: Spec) -> None:
    """The oracle itself: a post that is an object instead of a JSON string, a missing field, a wrong scope."""
    post = {"id": "p" * 26, "message": "x"}
    good_channel = {"omit_users": None, "user_id": "", "channel_id": "c" * 26, "team_id": "", "connection_id": "", "omit_connection_id": ""}
    frame = {"event": "post_edited", "data": {"post": post}, "broadcast": good_channel, "seq": 1}
    assert any("is not a JSON string" in p for p in payload_problems(frame, spec))
    frame["data"] = {"post": json.dumps(post)}
    assert any("missing: create_at" in p for p in payload_problems(frame, spec))
    typing = {"event": "typing", "data": {"user_id": "u" * 26}, "broadcast": {**good_channel, "channel_id": "", "user_id": "u" * 26}}
    problems = payload_problems(typing, spec)
    assert any("addressed to user" in p for p in problems) and any("missing data.parent_id" in p for p in problems)
