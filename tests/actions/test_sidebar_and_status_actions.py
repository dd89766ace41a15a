"""Pure parts of the sidebar and status use cases, and calling them as the system (CLI, jobs)."""

from __future__ import annotations

import pytest

from kafana.actions import categories, preferences, reactions, statuses
from kafana.actions.categories import CHANNELS, CUSTOM, DIRECT_MESSAGES, FAVORITES
from kafana.actions.context import Services
from kafana.lib.errors import AppError
from kafana.lib.ids import new_id
from kafana.models import SidebarCategory, Status
from kafana.models.actor import SYSTEM
from kafana.store.categories import SidebarChannel


def _category(type: str, channel_ids: list[str]) -> SidebarCategory:
    return SidebarCategory(id=f"{type}_{new_id()}", user_id="u", team_id="t", type=type, display_name=type, channel_ids=channel_ids)


def test_derive_places_each_channel_once() -> None:
    town, news, dm, gm = SidebarChannel("town", "O", "t"), SidebarChannel("news", "P", "t"), SidebarChannel("dm", "D", ""), SidebarChannel("gm", "G", "")
    favorites = _category(FAVORITES, ["news", "left-long-ago", "news"])
    custom = _category(CUSTOM, ["news", "dm"])  # news is already a favorite: first placement wins
    channels = _category(CHANNELS, ["dm"])  # a DM does not fit Channels
    direct = _category(DIRECT_MESSAGES, [])
    views = categories.derive([favorites, custom, channels, direct], [town, news, dm, gm])
    assert [v.channel_ids for v in views] == [["news"], ["dm"], ["town"], ["gm"]]


def test_expired_do_not_disturb_reads_as_previous_status() -> None:
    dnd = Status(user_id="u", status="dnd", manual=True, last_activity_at=1, dnd_end_time=100, prev_status="away")
    assert statuses.effective(dnd, 99) is dnd
    assert (statuses.effective(dnd, 100).status, statuses.effective(dnd, 100).dnd_end_time) == ("away", 0)
    forever = Status(user_id="u", status="dnd", manual=True, last_activity_at=1, dnd_end_time=0, prev_status="")
    assert statuses.effective(forever, 10**12) is forever


async def test_system_may_set_statuses_and_preferences_but_not_react(services: Services) -> None:
    with pytest.raises(AppError) as missing:
        await statuses.do_set_status(services, SYSTEM, new_id(), "online")
    assert missing.value.status_code == 404
    uid = new_id()
    await preferences.do_save_preferences(services, SYSTEM, uid, [preferences.PreferenceInput(uid, "display_settings", "x", "1")])
    assert [p.value for p in await preferences.get_preferences(services, SYSTEM, uid)] == ["1"]
    with pytest.raises(AppError) as refused:
        await reactions.do_add_reaction(services, SYSTEM, uid, new_id(), "smile")  # a reaction is always somebody's
    assert refused.value.status_code == 403
