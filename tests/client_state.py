"""The state a Mattermost client keeps, fetched fresh over the API, and how one WebSocket event changes it.

`fetch_state(api)` reads what the mobile app loads at start-up (users, teams and team members, channels and
the user's channel members, each channel's latest posts with their reactions, preferences, the user's status,
sidebar categories and followed threads per team). `ClientState.apply(event)` updates that state from one
event the way the Mattermost apps do (mattermost-mobile `app/actions/websocket/*`): with the data the event
carries, or, for events that carry only ids, with the same follow-up fetch the apps make (`fetchMyChannel`
after `channel_created`, `fetchMyTeam` after `added_to_team`, `fetchCategories` after a category was created
or deleted, …). tests/realtime/test_verify_action.py checks that applying an action's events to a stale state
gives exactly a fresh fetch (Zulip's verify_action).

What the model leaves out, and why:
- Posts are the channel's latest page as the server returns it: deleted posts are gone (the apps show a
  "message deleted" placeholder until the next load, a display detail). `metadata` is dropped: reactions are
  kept beside the posts (as the apps keep them), embeds and files are not events' business.
- A thread's embedded `post` is dropped (clients keep the root post once, with the posts).
- Other users' statuses are polled by clients (`status_change` goes to its user only), so only the user's own
  status is kept.
- Channel memberships of other users are not kept (clients fetch member lists on demand).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from tests.helpers import Api, ApiError

PAGE = 200
SANITIZED_TEAM_FIELDS = ("email", "invite_id")  # shown only to those who manage the team / may invite


class Leak(AssertionError):
    """An event about something the user may not see (a channel they are not in)."""


def _post(post: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in post.items() if k != "metadata"}


def _reaction_key(reaction: dict[str, Any]) -> str:
    return f"{reaction['user_id']}:{reaction['emoji_name']}"


def _thread(thread: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in thread.items() if k != "post"}


@dataclass
class ClientState:
    me: dict[str, Any]
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    teams: dict[str, dict[str, Any]] = field(default_factory=dict)
    team_members: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, dict[str, Any]] = field(default_factory=dict)  # the user's own, by channel id
    posts: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # channel id -> post id -> post
    reactions: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # post id -> "user:emoji" -> reaction
    preferences: dict[str, dict[str, Any]] = field(default_factory=dict)  # "category/name" -> preference
    status: str = ""
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)  # team id -> {"order": [...], "categories": {id: ...}}
    threads: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # team id -> thread id -> thread
    emoji: dict[str, dict[str, Any]] = field(default_factory=dict)  # custom emoji by id

    @property
    def user_id(self) -> str:
        return str(self.me["id"])

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(
            {
                "me": self.me,
                "users": self.users,
                "teams": self.teams,
                "team_members": self.team_members,
                "channels": self.channels,
                "members": self.members,
                "posts": self.posts,
                "reactions": {pid: r for pid, r in self.reactions.items() if r},
                "preferences": self.preferences,
                "status": self.status,
                "categories": self.categories,
                "emoji": self.emoji,
                "threads": self.threads,
            }
        )

    # Fetching (what the apps load) --------------------------------------------------------------------------------

    async def load_channel(self, api: Api, channel: dict[str, Any], member: dict[str, Any]) -> None:
        cid = channel["id"]
        self.channels[cid] = channel
        self.members[cid] = member
        page = await api.get(f"/channels/{cid}/posts?per_page={PAGE}")
        self.posts[cid] = {}
        for post in page["posts"].values():
            if post["channel_id"] != cid:
                continue
            self.posts[cid][post["id"]] = _post(post)
            reactions = (post.get("metadata") or {}).get("reactions") or []
            self.reactions[post["id"]] = {_reaction_key(r): r for r in reactions}

    async def fetch_my_channel(self, api: Api, channel_id: str) -> bool:
        """mobile `fetchMyChannel` (+ the channel's posts): False when the user may not see the channel."""
        try:
            channel = await api.get(f"/channels/{channel_id}")
            member = await api.get(f"/channels/{channel_id}/members/{self.user_id}")
        except ApiError:
            return False
        await self.load_channel(api, channel, member)
        return True

    async def fetch_categories(self, api: Api, team_id: str) -> None:
        found = await api.get(f"/users/{self.user_id}/teams/{team_id}/channels/categories")
        self.categories[team_id] = {"order": found["order"], "categories": {c["id"]: c for c in found["categories"]}}

    async def fetch_threads(self, api: Api, team_id: str) -> None:
        found = await api.get(f"/users/{self.user_id}/teams/{team_id}/threads?per_page={PAGE}")
        self.threads[team_id] = {t["id"]: _thread(t) for t in found["threads"]}

    async def fetch_team(self, api: Api, team_id: str) -> None:
        """mobile `fetchMyTeam` + `fetchMyChannelsForTeam` (channels, members, categories) and threads."""
        self.teams[team_id] = await api.get(f"/teams/{team_id}")
        self.team_members[team_id] = await api.get(f"/teams/{team_id}/members/{self.user_id}")
        channels = await api.get(f"/users/{self.user_id}/teams/{team_id}/channels?include_deleted=true")
        members = {m["channel_id"]: m for m in await api.get(f"/users/{self.user_id}/teams/{team_id}/channels/members")}
        for channel in channels:
            if channel["id"] not in self.channels:
                await self.load_channel(api, channel, members[channel["id"]])
        await self.fetch_categories(api, team_id)
        await self.fetch_threads(api, team_id)

    def drop_channel(self, channel_id: str) -> None:
        self.channels.pop(channel_id, None)
        self.members.pop(channel_id, None)
        for post_id in self.posts.pop(channel_id, {}):
            self.reactions.pop(post_id, None)

    # Applying one event -------------------------------------------------------------------------------------------

    def _known_channel(self, channel_id: str, event: str) -> dict[str, Any]:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise Leak(f"{event} about channel {channel_id}, which user {self.me['username']} is not in")
        return channel

    async def apply(self, frame: dict[str, Any], api: Api) -> None:
        name, data, broadcast = frame["event"], frame["data"], frame["broadcast"]
        handler = getattr(self, "_on_" + name, None)
        if handler is None:
            raise AssertionError(f"the client model does not know the event {name!r}")
        await handler(data, broadcast, api)

    # posts and reactions

    async def _on_posted(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        post = json.loads(data["post"])
        cid = post["channel_id"]
        if cid not in self.channels:
            if not await self.fetch_my_channel(api, cid):
                raise Leak(f"posted in channel {cid}, which user {self.me['username']} may not read")
            return  # the fetch already holds the post and the counts
        if post["id"] in self.posts[cid]:
            return  # already loaded (mobile: "existing" post)
        self.posts[cid][post["id"]] = _post(post)
        channel, member = self.channels[cid], self.members[cid]
        is_root = not post["root_id"]
        channel["total_msg_count"] += 1
        channel["last_post_at"] = max(channel["last_post_at"], post["create_at"])
        if is_root:
            channel["total_msg_count_root"] += 1
            channel["last_root_post_at"] = max(channel["last_root_post_at"], post["create_at"])
        else:
            root = self.posts[cid].get(post["root_id"])
            if root is not None:
                root.update(reply_count=post["reply_count"], last_reply_at=post["create_at"], update_at=post["create_at"])
        if post["root_id"] and post["user_id"] == self.user_id and channel["team_id"] in self.threads:
            # one's own reply: the apps add the thread they now follow (others learn it by thread_updated)
            thread = await api.get(f"/users/{self.user_id}/teams/{channel['team_id']}/threads/{post['root_id']}")
            self.threads[channel["team_id"]][post["root_id"]] = _thread(thread)
        if post["user_id"] == self.user_id:  # one's own post (and own system notice) is read
            member.update(
                msg_count=channel["total_msg_count"],
                msg_count_root=channel["total_msg_count_root"],
                mention_count=0,
                mention_count_root=0,
                urgent_mention_count=0,
                last_viewed_at=post["create_at"],
                last_update_at=post["create_at"],
            )
        elif self.user_id in json.loads(data.get("mentions", "[]")):
            member["mention_count"] += 1
            if is_root:
                member["mention_count_root"] += 1
            member["last_update_at"] = post["create_at"]

    async def _on_ephemeral_message(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        """Shown to this user only and never stored: nothing the server's state holds changes."""
        post = json.loads(data["post"])
        self._known_channel(post["channel_id"], "ephemeral_message")
        assert post["user_id"] == self.user_id and post["type"].startswith("system_ephemeral"), post

    async def _on_post_edited(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        post = json.loads(data["post"])
        self._known_channel(post["channel_id"], "post_edited")
        if post["id"] in self.posts[post["channel_id"]]:
            self.posts[post["channel_id"]][post["id"]] = _post(post)

    async def _on_post_deleted(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        post = json.loads(data["post"])
        cid = post["channel_id"]
        self._known_channel(cid, "post_deleted")
        posts = self.posts[cid]
        gone = [post["id"]] + ([p for p, v in posts.items() if v["root_id"] == post["id"]] if not post["root_id"] else [])
        for pid in gone:
            posts.pop(pid, None)
            self.reactions.pop(pid, None)
        if not post["root_id"]:  # a deleted root's thread leaves the thread lists
            for threads in self.threads.values():
                threads.pop(post["id"], None)
        root = posts.get(post["root_id"]) if post["root_id"] else None
        if root is not None:
            root.update(reply_count=max(root["reply_count"] - 1, 0), update_at=post["delete_at"])
        if post["root_id"]:  # mobile `fetchThread` for a followed thread
            for team_id, threads in self.threads.items():
                if post["root_id"] in threads:
                    threads[post["root_id"]] = _thread(await api.get(f"/users/{self.user_id}/teams/{team_id}/threads/{post['root_id']}"))

    async def _on_reaction_added(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        reaction = json.loads(data["reaction"])
        self._known_channel(broadcast["channel_id"], "reaction_added")
        post = self.posts[broadcast["channel_id"]].get(reaction["post_id"])
        self.reactions.setdefault(reaction["post_id"], {})[_reaction_key(reaction)] = reaction
        if post is not None:
            post["has_reactions"] = True
            post["update_at"] = max(post["update_at"], reaction["update_at"])

    async def _on_reaction_removed(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        reaction = json.loads(data["reaction"])
        self._known_channel(broadcast["channel_id"], "reaction_removed")
        left = self.reactions.setdefault(reaction["post_id"], {})
        left.pop(_reaction_key(reaction), None)
        post = self.posts[broadcast["channel_id"]].get(reaction["post_id"])
        if post is not None:
            if left:
                post["has_reactions"] = True
            else:
                post.pop("has_reactions", None)
            post["update_at"] = max(post["update_at"], reaction["update_at"])

    async def _on_typing(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        self._known_channel(broadcast["channel_id"], "typing")

    async def _on_post_unread(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        """mobile `handlePostUnread`: fetches the channel and member again (`fetchMyChannel`)."""
        self._known_channel(broadcast["channel_id"], "post_unread")
        if not await self.fetch_my_channel(api, broadcast["channel_id"]):
            raise Leak(f"post_unread for channel {broadcast['channel_id']} the user may not read")

    # channels

    async def _on_channel_created(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        if not await self.fetch_my_channel(api, data["channel_id"]):
            raise Leak(f"channel_created for {data['channel_id']} the user may not read")
        await self.fetch_categories(api, data["team_id"])  # mobile `addChannelToDefaultCategory`

    async def _on_channel_updated(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        channel = json.loads(data["channel"])
        self._known_channel(channel["id"], "channel_updated")
        self.channels[channel["id"]] = channel

    async def _on_channel_converted(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        if data["channel_id"] in self.channels:  # mobile `fetchChannelById`
            self.channels[data["channel_id"]] = await api.get(f"/channels/{data['channel_id']}")

    async def _on_channel_deleted(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        channel = self.channels.get(data["channel_id"])
        if channel is not None:  # ExperimentalViewArchivedChannels is on: the channel stays, archived
            channel["delete_at"] = channel["update_at"] = data["delete_at"]

    async def _on_channel_restored(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        if data["channel_id"] in self.channels:  # the event has no update time: fetch the channel (webapp `getChannel`)
            self.channels[data["channel_id"]] = await api.get(f"/channels/{data['channel_id']}")

    async def _on_channel_member_updated(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        member = json.loads(data["channelMember"])
        self._known_channel(member["channel_id"], "channel_member_updated")
        self.members[member["channel_id"]] = member

    async def _conversation_added(self, channel_id: str, api: Api) -> None:
        if channel_id in self.channels:
            return
        if not await self.fetch_my_channel(api, channel_id):
            raise Leak(f"a direct or group channel {channel_id} the user is not in")
        for team_id in self.teams:
            await self.fetch_categories(api, team_id)

    async def _on_direct_added(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        await self._conversation_added(broadcast["channel_id"], api)

    async def _on_group_added(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        await self._conversation_added(broadcast["channel_id"], api)

    async def _on_user_added(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        cid = broadcast["channel_id"]
        if data["user_id"] != self.user_id:
            self._known_channel(cid, "user_added")
            return
        if not await self.fetch_my_channel(api, cid):
            raise Leak(f"user_added to {cid}, which the user may not read")
        await self.fetch_categories(api, data["team_id"])

    async def _on_user_removed(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        if broadcast["user_id"] == self.user_id:  # I was removed: mobile `removeCurrentUserFromChannel`
            self.drop_channel(data["channel_id"])
            for team in self.categories.values():
                for category in team["categories"].values():
                    if data["channel_id"] in category["channel_ids"]:
                        category["channel_ids"] = [c for c in category["channel_ids"] if c != data["channel_id"]]
        else:
            self._known_channel(broadcast["channel_id"], "user_removed")

    async def _on_multiple_channels_viewed(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        for cid, at in data["channel_times"].items():
            channel = self._known_channel(cid, "multiple_channels_viewed")
            self.members[cid].update(
                msg_count=channel["total_msg_count"],
                msg_count_root=channel["total_msg_count_root"],
                mention_count=0,
                mention_count_root=0,
                urgent_mention_count=0,
                last_viewed_at=at,
                last_update_at=at,
            )

    # teams

    async def _on_added_to_team(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        await self.fetch_team(api, data["team_id"])

    def _drop_team(self, team_id: str) -> None:
        self.teams.pop(team_id, None)
        self.team_members.pop(team_id, None)
        self.categories.pop(team_id, None)
        self.threads.pop(team_id, None)
        for cid in [c for c, channel in self.channels.items() if channel["team_id"] == team_id]:
            self.drop_channel(cid)

    async def _on_leave_team(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        if data["user_id"] == self.user_id:
            self._drop_team(data["team_id"])

    async def _on_update_team(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        team = json.loads(data["team"])
        if team["id"] in self.teams:  # events carry the team sanitized: keep what this user was allowed to see
            old = self.teams[team["id"]]
            self.teams[team["id"]] = {**team, **{k: old[k] for k in SANITIZED_TEAM_FIELDS if not team[k]}}

    async def _on_delete_team(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        self._drop_team(json.loads(data["team"])["id"])

    async def _on_restore_team(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        await self.fetch_team(api, json.loads(data["team"])["id"])

    async def _on_memberrole_updated(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        member = json.loads(data["member"])
        if member["user_id"] == self.user_id:
            self.team_members[member["team_id"]] = member
            # New roles may show more of the team (its email and invite id to those who manage it).
            self.teams[member["team_id"]] = await api.get(f"/teams/{member['team_id']}")

    # users

    async def _on_new_user(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        for user in await api.post("/users/ids", [data["user_id"]]):
            self.users[user["id"]] = user

    async def _on_user_updated(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        user = data["user"]
        if user["id"] == self.user_id:
            if not user.get("notify_props"):  # sanitized: mobile fetches itself (`fetchMe`)
                user = await api.get("/users/me")
            self.me = user
        self.users[user["id"]] = user

    async def _on_user_role_updated(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        if data["user_id"] == self.user_id:  # what one may see changes with one's roles: the webapp reloads
            fresh = await fetch_state(api)
            for name in self.__dataclass_fields__:
                setattr(self, name, getattr(fresh, name))

    async def _on_status_change(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        if data["user_id"] == self.user_id:
            self.status = data["status"]

    async def _on_preferences_changed(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        for pref in json.loads(data["preferences"]):
            self.preferences[f"{pref['category']}/{pref['name']}"] = pref

    async def _on_preferences_deleted(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        for pref in json.loads(data["preferences"]):
            self.preferences.pop(f"{pref['category']}/{pref['name']}", None)

    # sidebar categories

    async def _on_sidebar_category_created(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        await self.fetch_categories(api, broadcast["team_id"])

    async def _on_sidebar_category_updated(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        team = self.categories[broadcast["team_id"]]
        for category in json.loads(data["updatedCategories"]):
            team["categories"][category["id"]] = category

    async def _on_sidebar_category_deleted(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        self.categories[broadcast["team_id"]]["categories"].pop(data["category_id"], None)
        await self.fetch_categories(api, broadcast["team_id"])  # its channels moved back to the defaults

    async def _on_sidebar_category_order_updated(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        team = self.categories[broadcast["team_id"]]
        team["order"] = list(data["order"])
        for index, category_id in enumerate(data["order"]):  # as the apps do; the server steps by 10
            team["categories"][category_id]["sort_order"] = index * 10

    # custom emoji

    async def _on_emoji_added(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        emoji = json.loads(data["emoji"])
        self.emoji[emoji["id"]] = emoji

    # threads

    async def _on_thread_read_changed(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        threads = self.threads.get(broadcast["team_id"], {})
        if data.get("thread_id"):
            thread = threads.get(data["thread_id"])
            if thread is not None:
                thread.update(last_viewed_at=data["timestamp"], unread_mentions=data["unread_mentions"], unread_replies=data["unread_replies"])
            return
        for thread in threads.values():  # the whole team read
            thread.update(last_viewed_at=data["timestamp"], unread_mentions=0, unread_replies=0)

    async def _on_thread_updated(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        thread = json.loads(data["thread"])  # the thread as GET …/threads/{id} shows it to this user
        self.threads.setdefault(broadcast["team_id"], {})[thread["id"]] = _thread(thread)

    async def _on_thread_follow_changed(self, data: dict[str, Any], broadcast: dict[str, Any], api: Api) -> None:
        team_id, thread_id = broadcast["team_id"], data["thread_id"]
        threads = self.threads.setdefault(team_id, {})
        if not data["state"]:
            threads.pop(thread_id, None)  # the list holds followed threads only
        else:  # the webapp fetches a thread it does not hold
            threads[thread_id] = _thread(await api.get(f"/users/{self.user_id}/teams/{team_id}/threads/{thread_id}"))


async def fetch_state(api: Api) -> ClientState:
    """What a client holds after loading everything afresh."""
    state = ClientState(me=await api.get("/users/me"))
    uid = state.user_id
    state.users = {u["id"]: u for u in await api.get(f"/users?per_page={PAGE}")}
    state.teams = {t["id"]: t for t in await api.get(f"/users/{uid}/teams")}
    state.team_members = {m["team_id"]: m for m in await api.get(f"/users/{uid}/teams/members") if m["team_id"] in state.teams}
    members = {m["channel_id"]: m for m in await api.get(f"/users/{uid}/channel_members")}
    for channel in await api.get(f"/users/{uid}/channels?include_deleted=true"):
        if channel["team_id"] == "" or channel["team_id"] in state.teams:
            await state.load_channel(api, channel, members[channel["id"]])
    state.preferences = {f"{p['category']}/{p['name']}": p for p in await api.get(f"/users/{uid}/preferences")}
    state.status = (await api.get(f"/users/{uid}/status"))["status"]
    state.emoji = {e["id"]: e for e in await api.get(f"/emoji?per_page={PAGE}")}
    for team_id in state.teams:
        await state.fetch_categories(api, team_id)
        await state.fetch_threads(api, team_id)
    return state


def differences(applied: dict[str, Any], fresh: dict[str, Any], where: str = "") -> list[str]:
    """Where two snapshots differ, as readable paths (`channels.<id>.total_msg_count: 3 != 4`)."""
    if isinstance(applied, dict) and isinstance(fresh, dict):
        out: list[str] = []
        for key in sorted(set(applied) | set(fresh), key=str):
            path = f"{where}.{key}" if where else str(key)
            if key not in fresh:
                out.append(f"{path}: only in the applied state")
            elif key not in applied:
                out.append(f"{path}: only in the fresh fetch")
            else:
                out += differences(applied[key], fresh[key], path)
        return out
    return [] if applied == fresh else [f"{where}: applied {applied!r} != fresh {fresh!r}"]
