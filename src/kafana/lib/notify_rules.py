"""Who a post notifies, and through what: Mattermost's notification rules as pure functions.

Everything the rules need is read beforehand (actions/notifications.py) into `Recipient` and `PostFacts`, so
the rules can be tested without a database and the reads stay a fixed handful of queries per post.

A recipient is *mentioned* (counted in their mention badge, listed in the `posted` event's `mentions`) by a
DM or group message, @username, a user group they belong to, @channel/@all (unless they ignore channel-wide
mentions), @here while online, one of their mention keys, or a reply to a thread they started or took part in
when their `comments` setting asks for it. Followers of a thread who are not mentioned get thread
notifications as their `*_threads` settings say (`followers` in the event). Then each channel: desktop, push
and email apply the user's level (all / mention / none; the member's channel setting overrides unless
`default`), mute, do-not-disturb and the user's status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kafana.lib.mentions import MentionWords, keys_match

LEVELS = frozenset({"all", "mention", "none"})


@dataclass(frozen=True, slots=True)
class Recipient:
    """One channel member who might be notified."""

    user_id: str
    username: str
    mention_keys: str = ""  # derived: custom keys and the first name if chosen (lib.mentions.user_mention_keys)
    props: Mapping[str, str] = field(default_factory=dict)  # the user's notify_props
    channel_props: Mapping[str, str] = field(default_factory=dict)  # the membership's notify_props
    status: str = "offline"  # as shown now: online, away, dnd (still running) or offline
    groups: frozenset[str] = frozenset()  # lower-cased names of the user's groups that the post names
    follows_thread: bool = False  # follows the thread the post replies to
    started_thread: bool = False  # wrote the root of that thread
    in_thread: bool = False  # wrote the root or a reply of that thread


@dataclass(frozen=True, slots=True)
class PostFacts:
    sender_id: str
    channel_type: str  # O, P, D, G
    words: MentionWords
    is_reply: bool = False
    channel_mentions_allowed: bool = True  # the sender holds use_channel_mentions
    system: bool = False  # join/leave and other system_* posts notify nobody


@dataclass(frozen=True, slots=True)
class Delivery:
    desktop: bool = False
    push: bool = False
    email: bool = False


@dataclass(slots=True)
class Plan:
    """The outcome for one post. `mentioned` and `followers` are the `posted` event's lists; `deliveries` holds
    every recipient who gets at least one kind of notification."""

    mentioned: list[str] = field(default_factory=list)
    followers: list[str] = field(default_factory=list)
    deliveries: dict[str, Delivery] = field(default_factory=dict)

    @property
    def push_user_ids(self) -> list[str]:
        return sorted(u for u, d in self.deliveries.items() if d.push)

    @property
    def email_user_ids(self) -> list[str]:
        """Who should get an email about this post (batched by the email outbox)."""
        return sorted(u for u, d in self.deliveries.items() if d.email)

    @property
    def desktop_user_ids(self) -> list[str]:
        return sorted(u for u, d in self.deliveries.items() if d.desktop)


def ignores_channel_mentions(r: Recipient) -> bool:
    """The member's `ignore_channel_mentions` (on/off) wins; `default` follows the user's `channel` setting."""
    setting = r.channel_props.get("ignore_channel_mentions", "default")
    if setting in ("on", "off"):
        return setting == "on"
    return r.props.get("channel", "true") == "false"


def is_mentioned(post: PostFacts, r: Recipient) -> bool:
    if r.user_id == post.sender_id or post.system:
        return False
    if post.channel_type in ("D", "G"):
        return True
    words = post.words
    if r.username in words.usernames or r.groups:
        return True
    wide = words.channel_wide or (words.here and r.status == "online")
    if wide and post.channel_mentions_allowed and not ignores_channel_mentions(r):
        return True
    if r.mention_keys and keys_match(r.mention_keys, words.words):
        return True
    if post.is_reply:
        comments = r.props.get("comments", "never")
        return (comments == "root" and r.started_thread) or (comments == "any" and r.in_thread)
    return False


def is_muted(r: Recipient) -> bool:
    return r.channel_props.get("mark_unread") == "mention"


def level(r: Recipient, kind: str) -> str:
    """The effective all / mention / none level for desktop, push or email."""
    chosen = str(r.channel_props.get(kind, "default"))
    if chosen not in LEVELS:
        chosen = str(r.props.get(kind, "mention"))
    if chosen == "true":  # the user-level email setting is a boolean in Mattermost
        return "mention"
    return chosen if chosen in LEVELS else ("none" if chosen == "false" else "mention")


def status_allows_push(r: Recipient) -> bool:
    """Mattermost's push_status: push while online too (`online`), only when away or offline, or only offline."""
    if r.status == "dnd":
        return False
    wanted = r.props.get("push_status", "online")
    if wanted == "away":
        return r.status in ("away", "offline")
    if wanted == "offline":
        return r.status == "offline"
    return True


def _wants(r: Recipient, kind: str, mentioned: bool, follower: bool) -> bool:
    """A level of `mention` also covers followed threads whose `<kind>_threads` setting is `all`."""
    chosen = level(r, kind)
    thread_news = follower and r.props.get(f"{kind}_threads", "all") == "all"
    return chosen == "all" or (chosen == "mention" and (mentioned or thread_news))


def deliver(post: PostFacts, r: Recipient, mentioned: bool, follower: bool) -> Delivery:
    """Email goes only about mentions and followed threads, and only to users not online (Mattermost's rule);
    do-not-disturb silences desktop and push, not email."""
    if r.user_id == post.sender_id or post.system or is_muted(r):
        return Delivery()
    desktop = r.status != "dnd" and _wants(r, "desktop", mentioned, follower)
    push = status_allows_push(r) and _wants(r, "push", mentioned, follower)
    email = r.status != "online" and (mentioned or follower) and _wants(r, "email", mentioned, follower)
    return Delivery(desktop=desktop, push=push, email=email)


def plan(post: PostFacts, recipients: Iterable[Recipient]) -> Plan:
    """Apply the rules to every candidate; the lists come out sorted, so events and queues are stable."""
    out = Plan()
    for r in recipients:
        if r.user_id == post.sender_id:
            continue
        mentioned = is_mentioned(post, r)
        follower = not mentioned and r.follows_thread and post.is_reply
        if mentioned:
            out.mentioned.append(r.user_id)
        delivery = deliver(post, r, mentioned, follower)
        if follower and delivery.desktop:
            out.followers.append(r.user_id)
        if delivery.desktop or delivery.push or delivery.email:
            out.deliveries[r.user_id] = delivery
    out.mentioned.sort()
    out.followers.sort()
    return out
