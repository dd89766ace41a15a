"""Preference queries on both engines: upsert, multi-key delete, saved posts joined to live posts."""

from __future__ import annotations

from kafana.actions.context import Services
from kafana.lib.ids import new_id
from kafana.models import Channel, Post
from kafana.store import preferences as preferences_store


def _post(channel_id: str, create_at: int, *, delete_at: int = 0) -> Post:
    return Post(id=new_id(), channel_id=channel_id, user_id=new_id(), create_at=create_at, update_at=create_at, delete_at=delete_at, message="m")


async def test_upsert_read_and_delete(services: Services) -> None:
    uid, other = new_id(), new_id()
    async with services.db.write() as uow:
        rows = [
            {"user_id": uid, "category": "a", "name": "x", "value": "1"},
            {"user_id": uid, "category": "a", "name": "y", "value": "2"},
            {"user_id": uid, "category": "b", "name": "", "value": "3"},
            {"user_id": other, "category": "a", "name": "x", "value": "other"},
        ]
        await preferences_store.save_preferences(uow.session, rows)
    async with services.db.write() as uow:
        await preferences_store.save_preferences(uow.session, [{"user_id": uid, "category": "a", "name": "x", "value": "changed"}])
        await preferences_store.save_preferences(uow.session, [])
    async with services.db.read() as db:
        mine = await preferences_store.get_preferences(db, uid)
        category = await preferences_store.get_preferences(db, uid, category="a")
        one = await preferences_store.get_preferences(db, uid, category="b", name="")
        names = await preferences_store.get_preference_names(db, uid, "a", value="2")
    assert [(p.category, p.name, p.value) for p in mine] == [("a", "x", "changed"), ("a", "y", "2"), ("b", "", "3")]
    assert [p.name for p in category] == ["x", "y"] and [p.value for p in one] == ["3"] and names == ["y"]
    async with services.db.write() as uow:
        await preferences_store.delete_preferences(uow.session, uid, [("a", "x"), ("b", ""), ("a", "x"), ("zz", "none")])
        await preferences_store.delete_preferences(uow.session, uid, [])
    async with services.db.read() as db:
        assert [(p.category, p.name) for p in await preferences_store.get_preferences(db, uid)] == [("a", "y")]
        assert [p.value for p in await preferences_store.get_preferences(db, other)] == ["other"]


async def test_flagged_post_ids(services: Services) -> None:
    uid, team, other_team = new_id(), new_id(), new_id()
    channel = Channel(id=new_id(), team_id=team, type="O", name="c", display_name="C")
    elsewhere = Channel(id=new_id(), team_id=other_team, type="O", name="e", display_name="E")
    dm = Channel(id=new_id(), team_id="", type="D", name="d", display_name="")
    old, new, gone, far, direct, unflagged = (
        _post(channel.id, 1),
        _post(channel.id, 3),
        _post(channel.id, 2, delete_at=9),
        _post(elsewhere.id, 4),
        _post(dm.id, 5),
        _post(channel.id, 6),
    )
    async with services.db.write() as uow:
        uow.session.add_all([channel, elsewhere, dm, old, new, gone, far, direct, unflagged])
        rows = [{"user_id": uid, "category": "flagged_post", "name": p.id, "value": "true"} for p in (old, new, gone, far, direct)]
        rows.append({"user_id": uid, "category": "flagged_post", "name": unflagged.id, "value": "false"})
        await preferences_store.save_preferences(uow.session, rows)
    async with services.db.read() as db:
        everything = await preferences_store.get_flagged_post_ids(db, uid)
        in_channel = await preferences_store.get_flagged_post_ids(db, uid, channel_id=channel.id)
        in_team = await preferences_store.get_flagged_post_ids(db, uid, team_id=team)
        page = await preferences_store.get_flagged_post_ids(db, uid, offset=1, limit=2)
        nobody = await preferences_store.get_flagged_post_ids(db, new_id())
    assert everything == [direct.id, far.id, new.id, old.id]
    assert in_channel == [new.id, old.id] and in_team == [direct.id, new.id, old.id] and page == [far.id, new.id] and nobody == []
