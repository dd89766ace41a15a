"""Search through the real `mattermostdriver`, as bots and Matterbridge call it: POST /teams/{id}/posts/search."""

from __future__ import annotations

import secrets

import pytest
from mattermostdriver import Driver
from mattermostdriver.exceptions import InvalidOrMissingParameters

from tests.compat.conftest import LiveServer
from tests.compat.shapes import assert_id

pytestmark = [pytest.mark.xdist_group("live")]

PASSWORD = "correct-horse-battery"


def signed_up(server: LiveServer, username: str) -> Driver:
    driver = Driver({"url": server.host, "port": server.port, "scheme": "http", "basepath": "/api/v4", "request_timeout": 30})
    driver.users.create_user({"username": username, "email": f"{username}@example.com", "password": PASSWORD})
    driver.options.update({"login_id": username, "password": PASSWORD})
    driver.login()
    return driver


def test_search_through_mattermostdriver(live_server: LiveServer) -> None:
    tag = secrets.token_hex(3)
    dora, eve = signed_up(live_server, f"dora{tag}"), signed_up(live_server, f"eve{tag}")
    team = dora.teams.create_team({"name": f"search{tag}", "display_name": "Search", "type": "O"})
    dora.teams.add_user_to_team(team["id"], {"team_id": team["id"], "user_id": eve.client.userid})
    channel = dora.channels.create_channel({"team_id": team["id"], "name": f"plans{tag}", "display_name": "Plans", "type": "P"})
    first = dora.posts.create_post({"channel_id": channel["id"], "message": f"Quarterly plan for the Café {tag}"})
    second = dora.posts.create_post({"channel_id": channel["id"], "message": f"plan B {tag} #budget"})

    found = dora.posts.search_for_team_posts(team["id"], {"terms": f"plan {tag}", "is_or_search": False})
    assert found["order"] == [second["id"], first["id"]]
    for post_id in found["order"]:
        assert_id(post_id)
        assert found["posts"][post_id]["channel_id"] == channel["id"]
    assert found["matches"][first["id"]] == ["plan", tag]
    narrowed = dora.posts.search_for_team_posts(team["id"], {"terms": f'"quarterly plan" cafe in:plans{tag} from:dora{tag}'})
    assert narrowed["order"] == [first["id"]]
    assert narrowed["matches"][first["id"]] == ["Quarterly", "plan", "Café"]
    assert dora.posts.search_for_team_posts(team["id"], {"terms": "#budget"})["order"] == [second["id"]]
    # eve is in the team but not in the private channel: nothing of it matches for her.
    assert eve.posts.search_for_team_posts(team["id"], {"terms": f"plan {tag}"})["order"] == []
    with pytest.raises(InvalidOrMissingParameters):
        dora.posts.search_for_team_posts(team["id"], {"terms": "plan on:someday"})
