"""Sidebar category queries on both engines: idempotent default rows, order, the user's sidebar channels."""

from __future__ import annotations

from typing import Any

from kafana.actions.context import Services
from kafana.lib.ids import new_id
from kafana.models import Channel, ChannelMember
from kafana.store import categories as categories_store


def _row(id: str, user_id: str, team_id: str, type: str, sort_order: int, channel_ids: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": id, "user_id": user_id, "team_id": team_id, "type": type, "display_name": type, "sorting": "", "sort_order": sort_order,
        "muted": False, "collapsed": False, "channel_ids": channel_ids or [],
    }  # fmt: skip


async def test_insert_ignore_order_and_delete(services: Services) -> None:
    uid, team, other_team = new_id(), new_id(), new_id()
    async with services.db.write() as uow:
        assert await categories_store.insert_categories(uow.session, [_row("b", uid, team, "channels", 10), _row("a", uid, team, "favorites", 0, ["x"])]) == 2
        assert await categories_store.insert_categories(uow.session, [_row("a", uid, team, "favorites", 99), _row("c", uid, other_team, "favorites", 0)]) == 1
    async with services.db.write() as uow:
        rows = await categories_store.get_categories(uow.session, uid, team, for_update=True)
        assert [(c.id, c.sort_order, c.channel_ids) for c in rows] == [("a", 0, ["x"]), ("b", 10, [])]
        rows[0].channel_ids = ["y", "x"]
    async with services.db.read() as db:
        assert [c.channel_ids for c in await categories_store.get_categories(db, uid, team)] == [["y", "x"], []]
        assert [c.id for c in await categories_store.get_categories_of_type(db, uid, "favorites")] in (["a", "c"], ["c", "a"])
    async with services.db.write() as uow:
        await categories_store.delete_category(uow.session, "a")
    async with services.db.read() as db:
        assert [c.id for c in await categories_store.get_categories(db, uid, team)] == ["b"]


async def test_sidebar_channels(services: Services) -> None:
    uid, team = new_id(), new_id()

    def channel(team_id: str, type: str, display_name: str, *, delete_at: int = 0) -> Channel:
        return Channel(id=new_id(), team_id=team_id, type=type, name=new_id(), display_name=display_name, delete_at=delete_at)

    zeta, alpha, archived, foreign, dm, not_mine = (
        channel(team, "O", "Zeta"),
        channel(team, "P", "Alpha"),
        channel(team, "O", "Archived", delete_at=5),
        channel(new_id(), "O", "Foreign"),
        channel("", "D", ""),
        channel(team, "O", "Not mine"),
    )
    async with services.db.write() as uow:
        uow.session.add_all([zeta, alpha, archived, foreign, dm, not_mine])
        uow.session.add_all([ChannelMember(channel_id=c.id, user_id=uid) for c in (zeta, alpha, archived, foreign, dm)])
    async with services.db.read() as db:
        found = await categories_store.get_sidebar_channels(db, uid, team)
    assert [(c.id, c.type) for c in found] == [(dm.id, "D"), (alpha.id, "P"), (archived.id, "O"), (zeta.id, "O")]
