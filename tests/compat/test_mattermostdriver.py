"""Kafana driven by the real `mattermostdriver` (PyPI), through its own endpoint wrappers.

`run_driver_flow` performs the same named steps as tests/js/client_flow.js, against an empty server; the
checks (tests.compat.flows.ClientFlowChecks) are shared with the @mattermost/client tests. The driver's REST
calls are synchronous `requests`, so the flow and the tests are plain sync code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from mattermostdriver import Driver
from mattermostdriver.exceptions import (
    ContentTooLarge,
    FeatureDisabled,
    InvalidOrMissingParameters,
    MethodNotAllowed,
    NoAccessTokenProvided,
    NotEnoughPermissions,
    ResourceNotFound,
)

from tests.compat.conftest import LiveServer
from tests.compat.flows import ClientFlowChecks, Flow, Recorder

pytestmark = [pytest.mark.xdist_group("live")]

PASSWORD = "correct-horse-battery"
STATUS_OF = {
    InvalidOrMissingParameters: 400,
    NoAccessTokenProvided: 401,
    NotEnoughPermissions: 403,
    ResourceNotFound: 404,
    MethodNotAllowed: 405,
    ContentTooLarge: 413,
    FeatureDisabled: 501,
}


def describe(exc: BaseException) -> dict[str, Any]:
    """The driver raises one exception class per status, carrying the error JSON's `message`."""
    out: dict[str, Any] = {"message": str(exc), "exception": type(exc).__name__}
    for cls, status in STATUS_OF.items():
        if isinstance(exc, cls):
            out["status_code"] = status
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        out["status_code"] = exc.response.status_code
        out["body"] = exc.response.text[:1000]
        out["url"] = exc.response.url
    return out


def driver_for(server: LiveServer, **options: Any) -> Driver:
    return Driver({"url": server.host, "port": server.port, "scheme": "http", "basepath": "/api/v4", "request_timeout": 30, **options})


def run_driver_flow(server: LiveServer) -> Flow:
    rec = Recorder("mattermostdriver", describe)
    step, outcome = rec.step, rec.outcome
    anon = driver_for(server)
    names = {"admin": "pyadmin1", "bob": "pybob1", "carol": "pycarol1", "team": "pyteam1"}
    drivers: dict[str, Driver] = {}
    ids: dict[str, str] = {}

    # --- T1: the mobile app's server discovery, before login ---------------------------------------------
    def head_root() -> dict[str, Any]:
        response = requests.head(server.url + "/", allow_redirects=True, timeout=30)
        return {"status": response.status_code, "x_version_id": response.headers.get("X-Version-Id")}

    step("head_root", [], head_root)
    step("ping", [], lambda: anon.system.check_system_health())
    step("config_client_old", [], lambda: anon.system.get_client_configuration({"format": "old"}))
    step("license_client_old", [], lambda: anon.system.get_client_license({"format": "old"}))

    # --- accounts --------------------------------------------------------------------------------------------
    for who in ("admin", "bob", "carol"):
        step(
            f"create_user_{who}",
            [],
            lambda who=who: anon.users.create_user({"username": names[who], "email": f"{names[who]}@example.com", "password": PASSWORD}),
        )
    for who in ("admin", "bob", "carol"):

        def login(who: str = who) -> dict[str, Any]:
            driver = driver_for(server, login_id=names[who], password=PASSWORD)
            user = driver.login()
            drivers[who], ids[who] = driver, user["id"]
            assert driver.client.userid == user["id"]
            return {"user": user, "token": driver.client.token}

        step(f"login_{who}", [f"create_user_{who}"], login)
    step("login_bad_password", ["create_user_bob"], lambda: outcome(lambda: driver_for(server, login_id=names["bob"], password="wrong-password-123").login()))
    admin, bob, carol = drivers.get("admin"), drivers.get("bob"), drivers.get("carol")
    step("get_me", ["login_admin"], lambda: admin.users.get_user("me"))
    step("get_me_bob", ["login_bob"], lambda: bob.users.get_user("me"))
    step("profiles_by_ids", ["login_admin", "login_bob", "login_carol"], lambda: bob.users.get_users_by_ids([ids["admin"], ids["carol"]]))
    # The driver's roles.get_list_of_roles_by_name() sends a GET without the names; POST them through its client.
    step("roles_by_names", ["login_bob"], lambda: bob.client.post("/roles/names", options=["system_user", "team_user", "channel_user"]))

    # --- team ------------------------------------------------------------------------------------------------
    team = step("create_team", ["login_admin"], lambda: admin.teams.create_team({"name": names["team"], "display_name": "Compat Team", "type": "O"}))
    step("team_member_admin", ["create_team"], lambda: admin.teams.get_team_member(team["id"], ids["admin"]))
    for who in ("bob", "carol"):
        step(
            f"add_to_team_{who}",
            ["create_team", f"login_{who}"],
            lambda who=who: admin.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": ids[who]}),
        )
    step("my_teams_bob", ["add_to_team_bob"], lambda: bob.teams.get_user_teams(ids["bob"]))
    step("my_team_members_bob", ["add_to_team_bob"], lambda: bob.teams.get_team_members_for_user(ids["bob"]))

    # --- channels --------------------------------------------------------------------------------------------
    pub = step(
        "create_public_channel",
        ["create_team"],
        lambda: admin.channels.create_channel(
            {"team_id": team["id"], "name": "py-public-1", "display_name": "Compat Public", "type": "O", "purpose": "purpose here", "header": "header here"}
        ),
    )
    priv = step(
        "create_private_channel",
        ["create_team"],
        lambda: admin.channels.create_channel(
            {"team_id": team["id"], "name": "py-private-1", "display_name": "Compat Private", "type": "P", "purpose": "", "header": ""}
        ),
    )
    step("add_to_public_bob", ["create_public_channel", "add_to_team_bob"], lambda: admin.channels.add_user(pub["id"], {"user_id": ids["bob"]}))
    step("add_to_public_carol", ["create_public_channel", "add_to_team_carol"], lambda: admin.channels.add_user(pub["id"], {"user_id": ids["carol"]}))
    step("add_to_private_bob", ["create_private_channel", "add_to_team_bob"], lambda: admin.channels.add_user(priv["id"], {"user_id": ids["bob"]}))
    step("channel_member_bob", ["add_to_public_bob"], lambda: bob.channels.get_channel_member(pub["id"], ids["bob"]))
    step("private_channel_as_bob", ["add_to_private_bob"], lambda: bob.channels.get_channel(priv["id"]))
    step("private_channel_as_carol", ["create_private_channel", "login_carol"], lambda: outcome(lambda: carol.channels.get_channel(priv["id"])))
    step("my_channels_bob", ["add_to_private_bob", "add_to_public_bob"], lambda: bob.channels.get_channels_for_user(ids["bob"], team["id"]))
    step("public_channel_members", ["add_to_public_carol", "add_to_public_bob"], lambda: admin.channels.get_channel_members(pub["id"]))

    # --- direct and group messages ----------------------------------------------------------------------------
    dm = step("create_dm", ["login_admin", "login_bob"], lambda: admin.channels.create_direct_message_channel([ids["admin"], ids["bob"]]))
    step("create_dm_again", ["create_dm"], lambda: bob.channels.create_direct_message_channel([ids["bob"], ids["admin"]]))
    step("dm_as_carol", ["create_dm", "login_carol"], lambda: outcome(lambda: carol.channels.get_channel(dm["id"])))
    gm = step(
        "create_gm", ["login_admin", "login_bob", "login_carol"], lambda: admin.channels.create_group_message_channel([ids["admin"], ids["bob"], ids["carol"]])
    )
    step("create_gm_again", ["create_gm"], lambda: carol.channels.create_group_message_channel([ids["carol"], ids["admin"], ids["bob"]]))
    step("gm_members", ["create_gm"], lambda: bob.channels.get_channel_members(gm["id"]))
    step("my_channels_with_dm_gm", ["create_dm", "create_gm", "create_team"], lambda: admin.channels.get_channels_for_user(ids["admin"], team["id"]))
    step(
        "my_channel_members_with_dm_gm",
        ["create_dm", "create_gm", "create_team"],
        lambda: admin.channels.get_channel_members_for_user(ids["admin"], team["id"]),
    )
    step("dm_post", ["create_dm"], lambda: admin.posts.create_post({"channel_id": dm["id"], "message": "hello over DM"}))
    step("gm_post", ["create_gm"], lambda: carol.posts.create_post({"channel_id": gm["id"], "message": "hello group"}))

    # --- posts: create, reply, edit, update, delete -----------------------------------------------------------
    pending = f"{ids.get('admin', '')}:{int(time.time() * 1000)}"
    root = step(
        "create_post", ["add_to_public_bob"], lambda: admin.posts.create_post({"channel_id": pub["id"], "message": "first post", "pending_post_id": pending})
    )
    rec.flow.steps["create_post"]["pending_post_id"] = pending
    reply = step("create_reply", ["create_post"], lambda: bob.posts.create_post({"channel_id": pub["id"], "message": "a reply", "root_id": root["id"]}))
    step("get_root_after_reply", ["create_reply"], lambda: admin.posts.get_post(root["id"]))
    step("patch_post", ["create_post"], lambda: admin.posts.patch_post(root["id"], {"message": "first post (edited)"}))
    step("patch_post_as_bob", ["create_post"], lambda: outcome(lambda: bob.posts.patch_post(root["id"], {"message": "not mine"})))

    def update_post() -> Any:
        current = bob.posts.get_post(reply["id"])
        return bob.posts.update_post(reply["id"], {**current, "message": "a reply (updated)"})

    step("update_post", ["create_reply"], update_post)
    step("get_thread", ["create_reply"], lambda: carol.posts.get_thread(root["id"]))
    doomed = step("create_post_to_delete", ["add_to_public_bob"], lambda: bob.posts.create_post({"channel_id": pub["id"], "message": "to be deleted"}))
    doomed_reply = step(
        "create_reply_to_delete",
        ["create_post_to_delete"],
        lambda: admin.posts.create_post({"channel_id": pub["id"], "message": "reply to deleted", "root_id": doomed["id"]}),
    )
    step("delete_post", ["create_reply_to_delete"], lambda: bob.posts.delete_post(doomed["id"]))
    step("get_deleted_post", ["delete_post"], lambda: outcome(lambda: bob.posts.get_post(doomed["id"])))
    step("get_deleted_reply", ["delete_post"], lambda: outcome(lambda: bob.posts.get_post(doomed_reply["id"])))
    step("history_after_delete", ["delete_post"], lambda: bob.posts.get_posts_for_channel(pub["id"], params={"page": 0, "per_page": 200}))

    # --- reactions --------------------------------------------------------------------------------------------
    def react(driver: Driver, user: str, emoji: str) -> Any:
        return driver.reactions.create_reaction({"user_id": ids[user], "post_id": root["id"], "emoji_name": emoji})

    step("react_bob", ["create_post"], lambda: react(bob, "bob", "thumbsup"))
    step("react_admin", ["create_post"], lambda: react(admin, "admin", "tada"))
    step("react_as_someone_else", ["create_post"], lambda: outcome(lambda: react(carol, "bob", "smile")))
    step("reactions_two", ["react_bob", "react_admin"], lambda: carol.reactions.get_reactions_of_post(root["id"]))
    step("post_with_reactions", ["react_bob", "react_admin"], lambda: carol.posts.get_post(root["id"]))
    step("unreact_bob", ["react_bob"], lambda: bob.reactions.delete_reaction(ids["bob"], root["id"], "thumbsup"))
    step("reactions_one", ["unreact_bob"], lambda: carol.reactions.get_reactions_of_post(root["id"]))
    step("unreact_admin", ["react_admin"], lambda: admin.reactions.delete_reaction(ids["admin"], root["id"], "tada"))
    step("reactions_none", ["unreact_admin", "unreact_bob"], lambda: carol.reactions.get_reactions_of_post(root["id"]))
    step("post_without_reactions", ["unreact_admin", "unreact_bob"], lambda: carol.posts.get_post(root["id"]))

    # --- history paging in a channel of its own ---------------------------------------------------------------
    hist = step(
        "create_history_channel",
        ["create_team"],
        lambda: admin.channels.create_channel({"team_id": team["id"], "name": "py-history-1", "display_name": "Compat History", "type": "O"}),
    )
    made = step(
        "history_posts", ["create_history_channel"], lambda: [admin.posts.create_post({"channel_id": hist["id"], "message": f"history {i}"}) for i in range(7)]
    )

    def history(**params: Any) -> Any:
        return admin.posts.get_posts_for_channel(hist["id"], params=params)

    step("history_all", ["history_posts"], lambda: history(page=0, per_page=200))
    step("history_page0", ["history_posts"], lambda: history(page=0, per_page=3))
    step("history_page1", ["history_posts"], lambda: history(page=1, per_page=3))
    step("history_before", ["history_posts"], lambda: history(before=made[3]["id"], page=0, per_page=2))
    step("history_after", ["history_posts"], lambda: history(after=made[3]["id"], page=0, per_page=2))
    step("history_after_newest", ["history_posts"], lambda: history(after=made[6]["id"], page=0, per_page=2))
    step("history_edit", ["history_posts"], lambda: admin.posts.patch_post(made[1]["id"], {"message": "history 1 (edited)"}))
    step("history_delete", ["history_posts"], lambda: admin.posts.delete_post(made[2]["id"]))
    step("history_since", ["history_edit", "history_delete"], lambda: history(since=made[3]["create_at"]))

    # --- pin ----------------------------------------------------------------------------------------------------
    step("pin", ["create_post"], lambda: bob.posts.pin_post_to_channel(root["id"]))
    step("pinned_post", ["pin"], lambda: carol.posts.get_post(root["id"]))
    step("pinned_list", ["pin"], lambda: carol.channels.get_channel_pinned_posts(pub["id"]))
    step("pinned_stats", ["pin"], lambda: carol.channels.get_channel_statistics(pub["id"]))
    step("unpin", ["pin"], lambda: bob.posts.unpin_post_to_channel(root["id"]))
    step("unpinned_post", ["unpin"], lambda: carol.posts.get_post(root["id"]))
    step("unpinned_list", ["unpin"], lambda: carol.channels.get_channel_pinned_posts(pub["id"]))

    # --- save (flag) a post -----------------------------------------------------------------------------------
    flag = {"user_id": ids.get("bob"), "category": "flagged_post", "name": root["id"] if root else "", "value": "true"}
    step("flag", ["create_post", "login_bob"], lambda: bob.preferences.save_user_preferences(ids["bob"], [flag]))
    step("flag_preferences", ["flag"], lambda: bob.preferences.get_user_preferences(ids["bob"]))
    step("flagged_posts", ["flag"], lambda: bob.posts.get_list_of_flagged_posts(ids["bob"]))
    step("flagged_posts_other_user", ["flag"], lambda: carol.posts.get_list_of_flagged_posts(ids["carol"]))
    step("unflag", ["flag"], lambda: bob.preferences.delete_user_preferences(ids["bob"], [flag]))
    step("flagged_after_unflag", ["unflag"], lambda: bob.posts.get_list_of_flagged_posts(ids["bob"]))

    # --- unread counts ----------------------------------------------------------------------------------------
    # admin reads everything, bob posts three messages (one a reply), then one that @mentions admin.
    def view(channel_id: str) -> Any:
        return admin.channels.view_channel(ids["admin"], {"channel_id": channel_id, "prev_channel_id": "", "collapsed_threads_supported": True})

    def unread_state(with_team: bool) -> dict[str, Any]:
        out = {
            "channel": admin.channels.get_channel(pub["id"]),
            "member": admin.channels.get_channel_member(pub["id"], ids["admin"]),
            "unread": admin.channels.get_unread_messages(ids["admin"], pub["id"]),
        }
        if with_team:
            out["team_unreads"] = admin.teams.get_team_unreads_for_user(ids["admin"])
        return out

    def bob_posts() -> list[Any]:
        first = bob.posts.create_post({"channel_id": pub["id"], "message": "unread one"})
        second = bob.posts.create_post({"channel_id": pub["id"], "message": "unread two"})
        third = bob.posts.create_post({"channel_id": pub["id"], "message": "unread reply", "root_id": first["id"]})
        return [first, second, third]

    step("unread_view0", ["add_to_public_bob"], lambda: view(pub["id"]))
    step("unread_state0", ["unread_view0"], lambda: unread_state(True))
    step("unread_bob_posts", ["unread_state0"], bob_posts)
    step("unread_state1", ["unread_bob_posts"], lambda: unread_state(False))
    step("unread_mention", ["unread_state1"], lambda: bob.posts.create_post({"channel_id": pub["id"], "message": f"@{names['admin']} please look"}))
    step("unread_state2", ["unread_mention"], lambda: unread_state(True))
    step("unread_view", ["unread_state2"], lambda: view(pub["id"]))
    step("unread_state3", ["unread_view"], lambda: unread_state(True))
    # In a DM every message counts as a mention for the other member.
    step("dm_unread_view0", ["create_dm"], lambda: view(dm["id"]))
    step("dm_unread_post", ["dm_unread_view0"], lambda: bob.posts.create_post({"channel_id": dm["id"], "message": "psst"}))
    step("dm_unread_member", ["dm_unread_post"], lambda: admin.channels.get_channel_member(dm["id"], ids["admin"]))

    rec.flow.context = {"url": server.url, "names": names, "ids": ids, "team_id": team["id"] if team else None}
    rec.flow.server_log = server.log_tail
    return rec.flow


@pytest.fixture(scope="session")
def flow(new_live_server: Callable[[], LiveServer]) -> Flow:
    """The flow runs once per session (per xdist worker), on a server of its own."""
    return run_driver_flow(new_live_server())


class TestMattermostDriver(ClientFlowChecks):
    """Every check of ClientFlowChecks, on what mattermostdriver got back."""
