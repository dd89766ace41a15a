"""Status writes on both engines: insert, then replace."""

from __future__ import annotations

from kafana.actions.context import Services
from kafana.lib.ids import new_id
from kafana.models import Status
from kafana.store import statuses as statuses_store
from kafana.store import users as users_store


async def test_save_status_inserts_then_replaces(services: Services) -> None:
    uid = new_id()
    async with services.db.write() as uow:
        assert await statuses_store.get_status_for_update(uow.session, uid) is None
        await statuses_store.save_status(uow.session, Status(user_id=uid, status="dnd", manual=True, last_activity_at=5, dnd_end_time=77, prev_status="away"))
    async with services.db.write() as uow:
        current = await statuses_store.get_status_for_update(uow.session, uid)
        assert current is not None and (current.status, current.dnd_end_time, current.prev_status) == ("dnd", 77, "away")
        await statuses_store.save_status(uow.session, Status(user_id=uid, status="online", manual=False, last_activity_at=9, dnd_end_time=0, prev_status=""))
    async with services.db.read() as db:
        found = await users_store.get_statuses(db, [uid, new_id()])
    assert list(found) == [uid] and (found[uid].status, found[uid].manual, found[uid].last_activity_at, found[uid].dnd_end_time) == ("online", False, 9, 0)
