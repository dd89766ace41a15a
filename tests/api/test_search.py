"""Post search over HTTP: every element of Mattermost's syntax, the index following edits and deletes,
paging, matches, what a searcher may see (A7) and hostile input (D11). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.api.searching import World, make_world
from tests.helpers import Api


@pytest.fixture
async def world(admin: Api, team: dict[str, Any]) -> World:
    return await make_world(admin, team)


async def test_words_must_all_match_unless_or_search(world: World) -> None:
    await world.say(world.alice, world.town, "the quick brown fox")
    await world.say(world.alice, world.town, "a quick reply")
    await world.say(world.alice, world.town, "brown bread")
    assert await world.found(world.bob, "quick brown") == ["the quick brown fox"]
    assert await world.found(world.bob, "quick brown", is_or_search=True) == ["brown bread", "a quick reply", "the quick brown fox"]
    assert await world.found(world.bob, "QUICK") == ["a quick reply", "the quick brown fox"]


async def test_phrases_exclusions_and_prefixes(world: World) -> None:
    await world.say(world.alice, world.town, "release notes for the server")
    await world.say(world.alice, world.town, "notes about the release")
    await world.say(world.alice, world.town, "releasing today, server notes")
    assert await world.found(world.bob, '"release notes"') == ["release notes for the server"]
    assert await world.found(world.bob, "notes -server") == ["notes about the release"]
    assert await world.found(world.bob, 'notes -"release notes"') == ["releasing today, server notes", "notes about the release"]
    assert await world.found(world.bob, "releas*") == ["releasing today, server notes", "notes about the release", "release notes for the server"]
    assert await world.found(world.bob, "releas") == []
    assert await world.found(world.bob, "-server") == ["notes about the release"]  # exclusion alone


async def test_hashtags_match_tags_not_words(world: World) -> None:
    await world.say(world.alice, world.town, "deploy done #Ops-2024")
    await world.say(world.alice, world.town, "ops-2024 was mentioned without a tag")
    await world.say(world.alice, world.town, "#opsy is another tag")
    assert await world.found(world.bob, "#ops-2024") == ["deploy done #Ops-2024"]
    result = await world.search(world.bob, "#OPS-2024")
    assert list(result["matches"].values()) == [["#Ops-2024"]]
    assert await world.found(world.bob, "-#ops-2024 ops") == ["ops-2024 was mentioned without a tag"]


async def test_from_and_in_filters(world: World) -> None:
    await world.say(world.alice, world.town, "lunch in town by alice")
    await world.say(world.bob, world.town, "lunch in town by bob")
    await world.say(world.bob, world.dev, "lunch in dev by bob")
    assert await world.found(world.admin, "lunch from:alice") == ["lunch in town by alice"]
    assert await world.found(world.alice, "lunch from: @bob") == ["lunch in dev by bob", "lunch in town by bob"]
    assert await world.found(world.alice, "lunch -from:bob") == ["lunch in town by alice"]
    assert await world.found(world.alice, "lunch in:dev") == ["lunch in dev by bob"]
    assert await world.found(world.alice, "lunch in:~town from:bob") == ["lunch in town by bob"]
    assert await world.found(world.alice, "lunch channel:town -in:town") == []
    assert await world.found(world.alice, "lunch -in:town") == ["lunch in dev by bob"]
    assert await world.found(world.alice, "in:dev") == ["lunch in dev by bob"]  # filters alone
    assert await world.found(world.alice, "lunch from:nobody") == []
    assert await world.found(world.alice, "lunch in:nowhere") == []


async def test_in_a_direct_message_by_username(world: World) -> None:
    dm = await world.alice.post("/channels/direct", [world.alice.id, world.bob.id], expect=201)
    await world.say(world.alice, dm, "secret plan")
    await world.say(world.alice, world.town, "public plan")
    assert await world.found(world.alice, "plan in:@bob") == ["secret plan"]
    assert await world.found(world.bob, "plan in:@alice") == ["secret plan"]
    assert await world.found(world.bob, "plan", team=False) == ["public plan", "secret plan"]


def _ms(day: str, hour: int, offset_s: int = 0) -> int:
    at = dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=dt.UTC) - dt.timedelta(seconds=offset_s)
    return int(at.timestamp() * 1000)


async def test_dates_use_the_searchers_time_zone(world: World) -> None:
    plus2 = 2 * 3600
    # Local (UTC+2) times: Jan 9 23:30, Jan 10 00:30, Jan 10 23:30, Jan 11 00:30.
    for day, hour, minute in (("2024-01-09", 23, 30), ("2024-01-10", 0, 30), ("2024-01-10", 23, 30), ("2024-01-11", 0, 30)):
        at = _ms(day, hour, plus2) + minute * 60_000
        await world.say(world.admin, world.town, f"standup {day} {hour:02d}:{minute}", create_at=at)
    tz = {"time_zone_offset": plus2}
    assert await world.found(world.alice, "standup on:2024-01-10", **tz) == ["standup 2024-01-10 23:30", "standup 2024-01-10 00:30"]
    assert await world.found(world.alice, "standup after:2024-01-10", **tz) == ["standup 2024-01-11 00:30"]
    assert await world.found(world.alice, "standup before:2024-01-10", **tz) == ["standup 2024-01-09 23:30"]
    assert await world.found(world.alice, "standup after:2024-01-09 before:2024-01-11", **tz) == ["standup 2024-01-10 23:30", "standup 2024-01-10 00:30"]
    assert await world.found(world.alice, "standup -on:2024-01-10", **tz) == ["standup 2024-01-11 00:30", "standup 2024-01-09 23:30"]
    assert await world.found(world.alice, "standup on:2024-1-9", **tz) == ["standup 2024-01-09 23:30"]
    # The same day in UTC (two hours later) holds other posts.
    assert await world.found(world.alice, "standup on:2024-01-10") == ["standup 2024-01-11 00:30", "standup 2024-01-10 23:30"]


async def test_accents_case_and_unicode(world: World) -> None:
    await world.say(world.alice, world.town, "Rendez-vous au Café Zürich, Straße 5")
    await world.say(world.alice, world.town, "naïve résumé")
    assert await world.found(world.bob, "cafe zurich") == ["Rendez-vous au Café Zürich, Straße 5"]
    assert await world.found(world.bob, "CAFÉ strasse") == ["Rendez-vous au Café Zürich, Straße 5"]
    assert await world.found(world.bob, "resume naive") == ["naïve résumé"]
    assert await world.found(world.bob, '"rendez vous"') == ["Rendez-vous au Café Zürich, Straße 5"]
    result = await world.search(world.bob, "cafe zur*")
    assert list(result["matches"].values()) == [["Café", "Zürich"]]


async def test_chinese_japanese_korean_by_substring(world: World) -> None:
    await world.say(world.alice, world.town, "我们明天在东京都开会")
    await world.say(world.alice, world.town, "東京タワーに行きました")
    await world.say(world.alice, world.town, "한국어로 검색합니다")
    assert await world.found(world.bob, "东京") == ["我们明天在东京都开会"]
    assert await world.found(world.bob, "京都") == ["我们明天在东京都开会"]
    assert await world.found(world.bob, "开会") == ["我们明天在东京都开会"]
    assert await world.found(world.bob, "会") == ["我们明天在东京都开会"]  # one character, at the end of a run
    assert await world.found(world.bob, "タワー") == ["東京タワーに行きました"]
    assert await world.found(world.bob, "検索") == []
    assert await world.found(world.bob, "검색") == ["한국어로 검색합니다"]
    assert await world.found(world.bob, "都京") == []
    result = await world.search(world.bob, "东京")
    assert list(result["matches"].values()) == [["东京"]]


async def test_edits_and_deletes_follow_the_index(world: World) -> None:
    post = await world.say(world.alice, world.town, "original wording")
    assert await world.found(world.bob, "original") == ["original wording"]
    await world.alice.put(f"/posts/{post['id']}/patch", {"message": "edited wording"})
    assert await world.found(world.bob, "original") == []
    assert await world.found(world.bob, "edited") == ["edited wording"]
    await world.alice.delete(f"/posts/{post['id']}")
    assert await world.found(world.bob, "wording") == []
    root = await world.say(world.alice, world.town, "root of a thread")
    await world.say(world.bob, world.town, "reply in the thread", root_id=root["id"])
    assert await world.found(world.bob, "thread") == ["reply in the thread", "root of a thread"]
    await world.alice.delete(f"/posts/{root['id']}")
    assert await world.found(world.bob, "thread") == []


async def test_system_messages_are_not_searched(world: World) -> None:
    await world.admin.put(f"/channels/{world.town['id']}/patch", {"header": "zebra header"})
    await world.say(world.alice, world.town, "a zebra")
    assert await world.found(world.bob, "zebra") == ["a zebra"]


async def test_pages_newest_first_with_matches(world: World) -> None:
    for i in range(7):
        await world.say(world.alice, world.town, f"page item {i}")
    first = await world.search(world.bob, "item", per_page=3)
    second = await world.search(world.bob, "item", page=1, per_page=3)
    last = await world.search(world.bob, "item", page=2, per_page=3)
    messages = [[r["posts"][i]["message"] for i in r["order"]] for r in (first, second, last)]
    assert messages == [["page item 6", "page item 5", "page item 4"], ["page item 3", "page item 2", "page item 1"], ["page item 0"]]
    assert (first["has_next"], last["has_next"]) == (True, False)
    assert set(first["matches"]) == set(first["order"])
    assert all(words == ["item"] for words in first["matches"].values())
    assert first["next_post_id"] == "" and first["prev_post_id"] == ""


async def test_empty_searches_answer_nothing(world: World) -> None:
    await world.say(world.alice, world.town, "something")
    await world.search(world.bob, "", expect=400)  # as Mattermost: terms are required
    for terms in ("   ", "!!! ... ()", "*", "-"):
        result = await world.search(world.bob, terms)
        assert result["order"] == [] and result["posts"] == {} and result["matches"] == {}


# What a searcher may see (A7) ------------------------------------------------------------------------


async def test_only_channels_the_searcher_is_in_now(world: World) -> None:
    carol = await world.member("carol")
    secret = await world.alice.create_channel(world.team, "secret", "P", members=[world.bob])
    dm = await world.alice.post("/channels/direct", [world.alice.id, world.bob.id], expect=201)
    await world.say(world.alice, secret, "needle in private")
    await world.say(world.alice, dm, "needle in dm")
    await world.say(world.alice, world.dev, "needle in public dev")
    # carol: not in the private channel, not in the DM, not a member of the public channel either.
    assert await world.found(carol, "needle") == []
    assert await world.found(carol, "needle", team=False) == []
    assert await world.found(carol, "needle in:secret") == []
    assert await world.found(carol, "needle in:@alice") == []
    assert await world.found(world.admin, "needle") == []  # admins too: search is membership, as Mattermost
    assert await world.found(world.bob, "needle") == ["needle in public dev", "needle in dm", "needle in private"]
    await world.bob.delete(f"/channels/{secret['id']}/members/{world.bob.id}")
    assert await world.found(world.bob, "needle") == ["needle in public dev", "needle in dm"]


async def test_archived_channels_only_on_request(world: World) -> None:
    await world.say(world.alice, world.dev, "archived needle")
    await world.alice.delete(f"/channels/{world.dev['id']}")
    assert await world.found(world.bob, "needle") == []
    assert await world.found(world.bob, "needle", include_deleted_channels=True) == ["archived needle"]


async def test_leaving_the_team_closes_its_channels(world: World) -> None:
    other = await world.admin.create_team("other", members=[world.bob])
    elsewhere = await world.admin.create_channel(other, "elsewhere", members=[world.bob])
    await world.say(world.admin, elsewhere, "needle elsewhere")
    await world.say(world.alice, world.town, "needle in town")
    assert await world.found(world.bob, "needle", team=False) == ["needle in town", "needle elsewhere"]
    assert await world.found(world.bob, "needle") == ["needle in town"]  # a team search stays in its team
    await world.bob.delete(f"/teams/{world.team['id']}/members/{world.bob.id}")
    assert await world.found(world.bob, "needle", team=False) == ["needle elsewhere"]
    await world.search(world.bob, "needle", expect=404)


# Hostile input (D11) ---------------------------------------------------------------------------------


HOSTILE = [
    '" OR 1=1 --',
    "NEAR(a b) AND b OR c NOT d",
    'body:needle OR tags:x "',
    "needle^ (a OR b) {x} [y] \\ \\\\ '",
    '* - -- " "" \'\' ; DROP TABLE posts',
    "a:* 'x':D & | ! <-> :* ",
    "needle\x00\t\u200b",
]


@pytest.mark.parametrize("terms", HOSTILE)
async def test_full_text_syntax_is_searched_as_text(world: World, terms: str) -> None:
    await world.say(world.alice, world.town, "needle OR haystack")
    result = await world.search(world.bob, terms)
    assert set(result["posts"]) <= set(result["order"])


async def test_operators_are_words(world: World) -> None:
    await world.say(world.alice, world.town, "cats AND dogs")
    await world.say(world.alice, world.town, "cats or dogs")
    await world.say(world.alice, world.town, "near the cats")
    assert await world.found(world.bob, "AND") == ["cats AND dogs"]
    assert await world.found(world.bob, "cats OR") == ["cats or dogs"]
    assert await world.found(world.bob, "NEAR(cats") == []  # the phrase "near cats"
    assert await world.found(world.bob, "NEAR( cats") == ["near the cats"]
    assert await world.found(world.bob, "body:cats") == []  # the phrase "body cats", not a column filter


@pytest.mark.parametrize(
    "body",
    [
        {"terms": {"$ne": None}},
        {"terms": ["a"]},
        {"terms": "a", "page": -1},
        {"terms": "a", "per_page": 0},
        {"terms": "a", "per_page": 100000},
        {"terms": "a", "is_or_search": "yes"},
        {"terms": "a", "time_zone_offset": 10**9},
        {"terms": "a" * 1001},
    ],
)
async def test_malformed_requests_are_400(world: World, body: dict[str, Any]) -> None:
    await world.bob.post(f"/teams/{world.team['id']}/posts/search", body, expect=400)


@pytest.mark.parametrize("terms", ["on:yesterday", "before:2024-13-01", "after:2024-02-30", "on:2024-01-01T00:00"])
async def test_impossible_dates_are_400_with_an_id(world: World, terms: str) -> None:
    assert await world.error_id(world.bob, terms, status=400) == "api.post.search_posts.invalid_date.app_error"


async def test_too_many_terms_is_400(world: World) -> None:
    terms = " ".join(f"w{i}" for i in range(40))
    assert await world.error_id(world.bob, terms, status=400) == "api.post.search_posts.too_many_terms.app_error"


async def test_search_needs_a_session(world: World, anon: Api) -> None:
    await anon.post(f"/teams/{world.team['id']}/posts/search", {"terms": "a"}, expect=401)
    await anon.post("/posts/search", {"terms": "a"}, expect=401)
