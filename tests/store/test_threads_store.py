"""Thread queries on both engines: followed threads a user may read, totals, unread replies, cursors, mark-all-read."""

from __future__ import annotations

from dataclasses import dataclass

from kafana.actions.context import Services
from kafana.lib.ids import new_id
from kafana.models import Channel, ChannelMember, Post, Thread, ThreadMembership
from kafana.store import threads as threads_store


@dataclass
class World:
    me: str
    team: str
    public: Channel  # not a member: readable because public
    private: Channel  # a member
    hidden: Channel  # private, not a member
    dm: Channel  # a member
    foreign: Channel  # public, another team


def _channel(team: str, type: str) -> Channel:
    return Channel(id=new_id(), team_id=team, type=type, name=new_id(), display_name="c")


async def _thread(
    services: Services, channel: Channel, me: str, *, last_reply_at: int, last_viewed: int = 0, mentions: int = 0, following: bool = True
) -> Post:
    """A root by someone else with two replies (one by `me` at last_viewed when it is set), followed by `me`."""
    other = new_id()
    root = Post(id=new_id(), channel_id=channel.id, user_id=other, create_at=last_reply_at - 100, update_at=last_reply_at, message="root", reply_count=2)
    replies = [
        Post(id=new_id(), channel_id=channel.id, user_id=other, root_id=root.id, create_at=last_reply_at - 50, message="a"),
        Post(id=new_id(), channel_id=channel.id, user_id=other, root_id=root.id, create_at=last_reply_at, message="b"),
    ]
    thread = Thread(post_id=root.id, channel_id=channel.id, reply_count=2, last_reply_at=last_reply_at, participants=[other])
    membership = ThreadMembership(
        post_id=root.id, user_id=me, following=following, last_viewed=last_viewed, last_updated=last_reply_at, unread_mentions=mentions
    )
    async with services.db.write() as uow:
        uow.session.add_all([root, *replies, thread, membership])
    return root


async def _world(services: Services) -> World:
    me, team = new_id(), new_id()
    world = World(me, team, _channel(team, "O"), _channel(team, "P"), _channel(team, "P"), _channel("", "D"), _channel(new_id(), "O"))
    async with services.db.write() as uow:
        uow.session.add_all([world.public, world.private, world.hidden, world.dm, world.foreign])
        uow.session.add_all([ChannelMember(channel_id=c.id, user_id=me) for c in (world.private, world.dm)])
    return world


async def test_followed_readable_threads_and_totals(services: Services) -> None:
    w = await _world(services)
    public = await _thread(services, w.public, w.me, last_reply_at=1000, mentions=1)
    private = await _thread(services, w.private, w.me, last_reply_at=2000, last_viewed=1975)
    dm = await _thread(services, w.dm, w.me, last_reply_at=3000, last_viewed=3000)
    await _thread(services, w.hidden, w.me, last_reply_at=4000, mentions=5)  # left the channel: invisible
    await _thread(services, w.foreign, w.me, last_reply_at=5000)  # another team
    await _thread(services, w.public, w.me, last_reply_at=6000, following=False)
    async with services.db.read() as db:
        rows = await threads_store.get_user_threads(db, w.me, w.team)
        totals = await threads_store.count_user_threads(db, w.me, w.team)
        unread = await threads_store.get_user_threads(db, w.me, w.team, unread=True)
        since = await threads_store.get_user_threads(db, w.me, w.team, since=2000)
        before = await threads_store.get_user_threads(db, w.me, w.team, before=(3000, dm.id), limit=1)
        after = await threads_store.get_user_threads(db, w.me, w.team, after=(1000, public.id), limit=1)
        replies = await threads_store.get_unread_replies(db, w.me, {r.root.id: r.membership.last_viewed for r in rows})
        mentions = await threads_store.get_mention_counts_by_channel(db, w.me, w.team)
        later = await threads_store.get_replies_after(db, public.id, 975, exclude_user=w.me)
    assert [r.root.id for r in rows] == [dm.id, private.id, public.id]
    assert (totals.total, totals.unread_threads, totals.unread_mentions) == (3, 2, 1)
    assert [r.root.id for r in unread] == [private.id, public.id]
    assert [r.root.id for r in since] == [dm.id, private.id]
    assert [r.root.id for r in before] == [private.id] and [r.root.id for r in after] == [private.id]
    assert replies == {public.id: 2, private.id: 1}
    assert mentions == {w.public.id: 1}
    assert [p.message for p in later] == ["b"]


async def test_deleted_roots_memberships_and_mark_all_read(services: Services) -> None:
    w = await _world(services)
    root = await _thread(services, w.public, w.me, last_reply_at=1000, mentions=2)
    gone = await _thread(services, w.dm, w.me, last_reply_at=2000, mentions=1)
    hidden = await _thread(services, w.hidden, w.me, last_reply_at=3000, mentions=4)
    async with services.db.write() as uow:
        stored = await uow.session.get(Post, gone.id)
        assert stored is not None
        stored.delete_at = 5
    async with services.db.read() as db:
        assert [r.root.id for r in await threads_store.get_user_threads(db, w.me, w.team)] == [root.id]
        assert [r.root.id for r in await threads_store.get_user_threads(db, w.me, w.team, deleted=True)] == [gone.id, root.id]
        assert (await threads_store.count_user_threads(db, w.me, w.team, deleted=True)).total == 2
    async with services.db.write() as uow:
        await threads_store.mark_all_read(uow.session, w.me, w.team, 9000)
        fresh = await threads_store.ensure_membership(uow.session, root.id, new_id(), 7, following=False)
        existing = await threads_store.ensure_membership(uow.session, root.id, w.me, 8, following=False)
        assert (fresh.following, fresh.last_updated, existing.following) == (False, 7, True)
    async with services.db.read() as db:
        read = await threads_store.get_membership(db, root.id, w.me)
        untouched = await threads_store.get_membership(db, hidden.id, w.me)
        totals = await threads_store.count_user_threads(db, w.me, w.team)
    assert read is not None and (read.last_viewed, read.unread_mentions, read.last_updated) == (9000, 0, 9000)
    assert untouched is not None and (untouched.last_viewed, untouched.unread_mentions) == (0, 4)  # not readable, not touched
    assert (totals.unread_threads, totals.unread_mentions) == (0, 0)
