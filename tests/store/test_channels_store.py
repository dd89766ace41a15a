"""Channel and team queries on both engines: read state, unread sums, user channel lists, search escaping."""

from __future__ import annotations

from typing import Any

from kafana.actions.context import Services
from kafana.lib.ids import new_id
from kafana.models import Channel, ChannelMember, Team, TeamMember, User
from kafana.store import channels as channels_store
from kafana.store import teams as teams_store


def _channel(team_id: str, name: str, type: str = "O", *, total: int = 0, total_root: int = 0, delete_at: int = 0) -> Channel:
    return Channel(
        id=new_id(),
        team_id=team_id,
        type=type,
        name=name,
        display_name=name.title(),
        delete_at=delete_at,
        total_msg_count=total,
        total_msg_count_root=total_root,
    )


def _member(channel: Channel, user_id: str, *, seen: int = 0, seen_root: int = 0, mentions: int = 0, props: dict[str, Any] | None = None) -> ChannelMember:
    return ChannelMember(
        channel_id=channel.id,
        user_id=user_id,
        msg_count=seen,
        msg_count_root=seen_root,
        mention_count=mentions,
        mention_count_root=mentions,
        notify_props=props or {},
    )


async def test_mark_viewed_catches_members_up(services: Services) -> None:
    uid, other = new_id(), new_id()
    a, b, c = _channel("t" * 26, "a", total=5, total_root=4), _channel("t" * 26, "b", total=2, total_root=2), _channel("t" * 26, "c", total=9)
    async with services.db.write() as uow:
        uow.session.add_all([a, b, c, _member(a, uid, mentions=3), _member(b, uid, seen=1), _member(c, other)])
    async with services.db.write() as uow:
        viewed = await channels_store.mark_viewed(uow.session, uid, [a.id, b.id, c.id, new_id()], 1234)
    assert sorted(viewed) == sorted([a.id, b.id])
    async with services.db.read() as db:
        members = {m.channel_id: m for m in await channels_store.get_channel_members_for_user(db, uid)}
        untouched = await channels_store.get_channel_member(db, c.id, other)
    assert (members[a.id].msg_count, members[a.id].msg_count_root, members[a.id].mention_count, members[a.id].last_viewed_at) == (5, 4, 0, 1234)
    assert (members[b.id].msg_count, members[b.id].last_viewed_at) == (2, 1234)
    assert untouched is not None and untouched.msg_count == 0 and untouched.last_viewed_at == 0
    async with services.db.write() as uow:
        assert await channels_store.mark_viewed(uow.session, uid, [], 1) == []


async def test_channel_unreads_per_team(services: Services) -> None:
    uid = new_id()
    t1, t2 = new_id(), new_id()
    live = _channel(t1, "live", total=10, total_root=6)
    muted = _channel(t1, "muted", total=4, total_root=4)
    gone = _channel(t1, "gone", total=7, delete_at=5)
    elsewhere = _channel(t2, "elsewhere", total=3, total_root=3)
    dm = _channel("", "dm", "D", total=8)
    async with services.db.write() as uow:
        uow.session.add_all([live, muted, gone, elsewhere, dm])
        uow.session.add_all(
            [
                _member(live, uid, seen=7, seen_root=5, mentions=2),
                _member(muted, uid, seen=1, seen_root=1, mentions=1, props={"mark_unread": "mention"}),
                _member(gone, uid),
                _member(elsewhere, uid, seen=3, seen_root=3),
                _member(dm, uid),
            ]
        )
    async with services.db.read() as db:
        rows = await teams_store.get_channel_unreads(db, uid, [t1, t2])
        none = await teams_store.get_channel_unreads(db, uid, [])
    by_channel = {r.channel_id: r for r in rows}
    assert set(by_channel) == {live.id, muted.id, elsewhere.id}  # archived channels and DMs do not count
    assert (by_channel[live.id].msg_count, by_channel[live.id].msg_count_root, by_channel[live.id].mention_count) == (3, 1, 2)
    assert by_channel[muted.id].notify_props == {"mark_unread": "mention"} and by_channel[muted.id].msg_count == 3
    assert by_channel[elsewhere.id].team_id == t2 and by_channel[elsewhere.id].msg_count == 0
    assert none == []


async def test_channels_for_user_include_dms_and_respect_deletion(services: Services) -> None:
    uid = new_id()
    team, other_team = new_id(), new_id()
    mine = _channel(team, "mine")
    archived = _channel(team, "archived", delete_at=5_000)
    foreign = _channel(other_team, "foreign")
    dm = _channel("", "dm", "D")
    not_mine = _channel(team, "not-mine")
    async with services.db.write() as uow:
        uow.session.add_all([mine, archived, foreign, dm, not_mine])
        uow.session.add_all([_member(c, uid) for c in (mine, archived, foreign, dm)])
    async with services.db.read() as db:
        live = await channels_store.get_channels_for_user(db, uid, team_id=team)
        with_deleted = await channels_store.get_channels_for_user(db, uid, team_id=team, include_deleted=True)
        recent = await channels_store.get_channels_for_user(db, uid, team_id=team, include_deleted=True, last_delete_at=5_000)
        everywhere = await channels_store.get_channels_for_user(db, uid)
        members = await channels_store.get_channel_members_for_user(db, uid, team_id=team)
        in_team = await channels_store.get_team_memberships(db, team, uid)
    assert {c.name for c in live} == {"mine", "dm"}
    assert {c.name for c in with_deleted} == {"mine", "dm", "archived"}
    assert {c.name for c in recent} == {"mine", "dm"}
    assert {c.name for c in everywhere} == {"mine", "dm", "foreign"}
    assert {m.channel_id for m in members} == {mine.id, archived.id, dm.id}
    assert {m.channel_id for m in in_team} == {mine.id, archived.id}


async def test_search_escapes_like_wildcards_and_hides_private(services: Services) -> None:
    team, uid = new_id(), new_id()
    public = _channel(team, "per-cent")
    public.display_name = "100% done"
    private = _channel(team, "secret-plans", "P")
    member_private = _channel(team, "my-plans", "P")
    async with services.db.write() as uow:
        uow.session.add_all([public, private, member_private, _member(member_private, uid)])
    async with services.db.read() as db:
        assert [c.name for c in await channels_store.search_channels(db, team, "%")] == ["per-cent"]
        assert await channels_store.search_channels(db, team, "_") == []
        assert await channels_store.search_channels(db, team, "plans") == []
        auto = await channels_store.search_channels(db, team, "", member_id=uid, prefix=True, include_private=True)
        assert {c.name for c in auto} == {"per-cent", "my-plans"}
        every = await channels_store.search_channels(db, team, "plans", member_id=None, include_private=True)
        assert {c.name for c in every} == {"secret-plans", "my-plans"}


async def test_member_counts_skip_deactivated_accounts(services: Services) -> None:
    team = Team(id=new_id(), name="crew", display_name="Crew")
    alive = User(id=new_id(), username="alive", email="alive@example.com")
    gone = User(id=new_id(), username="gone", email="gone@example.com", delete_at=5)
    left = User(id=new_id(), username="left", email="left@example.com")
    channel = _channel(team.id, "room")
    async with services.db.write() as uow:
        uow.session.add_all([team, alive, gone, left, channel, _member(channel, alive.id), _member(channel, gone.id)])
        uow.session.add_all(
            [
                TeamMember(team_id=team.id, user_id=alive.id),
                TeamMember(team_id=team.id, user_id=gone.id),
                TeamMember(team_id=team.id, user_id=left.id, delete_at=9),
            ]
        )
    async with services.db.read() as db:
        assert await teams_store.count_team_members(db, team.id) == (2, 1)
        assert await channels_store.count_channel_members(db, channel.id) == (1, 0)
        assert [m.user_id for m in await teams_store.get_team_members_for_user(db, left.id)] == []
        assert await channels_store.get_channel_totals(db, new_id()) == (0, 0)
