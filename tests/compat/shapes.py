"""Field-by-field checks of Mattermost API v4 objects as the real clients receive them.

Each object has the keys Mattermost 10.x always sends (`required`) and the keys its model may also send
(`optional`: `omitempty` fields and later additions). A key outside both is one no Mattermost server sends;
`classify` tells which shape a JSON object returned by the server has, so all of them can be checked for those.
Sources: ../shared/reference/mattermost-api-v4.md (object shapes) and Mattermost's server/public/model.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

ID_RE = re.compile(r"^[a-z0-9]{26}$")
# Mattermost ids: 16 random bytes in base32 with this alphabet, lower case, no padding.
ID_ALPHABET = set("ybndrfg8ejkmcpqxot1uwisza345h769")
MS_2020 = 1_577_836_800_000


@dataclass(frozen=True)
class Shape:
    name: str
    required: frozenset[str]
    optional: frozenset[str] = frozenset()

    def check_keys(self, obj: Any, *, forbidden: Iterable[str] = ()) -> dict[str, Any]:
        """Every key clients rely on is there, and none that must stay private. Keys Mattermost never sends
        are reported separately (`unknown_keys`, test_only_mattermost_keys) so they do not hide behaviour."""
        assert isinstance(obj, dict), f"{self.name}: expected a JSON object, got {type(obj).__name__}: {obj!r}"[:500]
        keys = set(obj)
        missing = self.required - keys
        assert not missing, f"{self.name}: missing keys {sorted(missing)} in {obj}"
        bad = keys & set(forbidden)
        assert not bad, f"{self.name}: must never be sent: {sorted(bad)}"
        return obj

    def unknown_keys(self, obj: dict[str, Any]) -> set[str]:
        return set(obj) - self.required - self.optional


def shape(name: str, required: str, optional: str = "") -> Shape:
    return Shape(name, frozenset(required.split()), frozenset(optional.split()))


USER = shape(
    "User",
    "id create_at update_at delete_at username auth_service email nickname first_name last_name position roles locale timezone",
    "auth_data email_verified allow_marketing props notify_props last_password_update last_picture_update failed_attempts mfa_active"
    " remote_id last_activity_at is_bot bot_description bot_last_icon_update terms_of_service_id terms_of_service_create_at"
    " disable_welcome_email last_login",
)
TEAM = shape(
    "Team",
    "id create_at update_at delete_at display_name name description email type company_name allowed_domains invite_id"
    " allow_open_invite scheme_id group_constrained",
    "last_team_icon_update policy_id cloud_limits_archived",
)
TEAM_MEMBER = shape("TeamMember", "team_id user_id roles delete_at scheme_user scheme_admin", "scheme_guest explicit_roles")
CHANNEL = shape(
    "Channel",
    "id create_at update_at delete_at team_id type display_name name header purpose last_post_at last_root_post_at"
    " total_msg_count creator_id scheme_id group_constrained shared",
    "total_msg_count_root extra_update_at props policy_id autotranslation banner_info policy_enforced policy_actions"
    " policy_is_active default_category_name managed_category_name discoverable team_display_name team_name team_update_at",
)
CHANNEL_MEMBER = shape(
    "ChannelMember",
    "channel_id user_id roles last_viewed_at msg_count msg_count_root mention_count mention_count_root urgent_mention_count"
    " notify_props last_update_at scheme_user scheme_admin",
    "scheme_guest explicit_roles",
)
CHANNEL_UNREAD = shape("ChannelUnread", "team_id channel_id msg_count mention_count", "msg_count_root mention_count_root urgent_mention_count")
POST = shape(
    "Post",
    "id create_at update_at edit_at delete_at is_pinned user_id channel_id root_id original_id message type props hashtags"
    " pending_post_id reply_count last_reply_at",
    "file_ids has_reactions is_following metadata participants message_source remote_id",
)
POST_LIST = shape("PostList", "order posts next_post_id prev_post_id first_inaccessible_post_time", "has_next next_cursor")
REACTION = shape("Reaction", "user_id post_id emoji_name create_at", "update_at delete_at remote_id channel_id")
PREFERENCE = shape("Preference", "user_id category name value")
TEAM_UNREAD = shape(
    "TeamUnread", "team_id msg_count mention_count", "msg_count_root mention_count_root thread_count thread_mention_count thread_urgent_mention_count"
)
CHANNEL_STATS = shape("ChannelStats", "channel_id member_count pinnedpost_count", "guest_count files_count")
ROLE = shape("Role", "id name display_name description permissions scheme_managed built_in", "create_at update_at delete_at")
STATUS_OK = {"status": "OK"}


def is_id(value: Any) -> bool:
    return isinstance(value, str) and bool(ID_RE.match(value)) and set(value) <= ID_ALPHABET


def assert_id(value: Any, what: str = "id") -> str:
    assert is_id(value), f"{what}: not a 26-character Mattermost id: {value!r}"
    return str(value)


def assert_ms(value: Any, what: str, *, zero_ok: bool = False) -> int:
    """A Unix time in milliseconds (an int, not a float or a string; seconds would be ~1000x too small)."""
    assert isinstance(value, int) and not isinstance(value, bool), f"{what}: expected int ms, got {value!r}"
    if zero_ok and value == 0:
        return value
    now = int(time.time() * 1000)
    assert MS_2020 < value <= now + 60_000, f"{what}: {value} is not a plausible ms timestamp (now {now})"
    return value


def assert_count(value: Any, what: str) -> int:
    assert isinstance(value, int) and not isinstance(value, bool) and value >= 0, f"{what}: expected a count, got {value!r}"
    return value


def assert_str(obj: Mapping[str, Any], *keys: str) -> None:
    for key in keys:
        assert isinstance(obj[key], str), f"{key}: expected a string, got {obj[key]!r}"


def assert_bool(obj: Mapping[str, Any], *keys: str) -> None:
    for key in keys:
        assert isinstance(obj[key], bool), f"{key}: expected a bool, got {obj[key]!r}"


def assert_str_map(value: Any, what: str) -> dict[str, str]:
    assert isinstance(value, dict), f"{what}: expected an object, got {value!r}"
    for k, v in value.items():
        assert isinstance(v, str), f"{what}.{k}: expected a string value, got {v!r}"
    return value


def check_user(user: Any, *, me: bool = False, username: str | None = None) -> dict[str, Any]:
    USER.check_keys(user, forbidden=("password", "mfa_secret"))
    assert_id(user["id"], "user.id")
    assert_ms(user["create_at"], "user.create_at")
    assert_ms(user["update_at"], "user.update_at")
    assert user["update_at"] >= user["create_at"]
    assert user["delete_at"] == 0
    assert_str(user, "username", "auth_service", "email", "nickname", "first_name", "last_name", "position", "roles", "locale")
    if username is not None:
        assert user["username"] == username
    assert set(user["roles"].split()) in ({"system_user"}, {"system_user", "system_admin"}), user["roles"]
    assert user["auth_service"] == ""
    assert user.get("auth_data", "") in ("", None)
    assert_str_map(user["timezone"], "user.timezone")
    assert set(user["timezone"]) >= {"useAutomaticTimezone", "automaticTimezone", "manualTimezone"}, user["timezone"]
    if "props" in user:
        assert isinstance(user["props"], dict)
    for key in ("email_verified", "mfa_active", "is_bot", "disable_welcome_email"):
        if key in user:
            assert_bool(user, key)
    if me:
        # Your own profile carries notification settings and password metadata.
        assert_str_map(user["notify_props"], "user.notify_props")
        assert set(user["notify_props"]) >= {"desktop", "email", "push", "channel", "comments", "mention_keys"}, user["notify_props"]
        assert_ms(user["last_password_update"], "user.last_password_update")
        assert user["locale"] == "en"
    return user


def check_team(team: Any, *, name: str | None = None) -> dict[str, Any]:
    TEAM.check_keys(team)
    assert_id(team["id"], "team.id")
    assert_ms(team["create_at"], "team.create_at")
    assert_ms(team["update_at"], "team.update_at")
    assert team["delete_at"] == 0
    assert_str(team, "display_name", "name", "description", "email", "type", "company_name", "allowed_domains", "invite_id")
    assert team["type"] in ("O", "I")
    assert_bool(team, "allow_open_invite")
    assert team["scheme_id"] is None or isinstance(team["scheme_id"], str)
    assert team["group_constrained"] in (None, False)
    if name is not None:
        assert team["name"] == name
    return team


def check_team_member(member: Any, *, team_id: str, user_id: str, admin: bool) -> dict[str, Any]:
    TEAM_MEMBER.check_keys(member)
    assert member["team_id"] == team_id
    assert member["user_id"] == user_id
    assert member["delete_at"] == 0
    assert_bool(member, "scheme_user", "scheme_admin")
    assert member["scheme_user"] is True
    assert member["scheme_admin"] is admin
    expected_roles = {"team_user", "team_admin"} if admin else {"team_user"}
    assert set(member["roles"].split()) == expected_roles, member["roles"]
    return member


def check_channel(channel: Any, *, type: str | None = None, team_id: str | None = None) -> dict[str, Any]:
    CHANNEL.check_keys(channel)
    assert_id(channel["id"], "channel.id")
    assert_ms(channel["create_at"], "channel.create_at")
    assert_ms(channel["update_at"], "channel.update_at")
    assert channel["delete_at"] == 0
    assert_str(channel, "team_id", "type", "display_name", "name", "header", "purpose", "creator_id")
    assert channel["type"] in ("O", "P", "D", "G")
    if type is not None:
        assert channel["type"] == type, channel
    if channel["type"] in ("D", "G"):
        assert channel["team_id"] == "", channel
    else:
        assert_id(channel["team_id"], "channel.team_id")
    if team_id is not None:
        assert channel["team_id"] == team_id
    assert_ms(channel["last_post_at"], "channel.last_post_at", zero_ok=True)
    assert_ms(channel["last_root_post_at"], "channel.last_root_post_at", zero_ok=True)
    assert_count(channel["total_msg_count"], "channel.total_msg_count")
    if "total_msg_count_root" in channel:
        assert_count(channel["total_msg_count_root"], "channel.total_msg_count_root")
        assert channel["total_msg_count_root"] <= channel["total_msg_count"]
    assert channel["scheme_id"] is None or isinstance(channel["scheme_id"], str)
    assert channel["group_constrained"] in (None, False)
    assert channel["shared"] in (None, False)
    return channel


def check_channel_member(member: Any, *, channel_id: str, user_id: str) -> dict[str, Any]:
    CHANNEL_MEMBER.check_keys(member)
    assert member["channel_id"] == channel_id
    assert member["user_id"] == user_id
    assert "channel_user" in member["roles"].split(), member["roles"]
    assert_ms(member["last_viewed_at"], "member.last_viewed_at", zero_ok=True)
    assert_ms(member["last_update_at"], "member.last_update_at")
    for key in ("msg_count", "msg_count_root", "mention_count", "mention_count_root", "urgent_mention_count"):
        assert_count(member[key], f"member.{key}")
    assert member["msg_count_root"] <= member["msg_count"]
    assert member["mention_count_root"] <= member["mention_count"]
    notify = assert_str_map(member["notify_props"], "member.notify_props")
    assert set(notify) >= {"desktop", "email", "push", "mark_unread", "ignore_channel_mentions"}, notify
    assert notify["mark_unread"] in ("all", "mention")
    assert_bool(member, "scheme_user", "scheme_admin")
    return member


def check_channel_unread(unread: Any, *, channel_id: str, team_id: str) -> dict[str, Any]:
    CHANNEL_UNREAD.check_keys(unread)
    assert unread["channel_id"] == channel_id
    assert unread["team_id"] == team_id
    for key in ("msg_count", "mention_count", "msg_count_root", "mention_count_root", "urgent_mention_count"):
        if key in unread:
            assert_count(unread[key], f"unread.{key}")
    return unread


def check_post(
    post: Any, *, channel_id: str | None = None, user_id: str | None = None, message: str | None = None, root_id: str | None = None
) -> dict[str, Any]:
    POST.check_keys(post)
    assert_id(post["id"], "post.id")
    assert_ms(post["create_at"], "post.create_at")
    assert_ms(post["update_at"], "post.update_at")
    assert post["update_at"] >= post["create_at"]
    assert_ms(post["edit_at"], "post.edit_at", zero_ok=True)
    assert_ms(post["delete_at"], "post.delete_at", zero_ok=True)
    assert_bool(post, "is_pinned")
    assert_id(post["user_id"], "post.user_id")
    assert_id(post["channel_id"], "post.channel_id")
    assert_str(post, "root_id", "original_id", "message", "type", "hashtags", "pending_post_id")
    if post["root_id"]:
        assert_id(post["root_id"], "post.root_id")
    assert isinstance(post["props"], dict), post["props"]
    assert_count(post["reply_count"], "post.reply_count")
    assert_ms(post["last_reply_at"], "post.last_reply_at", zero_ok=True)
    if "file_ids" in post:
        assert isinstance(post["file_ids"], list)
    if "has_reactions" in post:
        assert_bool(post, "has_reactions")
    if "metadata" in post:
        assert isinstance(post["metadata"], dict), post["metadata"]
    if post.get("participants") is not None:
        assert isinstance(post["participants"], list)
    for key, want in (("channel_id", channel_id), ("user_id", user_id), ("message", message), ("root_id", root_id)):
        if want is not None:
            assert post[key] == want, f"post.{key}: expected {want!r}, got {post[key]!r}"
    return post


def check_post_list(post_list: Any, *, channel_id: str | None = None) -> dict[str, Any]:
    POST_LIST.check_keys(post_list)
    order, posts = post_list["order"], post_list["posts"]
    assert isinstance(order, list) and isinstance(posts, dict), post_list
    assert len(order) == len(set(order)), f"duplicate ids in order: {order}"
    assert set(order) <= set(posts), "every id in order is in posts"
    for post_id, post in posts.items():
        check_post(post, channel_id=channel_id)
        assert post["id"] == post_id
    for key in ("next_post_id", "prev_post_id"):
        assert post_list[key] == "" or is_id(post_list[key]), f"{key}: {post_list[key]!r}"
    assert_count(post_list["first_inaccessible_post_time"], "first_inaccessible_post_time")
    if "has_next" in post_list:
        assert_bool(post_list, "has_next")
    return post_list


def check_reaction(reaction: Any, *, user_id: str, post_id: str, emoji_name: str) -> dict[str, Any]:
    REACTION.check_keys(reaction)
    assert reaction["user_id"] == user_id
    assert reaction["post_id"] == post_id
    assert reaction["emoji_name"] == emoji_name
    assert_ms(reaction["create_at"], "reaction.create_at")
    if "delete_at" in reaction:
        assert reaction["delete_at"] == 0
    return reaction


def check_preference(pref: Any) -> dict[str, Any]:
    PREFERENCE.check_keys(pref)
    assert_id(pref["user_id"], "preference.user_id")
    assert_str(pref, "category", "name", "value")
    return pref


def check_role(role: Any) -> dict[str, Any]:
    ROLE.check_keys(role)
    assert isinstance(role["id"], str) and role["id"], role
    assert_str(role, "name", "display_name", "description")
    assert isinstance(role["permissions"], list) and all(isinstance(p, str) for p in role["permissions"])
    assert_bool(role, "scheme_managed", "built_in")
    return role


def check_status_ok(body: Any) -> None:
    assert isinstance(body, dict) and body.get("status") == "OK", f"expected {{'status': 'OK'}}, got {body!r}"


def newest_first(posts: Iterable[Mapping[str, Any]]) -> list[str]:
    """Ids newest first, the order of PostList.order (ties on create_at broken by id, as Kafana does)."""
    return [p["id"] for p in sorted(posts, key=lambda p: (p["create_at"], p["id"]), reverse=True)]


# Permissions the mobile app needs on the three base roles to show its post box, reactions and channel actions.
MOBILE_PERMISSIONS = {
    "system_user": {"create_direct_channel", "create_group_channel", "create_team"},
    "team_user": {"join_public_channels", "create_public_channel", "create_private_channel", "view_team"},
    "channel_user": {"create_post", "add_reaction", "remove_reaction", "upload_file", "edit_post", "delete_post", "use_channel_mentions", "read_channel"},
}


def classify(obj: dict[str, Any]) -> Shape | None:
    """Which Mattermost object a JSON object is, by the keys that identify it (None: not one of ours)."""
    keys = set(obj)
    if {"order", "posts"} <= keys:
        return POST_LIST
    if {"message", "channel_id", "root_id", "user_id"} <= keys:
        return POST
    if {"emoji_name", "post_id", "user_id"} <= keys:
        return REACTION
    if {"permissions", "scheme_managed"} <= keys:
        return ROLE
    if "pinnedpost_count" in keys:
        return CHANNEL_STATS
    if {"user_id", "category", "name", "value"} <= keys:
        return PREFERENCE
    if {"channel_id", "user_id", "roles", "last_viewed_at", "notify_props"} <= keys:
        return CHANNEL_MEMBER
    if {"channel_id", "team_id", "msg_count", "mention_count"} <= keys and "roles" not in keys:
        return CHANNEL_UNREAD
    if {"team_id", "msg_count", "mention_count"} <= keys and "channel_id" not in keys:
        return TEAM_UNREAD
    if {"team_id", "user_id", "roles", "scheme_user"} <= keys and "channel_id" not in keys:
        return TEAM_MEMBER
    if {"total_msg_count", "type", "team_id"} <= keys:
        return CHANNEL
    if {"invite_id", "allow_open_invite"} <= keys:
        return TEAM
    if {"username", "roles", "locale"} <= keys:
        return USER
    return None


def unknown_keys_in(value: Any, where: str) -> list[str]:
    """Every Mattermost object inside `value` (recursively) with keys no Mattermost server sends."""
    found: list[str] = []
    if isinstance(value, list):
        for item in value:
            found += unknown_keys_in(item, where)
    elif isinstance(value, dict):
        kind = classify(value)
        if kind is not None and (extra := kind.unknown_keys(value)):
            found.append(f"{where}: {kind.name} has {sorted(extra)}")
        for key, item in value.items():
            found += unknown_keys_in(item, f"{where}.{key}" if kind is None else where)
    return found
