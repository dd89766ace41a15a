"""The notification rules on their own (lib/notify_rules.py): who is mentioned and what each channel delivers."""

from __future__ import annotations

from dataclasses import replace

from kafana.lib.mentions import parse_mentions, user_mention_keys
from kafana.lib.notify_rules import Delivery, PostFacts, Recipient, plan

SENDER = "s" * 26


def facts(message: str, channel_type: str = "O", **kw: object) -> PostFacts:
    return PostFacts(SENDER, channel_type, parse_mentions(message), **kw)  # type: ignore[arg-type]


def person(name: str, **kw: object) -> Recipient:
    return Recipient(user_id=name[0] * 26, username=name, **kw)  # type: ignore[arg-type]


ANN, BEN, CY = person("ann", status="online"), person("ben", status="away"), person("cy")


def test_at_username_mentions_only_that_user() -> None:
    out = plan(facts("hi @ben, see this"), [ANN, BEN, CY])
    assert out.mentioned == [BEN.user_id]
    assert out.deliveries[BEN.user_id] == Delivery(desktop=True, push=True, email=True)  # away: not online, so email too
    assert ANN.user_id not in out.deliveries and CY.user_id not in out.deliveries


def test_channel_and_all_mention_everyone_but_the_sender() -> None:
    me = Recipient(user_id=SENDER, username="me")
    for word in ("@channel", "@all"):
        assert plan(facts(f"{word} meeting now"), [ANN, BEN, CY, me]).mentioned == sorted(r.user_id for r in (ANN, BEN, CY))


def test_here_mentions_only_who_is_online() -> None:
    dnd = person("dee", status="dnd")
    assert plan(facts("@here anyone?"), [ANN, BEN, CY, dnd]).mentioned == [ANN.user_id]


def test_channel_mentions_need_the_permission() -> None:
    assert plan(facts("@channel", channel_mentions_allowed=False), [ANN, BEN]).mentioned == []
    assert plan(facts("@channel @ben", channel_mentions_allowed=False), [ANN, BEN]).mentioned == [BEN.user_id]


def test_ignore_channel_mentions_per_member_and_per_user() -> None:
    member_on = replace(ANN, channel_props={"ignore_channel_mentions": "on"})
    user_off = replace(BEN, props={"channel": "false"})
    user_off_member_off = replace(CY, props={"channel": "false"}, channel_props={"ignore_channel_mentions": "off"})
    out = plan(facts("@all hello"), [member_on, user_off, user_off_member_off])
    assert out.mentioned == [CY.user_id]
    assert plan(facts("@ann hello @all"), [member_on]).mentioned == [ANN.user_id]  # a direct @ still counts


def test_mention_keys_and_first_name() -> None:
    keys = user_mention_keys({"mention_keys": "Banner,wikimania", "first_name": "true"}, "Anna")
    ann = replace(ANN, mention_keys=keys)
    assert plan(facts("The banner is up"), [ann]).mentioned == [ANN.user_id]
    assert plan(facts("anna, look"), [ann]).mentioned == [ANN.user_id]
    assert plan(facts("bannerless text"), [ann]).mentioned == []


def test_groups_mention_their_members() -> None:
    in_group = replace(BEN, groups=frozenset({"devs"}))
    assert plan(facts("@devs please review"), [ANN, in_group]).mentioned == [BEN.user_id]


def test_direct_and_group_messages_mention_everyone_else() -> None:
    assert plan(facts("hello", "D"), [ANN]).mentioned == [ANN.user_id]
    assert plan(facts("hello", "G"), [ANN, BEN]).mentioned == [ANN.user_id, BEN.user_id]


def test_thread_followers_and_the_comments_setting() -> None:
    follower = replace(CY, follows_thread=True)
    starter = replace(BEN, props={"comments": "root"}, started_thread=True, in_thread=True, follows_thread=True)
    replier = replace(ANN, props={"comments": "any"}, in_thread=True)
    out = plan(facts("a reply", is_reply=True), [follower, starter, replier])
    assert out.mentioned == [ANN.user_id, BEN.user_id]
    assert out.followers == [CY.user_id]
    # desktop_threads "mention": a follower is not told about every reply
    quiet = replace(follower, props={"desktop_threads": "mention", "push_threads": "mention", "email_threads": "mention"})
    assert plan(facts("a reply", is_reply=True), [quiet]).deliveries == {}
    # a follower of a root post is nothing special
    assert plan(facts("not a reply"), [follower]).followers == []


def test_mute_silences_everything_but_still_counts_the_mention() -> None:
    muted = replace(BEN, channel_props={"mark_unread": "mention"})
    out = plan(facts("@ben"), [muted])
    assert out.mentioned == [BEN.user_id] and out.deliveries == {}


def test_do_not_disturb_silences_desktop_and_push_not_email() -> None:
    dnd = replace(BEN, status="dnd")
    assert plan(facts("@ben"), [dnd]).deliveries[BEN.user_id] == Delivery(desktop=False, push=False, email=True)


def test_push_status_and_levels() -> None:
    online_only_offline = replace(ANN, props={"push_status": "offline"})
    assert plan(facts("@ann"), [online_only_offline]).deliveries[ANN.user_id] == Delivery(desktop=True, push=False, email=False)
    away_wants_away = replace(BEN, props={"push_status": "away"})
    assert plan(facts("@ben"), [away_wants_away]).deliveries[BEN.user_id].push
    # push "all" for every post; the channel's setting overrides the user's
    push_all = replace(CY, props={"push": "all", "desktop": "none"})
    assert plan(facts("nothing special"), [push_all]).deliveries[CY.user_id] == Delivery(push=True)
    channel_none = replace(push_all, channel_props={"push": "none"})
    assert plan(facts("nothing special"), [channel_none]).deliveries == {}
    email_off = replace(CY, props={"email": "false"})
    assert plan(facts("@cy"), [email_off]).email_user_ids == []
    assert plan(facts("@cy"), [CY]).email_user_ids == [CY.user_id]


def test_system_posts_notify_nobody() -> None:
    assert plan(facts("@ben joined", system=True), [BEN]).mentioned == []
