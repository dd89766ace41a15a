"""Who a new post notifies, worked out inside the post's transaction, and the queues it feeds.

`notify_post_txn` is the one call point: it reads the facts the rules need (a handful of queries, most of them
skipped for an ordinary post), applies lib/notify_rules.py, bumps the mentioned members' counters and returns
the plan: `mentioned` and `followers` go into the `posted` event (desktop notifications are shown by clients
from it), `push_user_ids` into the push outbox, and `email_user_ids` are the users an email is due to.
Queue rows are written in the same transaction as the post, so a notification is never lost to a crash
between the two, and posting never waits on a push service or an SMTP server.
"""

from __future__ import annotations

from dataclasses import dataclass

from kafana.actions import push
from kafana.actions.context import Services
from kafana.actions.statuses import effective
from kafana.db import UnitOfWork
from kafana.lib import notify_rules
from kafana.lib.mentions import parse_mentions
from kafana.lib.notify_rules import Plan, PostFacts, Recipient
from kafana.models import Channel, Post, User
from kafana.store import groups as groups_store
from kafana.store import posts as posts_store
from kafana.store import threads as threads_store
from kafana.store import users as users_store


@dataclass(slots=True)
class PostNotifications:
    plan: Plan
    # Users named with an @ who exist but are not in the channel: Mattermost tells the poster (ephemeral).
    not_in_channel: list[User]


async def notify_post_txn(
    uow: UnitOfWork, svc: Services, channel: Channel, post: Post, root: Post | None, sender: User | None, *, channel_mentions: bool
) -> PostNotifications:
    """`channel_mentions`: the sender may use @channel, @all and @here (use_channel_mentions)."""
    db = uow.session
    words = parse_mentions(post.message)
    system = post.type.startswith("system_")
    groups = await groups_store.members_of_named(db, sorted(words.usernames)) if words.usernames and channel.type in ("O", "P") else {}
    followers: set[str] = set()
    thread_people: set[str] = set()
    if root is not None:
        followers = await threads_store.get_follower_ids(db, root.id)
        thread = await threads_store.get_thread(db, root.id)
        thread_people = {root.user_id, *((thread.participants or []) if thread else [])}
    everyone = channel.type in ("D", "G") or words.channel_wide or words.here
    rows = await posts_store.get_mention_candidates(
        db, channel.id, sorted(words.usernames), everyone=everyone, user_ids=sorted({*groups, *followers, *thread_people})
    )
    statuses = await users_store.get_statuses(db, [r[0] for r in rows if r[0] != post.user_id])
    now_seconds = post.create_at // 1000
    recipients = [
        Recipient(
            user_id=uid,
            username=username,
            mention_keys=keys,
            props=props,
            channel_props=member_props,
            status=effective(statuses[uid], now_seconds).status if uid in statuses else "offline",
            groups=frozenset(groups.get(uid, ())),
            follows_thread=uid in followers,
            started_thread=root is not None and root.user_id == uid,
            in_thread=uid in thread_people,
        )
        for uid, username, keys, props, member_props in rows
    ]
    facts = PostFacts(post.user_id, channel.type, words, is_reply=root is not None, channel_mentions_allowed=channel_mentions, system=system)
    plan = notify_rules.plan(facts, recipients)
    await posts_store.bump_mentions(db, channel.id, plan.mentioned, is_root=not post.root_id, at=post.create_at)
    await push.enqueue_post_txn(uow, svc, channel, post, sender.username if sender else "System", plan.push_user_ids)
    missing = words.usernames - {r.username for r in recipients} - {n for names in groups.values() for n in names}
    not_in_channel: list[User] = []
    if missing and channel.type in ("O", "P") and not system:
        not_in_channel = [u for u in await users_store.get_users_by_usernames(db, sorted(missing)[:50]) if u.delete_at == 0 and u.id != post.user_id]
    return PostNotifications(plan, not_in_channel)
