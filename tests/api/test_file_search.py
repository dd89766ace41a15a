"""File search over HTTP: names found by their words, ext:/from:/in:/dates, the index following attachments,
edits and deletes, and only files of posts the searcher can read now (A7). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.api.searching import World, make_world
from tests.helpers import Api


@pytest.fixture
async def world(admin: Api, team: dict[str, Any]) -> World:
    return await make_world(admin, team)


async def test_names_are_found_by_their_words(world: World) -> None:
    await world.share(world.alice, world.town, "report_2024.pdf", "Quarterly-Report.final.DOCX", "notes.txt")
    await world.share(world.alice, world.town, "Résumé Zoë.pdf", "東京の地図.png")
    assert await world.found_files(world.bob, "report") == ["Quarterly-Report.final.DOCX", "report_2024.pdf"]
    assert await world.found_files(world.bob, "2024") == ["report_2024.pdf"]
    assert await world.found_files(world.bob, '"report 2024"') == ["report_2024.pdf"]
    assert await world.found_files(world.bob, "report_2024.pdf") == ["report_2024.pdf"]
    assert await world.found_files(world.bob, "quart* final") == ["Quarterly-Report.final.DOCX"]
    assert await world.found_files(world.bob, "report -final") == ["report_2024.pdf"]
    assert await world.found_files(world.bob, "notes report", is_or_search=True) == ["notes.txt", "Quarterly-Report.final.DOCX", "report_2024.pdf"]
    assert await world.found_files(world.bob, "resume zoe") == ["Résumé Zoë.pdf"]
    assert await world.found_files(world.bob, "地図") == ["東京の地図.png"]
    assert await world.found_files(world.bob, "#report") == ["Quarterly-Report.final.DOCX", "report_2024.pdf"]  # a word here
    assert await world.found_files(world.bob, "repo") == []


async def test_extensions(world: World) -> None:
    await world.share(world.alice, world.town, "plan.pdf", "plan.PNG", "plan.txt", "budget.pdf")
    assert await world.found_files(world.bob, "ext:pdf") == ["budget.pdf", "plan.pdf"]
    assert await world.found_files(world.bob, "plan ext:.PDF") == ["plan.pdf"]
    assert await world.found_files(world.bob, "plan ext:png ext:txt") == ["plan.txt", "plan.PNG"]
    assert await world.found_files(world.bob, "plan -ext:pdf -ext:txt") == ["plan.PNG"]
    assert await world.found_files(world.bob, "ext:doc") == []


async def test_from_in_and_dates(world: World) -> None:
    await world.share(world.alice, world.town, "alice-town.pdf")
    await world.share(world.bob, world.town, "bob-town.pdf")
    await world.share(world.bob, world.dev, "bob-dev.pdf")
    assert await world.found_files(world.alice, "from:bob") == ["bob-dev.pdf", "bob-town.pdf"]
    assert await world.found_files(world.alice, "pdf -from:bob") == ["alice-town.pdf"]
    assert await world.found_files(world.alice, "in:dev") == ["bob-dev.pdf"]
    assert await world.found_files(world.alice, "town in:town from:bob") == ["bob-town.pdf"]
    assert await world.found_files(world.alice, "pdf -in:town") == ["bob-dev.pdf"]
    assert await world.found_files(world.alice, "pdf from:nobody") == []
    today = dt.datetime.now(dt.UTC).date()
    yesterday = today - dt.timedelta(days=1)
    assert await world.found_files(world.alice, f"alice on:{today}") == ["alice-town.pdf"]
    assert await world.found_files(world.alice, f"alice after:{yesterday}") == ["alice-town.pdf"]
    assert await world.found_files(world.alice, f"alice before:{today}") == []
    assert await world.found_files(world.alice, f"alice -on:{today}") == []


async def test_only_attached_files_and_the_index_follows_posts(world: World) -> None:
    await world.upload(world.alice, world.town, "draft-never-posted.pdf")
    assert await world.found_files(world.bob, "draft") == []
    post = await world.share(world.alice, world.town, "keep.pdf", "drop.pdf")
    assert await world.found_files(world.bob, "pdf") == ["drop.pdf", "keep.pdf"]
    later = await world.upload(world.alice, world.town, "added-later.pdf")
    kept = [i for i in post["file_ids"] if i != post["file_ids"][1]]
    await world.alice.put(f"/posts/{post['id']}/patch", {"file_ids": [*kept, later]})
    assert await world.found_files(world.bob, "pdf") == ["added-later.pdf", "keep.pdf"]
    await world.alice.delete(f"/posts/{post['id']}")
    assert await world.found_files(world.bob, "pdf") == []
    root = await world.say(world.alice, world.town, "a thread")
    await world.share(world.bob, world.town, "in-a-reply.pdf", message="reply", root_id=root["id"])
    assert await world.found_files(world.bob, "reply") == ["in-a-reply.pdf"]
    await world.alice.delete(f"/posts/{root['id']}")
    assert await world.found_files(world.bob, "reply") == []


async def test_only_files_the_searcher_can_read_now(world: World) -> None:
    carol = await world.member("carol")
    secret = await world.alice.create_channel(world.team, "secret", "P", members=[world.bob])
    dm = await world.alice.post("/channels/direct", [world.alice.id, world.bob.id], expect=201)
    await world.share(world.alice, secret, "needle-private.pdf")
    await world.share(world.alice, dm, "needle-dm.pdf")
    await world.share(world.alice, world.dev, "needle-dev.pdf")
    for terms in ("needle", "needle in:secret", "needle in:@alice", "ext:pdf"):
        assert await world.found_files(carol, terms) == []
    assert await world.found_files(carol, "needle", team=False) == []
    assert await world.found_files(world.admin, "needle") == []  # search is membership, admins too
    assert await world.found_files(world.bob, "needle") == ["needle-dev.pdf", "needle-dm.pdf", "needle-private.pdf"]
    await world.bob.delete(f"/channels/{secret['id']}/members/{world.bob.id}")
    assert await world.found_files(world.bob, "needle") == ["needle-dev.pdf", "needle-dm.pdf"]
    await world.alice.delete(f"/channels/{world.dev['id']}")
    assert await world.found_files(world.bob, "needle") == ["needle-dm.pdf"]
    assert await world.found_files(world.bob, "needle", include_deleted_channels=True) == ["needle-dev.pdf", "needle-dm.pdf"]


async def test_team_scope_and_every_team(world: World) -> None:
    other = await world.admin.create_team("other", members=[world.bob])
    elsewhere = await world.admin.create_channel(other, "elsewhere", members=[world.bob])
    await world.share(world.admin, elsewhere, "map-elsewhere.png")
    await world.share(world.alice, world.town, "map-town.png")
    assert await world.found_files(world.bob, "map") == ["map-town.png"]
    assert await world.found_files(world.bob, "map", team=False) == ["map-town.png", "map-elsewhere.png"]
    await world.bob.delete(f"/teams/{world.team['id']}/members/{world.bob.id}")
    assert await world.found_files(world.bob, "map", team=False) == ["map-elsewhere.png"]
    await world.search(world.bob, "map", files=True, expect=404)


async def test_file_info_list_shape_and_pages(world: World) -> None:
    for i in range(5):
        await world.share(world.alice, world.town, f"page-{i}.txt")
    first = await world.search(world.bob, "page", files=True, per_page=2)
    last = await world.search(world.bob, "page", files=True, per_page=2, page=2)
    assert [first["file_infos"][i]["name"] for i in first["order"]] == ["page-4.txt", "page-3.txt"]
    assert [last["file_infos"][i]["name"] for i in last["order"]] == ["page-0.txt"]
    assert (first["has_next"], last["has_next"]) == (True, False)
    info = first["file_infos"][first["order"][0]]
    assert (info["channel_id"], info["user_id"], info["extension"], info["delete_at"]) == (world.town["id"], world.alice.id, "txt", 0)
    assert info["post_id"] and "path" not in info
    assert first["next_file_id"] == "" and first["prev_file_id"] == ""
    empty = await world.search(world.bob, "   ", files=True)
    assert (empty["order"], empty["file_infos"]) == ([], {})


async def test_bad_input_and_sessions(world: World, anon: Api) -> None:
    assert await world.error_id(world.bob, "on:2024-02-30", status=400, files=True) == "api.post.search_posts.invalid_date.app_error"
    await world.bob.post(f"/teams/{world.team['id']}/files/search", {"terms": "a", "per_page": 0}, expect=400)
    await world.bob.post("/files/search", {"terms": {"$ne": None}}, expect=400)
    await anon.post(f"/teams/{world.team['id']}/files/search", {"terms": "a"}, expect=401)
    await anon.post("/files/search", {"terms": "a"}, expect=401)
