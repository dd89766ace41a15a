"""Team use cases called the way the CLI and jobs call them: as the system, without an HTTP request."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kafana.actions import channels, teams
from kafana.actions.context import Services
from kafana.cli.main import app as cli
from kafana.lib.errors import AppError
from kafana.models.actor import SYSTEM
from kafana.store import channels as channels_store


async def test_system_creates_team_with_default_channels_and_no_members(services: Services) -> None:
    view = await teams.do_create_team(services, SYSTEM, teams.TeamDraft(name="volunteers", display_name="Volunteers", type="I"))
    assert view.email and view.invite_id and view.team.email == "" and view.team.type == "I"
    async with services.db.read() as db:
        found = await channels_store.get_team_channels(db, view.team.id)
        assert sorted(c.name for c in found) == ["off-topic", "town-square"]
        assert [await channels_store.get_channel_member_ids(db, c.id) for c in found] == [[], []]
    with pytest.raises(AppError) as exists:
        await teams.do_create_team(services, SYSTEM, teams.TeamDraft(name="volunteers", display_name="Again"))
    assert exists.value.id == "store.sql_team.save_team.existing.app_error"


async def test_system_may_create_channels_in_any_team(services: Services) -> None:
    view = await teams.do_create_team(services, SYSTEM, teams.TeamDraft(name="volunteers", display_name="Volunteers"))
    made = await channels.do_create_channel(services, SYSTEM, channels.ChannelDraft(team_id=view.team.id, name="news", display_name="News", type="O"))
    assert made.creator_id == "" and made.team_id == view.team.id


def test_cli_team_create(tmp_path: Path) -> None:
    runner = CliRunner()
    data = str(tmp_path / "data")
    first = runner.invoke(cli, ["team", "create", "--name", "Volunteers", "--display-name", "Wiki Volunteers", "--type", "O", "--data-dir", data])
    assert first.exit_code == 0, first.output
    assert "Created team volunteers (" in first.output
    again = runner.invoke(cli, ["team", "create", "--name", "volunteers", "--display-name", "Again", "--data-dir", data])
    assert again.exit_code == 1 and "store.sql_team.save_team.existing.app_error" in again.output
    bad = runner.invoke(cli, ["team", "create", "--name", "x", "--display-name", "X", "--type", "Q", "--data-dir", data])
    assert bad.exit_code == 1
