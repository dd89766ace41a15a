"""Export before expiry: a thread or a channel range as Markdown, JSON and wikitext; escaping; who may (A7:
what the user cannot read answers as a missing channel does); exports are audited (A18)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from kafana.lib.export_formats import Conversation, Message, to_wikitext
from tests.helpers import Api


async def say(api: Api, channel: dict[str, Any], message: str, **extra: Any) -> dict[str, Any]:
    return await api.post("/posts", {"channel_id": channel["id"], "message": message, **extra}, expect=201)


async def download(api: Api, path: str, **params: Any) -> httpx.Response:
    return await api.http.get("/api/v4/kafana" + path, params=params, headers=api.headers())


async def setup(admin: Api, team: dict[str, Any]) -> tuple[Api, dict[str, Any]]:
    bob = await admin.signup("bob")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": bob.id}, expect=201)
    return bob, await admin.create_channel(team, "minutes", "O", [bob])


async def test_a_channel_range_in_each_format(admin: Api, team: dict[str, Any]) -> None:
    bob, channel = await setup(admin, team)
    before = await say(bob, channel, "too early")
    first = await say(admin, channel, "Decision: we *ship* on Friday")
    second = await say(bob, channel, "Agreed.\nSecond line", root_id=first["id"])
    after = await say(bob, channel, "too late")
    since, until = first["create_at"], after["create_at"]
    assert before["create_at"] < since

    md = await download(bob, f"/channels/{channel['id']}/export", format="md", since=since, until=until)
    assert md.status_code == 200 and md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert md.headers["content-disposition"].startswith('attachment; filename="minutes-') and md.headers["x-content-type-options"] == "nosniff"
    assert "# Messages in Minutes" in md.text and "too early" not in md.text and "too late" not in md.text
    assert "**admin** (" in md.text and "): Decision: we *ship* on Friday" in md.text
    assert "**bob** (" in md.text and "Agreed.  \nSecond line" in md.text

    body = (await download(bob, f"/channels/{channel['id']}/export", format="json", since=since, until=until)).json()
    assert [(p["id"], p["username"], p["root_id"]) for p in body["posts"]] == [(first["id"], "admin", ""), (second["id"], "bob", first["id"])]
    assert body["channel"]["id"] == channel["id"] and (body["since"], body["until"]) == (since, until)

    wiki = await download(bob, f"/channels/{channel['id']}/export", format="wikitext", since=since, until=until)
    assert wiki.headers["content-type"] == "text/plain; charset=utf-8" and ".wiki" in wiki.headers["content-disposition"]
    lines = wiki.text.splitlines()
    assert sum(1 for line in lines if line.startswith("== ") and line.endswith(" ==")) == 1
    assert any(line.startswith("* '''admin''' (") and line.endswith("): <nowiki>Decision: we *ship* on Friday</nowiki>") for line in lines)
    assert any(line.endswith("): <nowiki>Agreed.</nowiki><br /><nowiki>Second line</nowiki>") for line in lines)

    # Without a range: everything readable, system messages (joins) left out.
    everything = (await download(bob, f"/channels/{channel['id']}/export", format="json")).json()
    assert [p["message"] for p in everything["posts"]] == ["too early", "Decision: we *ship* on Friday", "Agreed.\nSecond line", "too late"]


async def test_a_thread(admin: Api, team: dict[str, Any]) -> None:
    bob, channel = await setup(admin, team)
    root = await say(admin, channel, "Proposal")
    reply = await say(bob, channel, "+1", root_id=root["id"])
    await say(bob, channel, "unrelated")
    for post_id in (root["id"], reply["id"]):  # any post of the thread names it
        body = (await download(bob, f"/posts/{post_id}/thread/export", format="json")).json()
        assert [p["id"] for p in body["posts"]] == [root["id"], reply["id"]] and body["root_id"] == root["id"]
    md = await download(bob, f"/posts/{root['id']}/thread/export")
    assert md.text.startswith("# Thread in Minutes") and "unrelated" not in md.text
    assert f"thread-{root['id']}.md" in md.headers["content-disposition"]


def test_wiki_markup_in_messages_is_escaped() -> None:
    nasty = "{{delete}} [[Main Page]] ~~~~ '''bold''' </nowiki>{{evil}} <NOWIKI/> &amp; <script>x</script>\n== Heading =="
    conversation = Conversation("Talk </nowiki>[[x]]", {}, 0, 0, "", [Message("p", 0, 0, "u", "bob", nasty, "")])
    text = to_wikitext(conversation)
    assert "</nowiki>{{evil}}" not in text and "[[x]]</nowiki>" not in text.split("<nowiki>", 1)[0]
    line = next(line for line in text.splitlines() if line.startswith("* "))
    assert line == (
        "* '''bob''' (00:00): <nowiki>{{delete}} [[Main Page]] ~~~~ '''bold''' &lt;/nowiki>{{evil}} &lt;NOWIKI/> &amp;amp; &lt;script>x&lt;/script></nowiki>"
        "<br /><nowiki>== Heading ==</nowiki>"
    )
    # Outside the nowiki spans only Kafana's own markup is left.
    outside = "".join(part.split("</nowiki>", 1)[-1] for part in line.split("<nowiki>"))
    assert outside == "* '''bob''' (00:00): <br />"
    assert "== 1970-01-01 ==" in text


async def test_what_one_cannot_read_is_as_missing(admin: Api, team: dict[str, Any], anon: Api) -> None:
    bob, channel = await setup(admin, team)
    secret = await admin.create_channel(team, "staff", "P")
    hidden = await say(admin, secret, "staff only")
    dm = await admin.post("/channels/direct", [admin.id, bob.id], expect=201)
    carol = await admin.signup("carol")
    private_dm = await say(admin, dm, "just us")
    outsider = await admin.create_team("other")
    elsewhere = await admin.create_channel(outsider, "away", "O")
    away = await say(admin, elsewhere, "other team")

    missing_channel = await carol.get(f"/kafana/channels/{'x' * 26}/export", expect=404)
    missing_post = await carol.get(f"/kafana/posts/{'x' * 26}/thread/export", expect=404)
    for channel_id in (secret["id"], dm["id"], elsewhere["id"], channel["id"]):  # carol is in no team
        body = await carol.get(f"/kafana/channels/{channel_id}/export", expect=404)
        assert (body["id"], body["message"]) == (missing_channel["id"], missing_channel["message"])
    for post_id in (hidden["id"], private_dm["id"], away["id"]):
        body = await carol.get(f"/kafana/posts/{post_id}/thread/export", expect=404)
        assert (body["id"], body["message"]) == (missing_post["id"], missing_post["message"])
    await bob.get(f"/kafana/channels/{secret['id']}/export", expect=404)
    await anon.get(f"/kafana/channels/{channel['id']}/export", expect=401)


async def test_a_non_member_export_of_a_public_channel_is_audited(admin: Api, team: dict[str, Any]) -> None:
    """A18: a team member outside a public channel may read it, so may export it, and the audit log shows it."""
    bob, channel = await setup(admin, team)
    dave = await admin.signup("dave")
    await admin.post(f"/teams/{team['id']}/members", {"team_id": team["id"], "user_id": dave.id}, expect=201)
    await say(bob, channel, "public minutes")
    response = await download(dave, f"/channels/{channel['id']}/export", format="json")
    assert [p["message"] for p in response.json()["posts"]] == ["public minutes"]
    logged = [e for e in await admin.get("/audits", params={"per_page": 200}) if e["action"] == "channel_export"]
    assert logged and logged[0]["user_id"] == dave.id
    extra = json.loads(logged[0]["extra_info"])
    assert extra["target_id"] == channel["id"] and extra["member"] is False


async def test_bad_input(admin: Api, team: dict[str, Any]) -> None:
    bob, channel = await setup(admin, team)
    post = await say(bob, channel, "x")
    cases = [
        (f"/kafana/channels/{channel['id']}/export", {"format": "pdf"}, "api.kafana.export.format.app_error"),
        (f"/kafana/posts/{post['id']}/thread/export", {"format": "html"}, "api.kafana.export.format.app_error"),
        (f"/kafana/channels/{channel['id']}/export", {"since": 10, "until": 5}, "api.kafana.export.range.app_error"),
        ("/kafana/channels/nope/export", {}, "api.context.invalid_url_param.app_error"),
    ]
    for path, params, error in cases:
        assert (await bob.get(path, params=params, expect=400))["id"] == error
    assert (await bob.get(f"/kafana/channels/{channel['id']}/export", params={"since": -1}, expect=400))["id"]
