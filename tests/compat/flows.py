"""One client flow, two real clients: what each step returned, and the checks both clients must pass.

A flow (tests/js/client_flow.js for @mattermost/client, `run_driver_flow` in test_mattermostdriver.py for
mattermostdriver) runs the same named steps against an empty server and records each as
`{"ok": True, "value": ...}` or `{"ok": False, "error": {...}}`. Steps that probe a refusal record the refusal
itself as their value: `{"ok": False, "error": {"status_code": 403, ...}}`. `ClientFlowChecks` holds the tests;
each client's module subclasses it and provides a module-scoped `flow` fixture.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.compat.shapes import (
    CHANNEL_STATS,
    MOBILE_PERMISSIONS,
    TEAM_UNREAD,
    assert_id,
    assert_ms,
    check_channel,
    check_channel_member,
    check_channel_unread,
    check_post,
    check_post_list,
    check_preference,
    check_reaction,
    check_role,
    check_status_ok,
    check_team,
    check_team_member,
    check_user,
    newest_first,
    unknown_keys_in,
)

VERSION_ID_RE = re.compile(r"^(\d+)\.(\d+)\.(\d+)\.[^.]+\.[^.]+\.(true|false)$")


@dataclass
class Flow:
    client: str
    steps: dict[str, dict[str, Any]]
    order: list[str] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    server_log: Callable[[], str] | None = None  # the server's output, shown when a step met a server error

    def failure(self, name: str, step: dict[str, Any]) -> str:
        error = step.get("error") or {}
        message = f"{self.client}: step {name!r} failed: {json.dumps(error, indent=1)[:2000]}"
        status = error.get("status_code")
        if self.server_log is not None and not step.get("skipped") and (not isinstance(status, int) or status >= 500):
            message += f"\n--- server log (tail) ---\n{self.server_log()[-3000:]}"
        return message

    def value(self, name: str) -> Any:
        """The step's result; fails the test with what the server answered when the step failed."""
        step = self.steps.get(name)
        if step is None:
            pytest.fail(f"{self.client}: step {name!r} was never run (flow aborted?)")
        if not step.get("ok"):
            pytest.fail(self.failure(name, step))
        return step.get("value")

    def refusal(self, name: str) -> dict[str, Any]:
        """For a step that expects an error: the error the client raised (fails if the call succeeded)."""
        result = self.value(name)
        assert isinstance(result, dict) and "ok" in result, result
        assert not result["ok"], f"{self.client}: {name}: expected the server to refuse, it answered {json.dumps(result.get('value'))[:1000]}"
        return dict(result["error"])

    @property
    def ids(self) -> dict[str, str]:
        return dict(self.context.get("ids") or {})

    @property
    def names(self) -> dict[str, str]:
        return dict(self.context.get("names") or {})


class Recorder:
    """Runs a flow's steps in Python (the same contract as tests/js/client_flow.js)."""

    def __init__(self, client: str, describe: Callable[[BaseException], dict[str, Any]]) -> None:
        self.flow = Flow(client, {})
        self.describe = describe

    def step(self, name: str, needs: list[str], fn: Callable[[], Any]) -> Any:
        self.flow.order.append(name)
        failed = [n for n in needs if not self.flow.steps.get(n, {}).get("ok")]
        if failed:
            self.flow.steps[name] = {"ok": False, "skipped": True, "error": {"message": f"prerequisite failed: {', '.join(failed)}"}}
            return None
        try:
            value = fn()
        except Exception as exc:
            self.flow.steps[name] = {"ok": False, "error": self.describe(exc)}
            return None
        self.flow.steps[name] = {"ok": True, "value": value}
        return value

    def outcome(self, fn: Callable[[], Any]) -> dict[str, Any]:
        try:
            return {"ok": True, "value": fn()}
        except Exception as exc:
            return {"ok": False, "error": self.describe(exc)}


def gm_name(user_ids: list[str]) -> str:
    """Mattermost's group channel name: the SHA-1 of the sorted member ids, concatenated."""
    return hashlib.sha1("".join(sorted(user_ids)).encode()).hexdigest()


def pairs(reactions: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(r["user_id"], r["emoji_name"]) for r in reactions}


def refused_with(error: dict[str, Any], *statuses: int) -> None:
    assert error.get("status_code") in statuses, f"expected status {statuses}, got {error}"


class ClientFlowChecks:
    """The checks; subclasses provide the `flow` fixture (module scope) for one real client."""

    def test_only_mattermost_keys(self, flow: Flow) -> None:
        """Every object the server returned has only keys a Mattermost server sends (see shapes.py)."""
        found: list[str] = []
        for name in flow.order:
            step = flow.steps[name]
            if step.get("ok"):
                found += unknown_keys_in(step.get("value"), name)
        distinct = {line.split(": ", 1)[1]: line for line in found}
        assert not distinct, "keys no Mattermost server sends:\n" + "\n".join(sorted(distinct.values()))

    # --- T1: mobile server discovery ---------------------------------------------------------------------

    def test_head_root_and_ping(self, flow: Flow) -> None:
        head = flow.value("head_root")
        assert 200 <= head["status"] < 400, head
        assert head["x_version_id"] and VERSION_ID_RE.match(head["x_version_id"]), head
        ping = flow.value("ping")
        assert isinstance(ping, dict), ping
        assert ping["status"] == "OK"
        assert ping["ActiveSearchBackend"] == "database"
        for key in ("AndroidLatestVersion", "AndroidMinVersion", "IosLatestVersion", "IosMinVersion"):
            assert ping[key] == "", (key, ping)

    def test_client_config_and_license(self, flow: Flow) -> None:
        config = flow.value("config_client_old")
        assert isinstance(config, dict) and config, config
        not_strings = {k: v for k, v in config.items() if not isinstance(v, str)}
        assert not not_strings, f"config/client?format=old values must all be strings: {not_strings}"
        assert config["DiagnosticId"], "DiagnosticId must be non-empty (the mobile app's server identity)"
        version = tuple(int(x) for x in config["Version"].split(".")[:3])
        assert version >= (9, 11, 0), f"mobile blocks servers below 9.11.0: {config['Version']}"
        head = flow.value("head_root")
        assert head["x_version_id"].startswith(config["Version"] + "."), (config["Version"], head["x_version_id"])
        assert "true" in (config.get("EnableSignInWithUsername"), config.get("EnableSignInWithEmail")), "the login form needs one"
        license_ = flow.value("license_client_old")
        assert isinstance(license_, dict) and license_.get("IsLicensed") == "false", license_
        assert all(isinstance(v, str) for v in license_.values()), license_

    def test_roles_by_names(self, flow: Flow) -> None:
        roles = flow.value("roles_by_names")
        assert isinstance(roles, list) and len(roles) == 3, roles
        by_name = {check_role(r)["name"]: r for r in roles}
        assert set(by_name) == set(MOBILE_PERMISSIONS)
        for name, needed in MOBILE_PERMISSIONS.items():
            missing = needed - set(by_name[name]["permissions"])
            assert not missing, f"role {name} lacks {sorted(missing)}"
        for role in roles:
            assert_id(role["id"], f"role {role['name']}: id")  # Mattermost roles have generated ids, not their names

    # --- accounts --------------------------------------------------------------------------------------------

    def test_sign_up(self, flow: Flow) -> None:
        created = {who: flow.value(f"create_user_{who}") for who in ("admin", "bob", "carol")}
        for who, user in created.items():
            check_user(user, username=flow.names[who])
            assert user.get("email", "") in ("", f"{flow.names[who]}@example.com")
        assert created["admin"]["roles"] == "system_admin system_user", "the first account becomes system admin"
        assert created["bob"]["roles"] == "system_user"
        assert created["carol"]["roles"] == "system_user"
        assert len({u["id"] for u in created.values()}) == 3

    def test_login_and_me(self, flow: Flow) -> None:
        login = flow.value("login_admin")
        assert login["user"]["id"] == flow.value("create_user_admin")["id"]
        check_user(login["user"], me=True, username=flow.names["admin"])
        assert_id(login["token"], "Token header")
        me = flow.value("get_me")
        check_user(me, me=True, username=flow.names["admin"])
        assert me["id"] == flow.ids["admin"]
        assert me["email"] == f"{flow.names['admin']}@example.com"
        assert me["roles"] == "system_admin system_user"
        bob = flow.value("get_me_bob")
        check_user(bob, me=True, username=flow.names["bob"])
        assert bob["roles"] == "system_user"

    def test_login_bad_password(self, flow: Flow) -> None:
        error = flow.refusal("login_bad_password")
        refused_with(error, 401)
        if "server_error_id" in error:
            assert error["server_error_id"] == "api.user.login.invalid_credentials_email_username", error

    def test_other_users_profiles(self, flow: Flow) -> None:
        users = flow.value("profiles_by_ids")
        assert isinstance(users, list) and {u["id"] for u in users} == {flow.ids["admin"], flow.ids["carol"]}, users
        show_email = flow.value("config_client_old").get("ShowEmailAddress")
        for user in users:
            check_user(user)
            # Emails of others follow PrivacySettings.ShowEmailAddress, as the client config announces it.
            assert user["email"] == (f"{user['username']}@example.com" if show_email == "true" else ""), (show_email, user)
            # Another user's profile carries no private settings.
            assert user.get("notify_props") in (None, {}), user
            assert user.get("last_password_update", 0) == 0, user
            assert user.get("failed_attempts", 0) == 0, user

    # --- team ------------------------------------------------------------------------------------------------

    def test_team(self, flow: Flow) -> None:
        team = check_team(flow.value("create_team"), name=flow.names["team"])
        assert team["type"] == "O" and team["display_name"] == "Compat Team"
        assert_id(team["invite_id"], "team.invite_id (the creator is team admin and sees it)")
        check_team_member(flow.value("team_member_admin"), team_id=team["id"], user_id=flow.ids["admin"], admin=True)
        for who in ("bob", "carol"):
            check_team_member(flow.value(f"add_to_team_{who}"), team_id=team["id"], user_id=flow.ids[who], admin=False)
        teams = flow.value("my_teams_bob")
        assert isinstance(teams, list) and [t["id"] for t in teams] == [team["id"]], teams
        seen = check_team(teams[0], name=team["name"])
        assert team["email"] == f"{flow.names['admin']}@example.com", "a new team's email is its creator's"
        assert seen["email"] == "", "a member without manage_team gets the team sanitized (no email)"
        team_user = {r["name"]: r for r in flow.value("roles_by_names")}["team_user"]
        if "invite_user" in team_user["permissions"]:
            # Mattermost's SanitizeTeam keeps the invite id for members who may invite (the "Invite People" link).
            assert seen["invite_id"] == team["invite_id"], f"team_user has invite_user, so a member sees the invite id: {seen}"
        else:
            assert seen["invite_id"] == "", seen
        members = flow.value("my_team_members_bob")
        assert isinstance(members, list) and [m["team_id"] for m in members] == [team["id"]], members
        check_team_member(members[0], team_id=team["id"], user_id=flow.ids["bob"], admin=False)

    # --- channels --------------------------------------------------------------------------------------------

    def test_public_and_private_channels(self, flow: Flow) -> None:
        team_id = flow.value("create_team")["id"]
        pub = check_channel(flow.value("create_public_channel"), type="O", team_id=team_id)
        assert pub["display_name"] == "Compat Public" and pub["purpose"] == "purpose here" and pub["header"] == "header here", pub
        assert pub["creator_id"] == flow.ids["admin"]
        assert pub["last_post_at"] >= 0
        priv = check_channel(flow.value("create_private_channel"), type="P", team_id=team_id)
        assert priv["creator_id"] == flow.ids["admin"]
        for step in ("add_to_public_bob", "channel_member_bob"):
            member = check_channel_member(flow.value(step), channel_id=pub["id"], user_id=flow.ids["bob"])
            assert member["roles"] == "channel_user" and member["scheme_admin"] is False, member
        check_channel_member(flow.value("add_to_public_carol"), channel_id=pub["id"], user_id=flow.ids["carol"])
        check_channel_member(flow.value("add_to_private_bob"), channel_id=priv["id"], user_id=flow.ids["bob"])
        assert check_channel(flow.value("private_channel_as_bob"), type="P")["id"] == priv["id"]
        refused_with(flow.refusal("private_channel_as_carol"), 403, 404)
        members = flow.value("public_channel_members")
        assert isinstance(members, list)
        assert {m["user_id"] for m in members} == {flow.ids["admin"], flow.ids["bob"], flow.ids["carol"]}, members
        for m in members:
            check_channel_member(m, channel_id=pub["id"], user_id=m["user_id"])

    def test_my_channels(self, flow: Flow) -> None:
        channels = flow.value("my_channels_bob")
        assert isinstance(channels, list), channels
        for c in channels:
            check_channel(c)
        ids = {c["id"] for c in channels}
        assert {flow.value("create_public_channel")["id"], flow.value("create_private_channel")["id"]} <= ids
        names = {c["name"] for c in channels if c["team_id"]}
        assert "town-square" in names, f"joining a team joins its town-square: {sorted(names)}"

    def test_direct_channel(self, flow: Flow) -> None:
        admin, bob = flow.ids["admin"], flow.ids["bob"]
        dm = check_channel(flow.value("create_dm"), type="D")
        assert dm["name"] == "__".join(sorted([admin, bob])), dm["name"]
        again = check_channel(flow.value("create_dm_again"), type="D")
        assert again["id"] == dm["id"], "creating an existing DM returns it"
        refused_with(flow.refusal("dm_as_carol"), 403, 404)
        post = check_post(flow.value("dm_post"), channel_id=dm["id"], user_id=admin, message="hello over DM")
        assert post["root_id"] == ""

    def test_group_channel(self, flow: Flow) -> None:
        everyone = [flow.ids["admin"], flow.ids["bob"], flow.ids["carol"]]
        gm = check_channel(flow.value("create_gm"), type="G")
        assert flow.value("create_gm_again")["id"] == gm["id"], "creating an existing group channel returns it"
        members = flow.value("gm_members")
        assert sorted(m["user_id"] for m in members) == sorted(everyone), members
        for m in members:
            check_channel_member(m, channel_id=gm["id"], user_id=m["user_id"])
        check_post(flow.value("gm_post"), channel_id=gm["id"], user_id=flow.ids["carol"], message="hello group")
        assert gm["display_name"] == ", ".join(sorted(flow.names[w] for w in ("admin", "bob", "carol"))), gm["display_name"]
        assert gm["name"] == gm_name(everyone), f"group channel name {gm['name']} is not Mattermost's sha1 of the sorted ids {gm_name(everyone)}"

    def test_team_channel_lists_include_dm_and_gm(self, flow: Flow) -> None:
        """A user's channels (and memberships) in a team include their DMs and GMs: the mobile app's initial sync."""
        dm, gm, admin = flow.value("create_dm")["id"], flow.value("create_gm")["id"], flow.ids["admin"]
        channels = flow.value("my_channels_with_dm_gm")
        for c in channels:
            check_channel(c)
        ids = {c["id"] for c in channels}
        assert {dm, gm, flow.value("create_public_channel")["id"]} <= ids, channels
        members = flow.value("my_channel_members_with_dm_gm")
        for m in members:
            check_channel_member(m, channel_id=m["channel_id"], user_id=admin)
        assert {m["channel_id"] for m in members} == ids, "one membership per channel in the list"

    # --- posts -----------------------------------------------------------------------------------------------

    def test_post_and_reply(self, flow: Flow) -> None:
        pub = flow.value("create_public_channel")
        root = check_post(flow.value("create_post"), channel_id=pub["id"], user_id=flow.ids["admin"], message="first post", root_id="")
        assert root["pending_post_id"] == flow.steps["create_post"]["pending_post_id"], "pending_post_id is echoed"
        assert root["edit_at"] == 0 and root["delete_at"] == 0 and root["is_pinned"] is False and root["type"] == ""
        assert root["update_at"] == root["create_at"]
        reply = check_post(flow.value("create_reply"), channel_id=pub["id"], user_id=flow.ids["bob"], message="a reply", root_id=root["id"])
        assert reply["create_at"] >= root["create_at"]
        after = check_post(flow.value("get_root_after_reply"), message="first post", root_id="")
        assert after["reply_count"] == 1, after
        assert after["last_reply_at"] == reply["create_at"], after

    def test_edit_and_update(self, flow: Flow) -> None:
        root = flow.value("create_post")
        patched = check_post(flow.value("patch_post"), message="first post (edited)", root_id="")
        assert patched["id"] == root["id"] and patched["create_at"] == root["create_at"]
        assert patched["edit_at"] >= root["create_at"] and patched["edit_at"] > 0, patched
        assert patched["update_at"] >= patched["edit_at"], patched
        refused_with(flow.refusal("patch_post_as_bob"), 403)
        reply = flow.value("create_reply")
        updated = check_post(flow.value("update_post"), message="a reply (updated)", root_id=root["id"], user_id=flow.ids["bob"])
        assert updated["id"] == reply["id"] and updated["edit_at"] > 0 and updated["update_at"] >= updated["edit_at"], updated

    def test_thread(self, flow: Flow) -> None:
        root, reply = flow.value("create_post"), flow.value("create_reply")
        thread = check_post_list(flow.value("get_thread"), channel_id=root["channel_id"])
        assert set(thread["order"]) == {root["id"], reply["id"]}, thread["order"]
        assert set(thread["posts"]) == {root["id"], reply["id"]}
        assert thread["posts"][root["id"]]["message"] == "first post (edited)"
        assert thread["posts"][root["id"]]["reply_count"] == 1
        assert thread["posts"][reply["id"]]["message"] == "a reply (updated)"
        assert thread["posts"][reply["id"]]["root_id"] == root["id"]
        assert thread.get("has_next", False) is False

    def test_delete(self, flow: Flow) -> None:
        doomed, doomed_reply = flow.value("create_post_to_delete"), flow.value("create_reply_to_delete")
        check_status_ok(flow.value("delete_post"))
        refused_with(flow.refusal("get_deleted_post"), 404)
        refused_with(flow.refusal("get_deleted_reply"), 404)  # deleting a root deletes its thread
        history = check_post_list(flow.value("history_after_delete"), channel_id=doomed["channel_id"])
        assert doomed["id"] not in history["posts"] and doomed_reply["id"] not in history["posts"]
        assert flow.value("create_post")["id"] in history["order"]

    # --- reactions -------------------------------------------------------------------------------------------

    def test_reactions(self, flow: Flow) -> None:
        root = flow.value("create_post")
        admin, bob = flow.ids["admin"], flow.ids["bob"]
        check_reaction(flow.value("react_bob"), user_id=bob, post_id=root["id"], emoji_name="thumbsup")
        check_reaction(flow.value("react_admin"), user_id=admin, post_id=root["id"], emoji_name="tada")
        refused_with(flow.refusal("react_as_someone_else"), 403)
        both = flow.value("reactions_two")
        assert isinstance(both, list) and pairs(both) == {(bob, "thumbsup"), (admin, "tada")}, both
        for r in both:
            check_reaction(r, user_id=r["user_id"], post_id=root["id"], emoji_name=r["emoji_name"])
        post = check_post(flow.value("post_with_reactions"))
        assert post.get("has_reactions") is True, post
        embedded = post.get("metadata", {}).get("reactions")
        assert isinstance(embedded, list) and pairs(embedded) == {(bob, "thumbsup"), (admin, "tada")}, post.get("metadata")
        check_status_ok(flow.value("unreact_bob"))
        assert pairs(flow.value("reactions_one")) == {(admin, "tada")}
        check_status_ok(flow.value("unreact_admin"))
        assert flow.value("reactions_none") == []
        post = check_post(flow.value("post_without_reactions"))
        assert post.get("has_reactions", False) is False, post
        assert post.get("metadata", {}).get("reactions", []) in ([], None), post.get("metadata")

    # --- history paging ----------------------------------------------------------------------------------------

    def test_history_pages(self, flow: Flow) -> None:
        channel = flow.value("create_history_channel")
        made = flow.value("history_posts")
        assert [p["message"] for p in made] == [f"history {i}" for i in range(7)]
        for earlier, later in itertools.pairwise(made):
            assert earlier["create_at"] <= later["create_at"], "create_at follows the order of creation"
        everything = check_post_list(flow.value("history_all"), channel_id=channel["id"])
        full = everything["order"]
        mine = {p["id"] for p in made}
        assert [i for i in full if i in mine] == newest_first(made), "order is newest first"
        assert everything["next_post_id"] == "" and everything["prev_post_id"] == ""

        wrong: list[str] = []
        label = {pid: f"history {i}" for i, pid in enumerate(p["id"] for p in made)}

        def show(ids: Any) -> Any:
            return [label.get(i, i) for i in ids] if isinstance(ids, list) else label.get(ids, ids or "''")

        def page(step: str, want: list[str], next_id: str, prev_id: str) -> None:
            """Mattermost's cursors: next_post_id/prev_post_id are the posts just outside the page (or the anchor)."""
            got = check_post_list(flow.value(step), channel_id=channel["id"])
            assert set(got["posts"]) >= set(got["order"])
            if got["order"] != want:
                wrong.append(f"{step}: order {show(got['order'])}, want {show(want)}")
            if (got["next_post_id"], got["prev_post_id"]) != (next_id, prev_id):
                wrong.append(f"{step}: next/prev {show(got['next_post_id'])}/{show(got['prev_post_id'])}, want {show(next_id)}/{show(prev_id)}")

        def at(i: int) -> str:
            return full[i] if 0 <= i < len(full) else ""

        page("history_page0", full[0:3], "", at(3))
        page("history_page1", full[3:6], at(2), at(6))
        anchor = full.index(made[3]["id"])
        page("history_before", full[anchor + 1 : anchor + 3], made[3]["id"], at(anchor + 3))
        page("history_after", full[max(anchor - 2, 0) : anchor], at(anchor - 3), made[3]["id"])
        page("history_after_newest", [], "", made[6]["id"])
        assert not wrong, "\n".join(wrong)

    def test_history_since(self, flow: Flow) -> None:
        made = flow.value("history_posts")
        edited = check_post(flow.value("history_edit"), message="history 1 (edited)")
        check_status_ok(flow.value("history_delete"))
        since = made[3]["create_at"]
        current = {p["id"]: p for p in made}
        current[edited["id"]] = edited
        deleted_id = made[2]["id"]
        changed = {pid for pid, p in current.items() if pid != deleted_id and p["update_at"] > since}
        result = check_post_list(flow.value("history_since"), channel_id=made[0]["channel_id"])
        assert edited["id"] in changed, "the edit is newer than `since`"
        assert set(result["order"]) == changed | {deleted_id}, f"since={since}: got {result['order']}, want edited/new {changed} and deleted {deleted_id}"
        assert result["posts"][deleted_id]["delete_at"] > 0, "deleted posts come back from ?since= with delete_at set"
        assert result["posts"][edited["id"]]["message"] == "history 1 (edited)"
        stamps = [result["posts"][i]["create_at"] for i in result["order"]]
        assert stamps == sorted(stamps, reverse=True), "newest first"

    # --- pin, save ----------------------------------------------------------------------------------------------

    def test_pin_and_unpin(self, flow: Flow) -> None:
        root = flow.value("create_post")
        check_status_ok(flow.value("pin"))
        assert check_post(flow.value("pinned_post"))["is_pinned"] is True
        pinned = check_post_list(flow.value("pinned_list"), channel_id=root["channel_id"])
        assert pinned["order"] == [root["id"]] and pinned["posts"][root["id"]]["is_pinned"] is True, pinned["order"]
        stats = CHANNEL_STATS.check_keys(flow.value("pinned_stats"))
        assert stats["channel_id"] == root["channel_id"] and stats["pinnedpost_count"] == 1 and stats["member_count"] == 3, stats
        check_status_ok(flow.value("unpin"))
        assert check_post(flow.value("unpinned_post"))["is_pinned"] is False
        unpinned = check_post_list(flow.value("unpinned_list"))
        assert unpinned["order"] == [] and unpinned["posts"] == {}, unpinned

    def test_save_post(self, flow: Flow) -> None:
        root, bob = flow.value("create_post"), flow.ids["bob"]
        check_status_ok(flow.value("flag"))
        prefs = flow.value("flag_preferences")
        assert isinstance(prefs, list)
        for p in prefs:
            check_preference(p)
        assert {"user_id": bob, "category": "flagged_post", "name": root["id"], "value": "true"} in prefs, prefs
        flagged = check_post_list(flow.value("flagged_posts"))
        assert flagged["order"] == [root["id"]], flagged["order"]
        assert flagged["posts"][root["id"]]["channel_id"] == root["channel_id"]
        assert check_post_list(flow.value("flagged_posts_other_user"))["order"] == [], "saved posts are per user"
        check_status_ok(flow.value("unflag"))
        assert check_post_list(flow.value("flagged_after_unflag"))["order"] == []

    # --- unread counts --------------------------------------------------------------------------------------------

    def test_unread_counts(self, flow: Flow) -> None:
        channel_id, team_id, admin = flow.value("create_public_channel")["id"], flow.value("create_team")["id"], flow.ids["admin"]

        def state(step: str) -> dict[str, Any]:
            s = flow.value(step)
            check_channel(s["channel"], type="O", team_id=team_id)
            check_channel_member(s["member"], channel_id=channel_id, user_id=admin)
            check_channel_unread(s["unread"], channel_id=channel_id, team_id=team_id)
            if "team_unreads" in s:
                for u in s["team_unreads"]:
                    TEAM_UNREAD.check_keys(u)
                matching = [u for u in s["team_unreads"] if u["team_id"] == team_id]
                assert len(matching) == 1, s["team_unreads"]
                s["team"] = matching[0]
            return s

        view0 = flow.value("unread_view0")
        check_status_ok(view0)
        assert set(view0) == {"status", "last_viewed_at_times"} and list(view0["last_viewed_at_times"]) == [channel_id], view0
        assert_ms(view0["last_viewed_at_times"][channel_id], "last_viewed_at_times")

        s0 = state("unread_state0")
        assert s0["member"]["msg_count"] == s0["channel"]["total_msg_count"], "after viewing, everything is seen"
        assert (s0["unread"]["msg_count"], s0["unread"]["mention_count"]) == (0, 0), s0["unread"]

        first, second, third = flow.value("unread_bob_posts")
        assert third["root_id"] == first["id"] and second["root_id"] == ""
        s1 = state("unread_state1")
        assert s1["channel"]["total_msg_count"] == s0["channel"]["total_msg_count"] + 3
        if "total_msg_count_root" in s1["channel"]:
            assert s1["channel"]["total_msg_count_root"] == s0["channel"]["total_msg_count_root"] + 2
        assert s1["channel"]["last_post_at"] == third["create_at"]
        assert s1["channel"]["last_root_post_at"] == second["create_at"]
        assert s1["member"]["msg_count"] == s0["member"]["msg_count"], "member msg_count is what the member has seen"
        assert s1["member"]["last_viewed_at"] == s0["member"]["last_viewed_at"]
        assert (s1["member"]["mention_count"], s1["member"]["mention_count_root"]) == (0, 0)
        assert s1["unread"]["msg_count"] == 3 and s1["unread"]["mention_count"] == 0, s1["unread"]
        if "msg_count_root" in s1["unread"]:
            assert s1["unread"]["msg_count_root"] == 2, s1["unread"]

        mention = check_post(flow.value("unread_mention"), message=f"@{flow.names['admin']} please look")
        s2 = state("unread_state2")
        assert s2["channel"]["total_msg_count"] == s1["channel"]["total_msg_count"] + 1
        assert s2["channel"]["last_post_at"] == mention["create_at"]
        assert s2["member"]["msg_count"] == s0["member"]["msg_count"]
        assert (s2["member"]["mention_count"], s2["member"]["mention_count_root"]) == (1, 1), s2["member"]
        assert (s2["unread"]["msg_count"], s2["unread"]["mention_count"]) == (4, 1), s2["unread"]
        assert s2["team"]["msg_count"] - s0["team"]["msg_count"] == 4, (s0["team"], s2["team"])
        assert s2["team"]["mention_count"] - s0["team"]["mention_count"] == 1, (s0["team"], s2["team"])

        view = flow.value("unread_view")
        check_status_ok(view)
        assert view["last_viewed_at_times"][channel_id] >= mention["create_at"], view
        s3 = state("unread_state3")
        assert s3["member"]["msg_count"] == s3["channel"]["total_msg_count"] == s2["channel"]["total_msg_count"]
        if "total_msg_count_root" in s3["channel"]:
            assert s3["member"]["msg_count_root"] == s3["channel"]["total_msg_count_root"]
        assert (s3["member"]["mention_count"], s3["member"]["mention_count_root"]) == (0, 0), s3["member"]
        assert s3["member"]["last_viewed_at"] >= mention["create_at"], s3["member"]
        assert (s3["unread"]["msg_count"], s3["unread"]["mention_count"]) == (0, 0), s3["unread"]
        assert (s3["team"]["msg_count"], s3["team"]["mention_count"]) == (s0["team"]["msg_count"], s0["team"]["mention_count"])

    def test_direct_message_counts_as_mention(self, flow: Flow) -> None:
        dm = flow.value("create_dm")
        check_status_ok(flow.value("dm_unread_view0"))
        check_post(flow.value("dm_unread_post"), channel_id=dm["id"], user_id=flow.ids["bob"])
        member = check_channel_member(flow.value("dm_unread_member"), channel_id=dm["id"], user_id=flow.ids["admin"])
        assert (member["mention_count"], member["mention_count_root"]) == (1, 1), member
