"""The search syntax parser and tokeniser, without a database: what each element becomes, and that hostile
input becomes words (or a 400 with an id), never full-text syntax."""

from __future__ import annotations

import datetime as dt
import random
import re
import string

import pytest

from kafana.lib.errors import AppError
from kafana.search.expressions import fts5_match, tsquery
from kafana.search.matches import matched_words
from kafana.search.query import MAX_TERMS, parse, split_words
from kafana.search.text import fold, hashtag_token, index_text, query_tokens, run_tokens, runs, tokens


def words(q: str) -> list[tuple[tuple[str, ...], bool]]:
    return [(t.tokens, t.prefix) for t in parse(q).terms]


def test_words_phrases_and_exclusions() -> None:
    q = parse('alpha "Beta gamma" -delta -"epsilon zeta" eta*')
    assert [(t.tokens, t.prefix) for t in q.terms] == [(("alpha",), False), (("beta", "gamma"), False), (("eta",), True)]
    assert [t.tokens for t in q.excluded] == [("delta",), ("epsilon", "zeta")]
    assert not q.is_or and parse("a b", is_or=True).is_or


def test_split_words_keeps_quoted_phrases_and_reads_an_unclosed_quote_as_words() -> None:
    assert split_words('a "b c" -"d e" f') == ["a", '"b c"', '-"d e"', "f"]
    assert split_words('a "b c') == ["a", '"b', "c"]
    assert words('a "b c') == [(("a",), False), (("b",), False), (("c",), False)]


def test_punctuation_is_trimmed_as_mattermost_does() -> None:
    assert words("(hello), world!") == [(("hello",), False), (("world",), False)]
    assert words("...deploy*?") == [(("deploy",), True)]
    assert words("foo-bar") == [(("foo", "bar"), False)]  # one word of two tokens: a phrase


def test_hashtags() -> None:
    q = parse("#Release-1.2 ##twice -#old #1notatag")
    assert [(t.text, t.hashtag) for t in q.terms] == [("#Release-1.2", True), ("#twice", True), ("#1notatag", False)]
    assert [t.text for t in q.excluded] == ["#old"]
    assert hashtag_token("#Release-1.2") == hashtag_token("#release-1.2") != hashtag_token("#release-12")


def test_flags_and_their_exclusions() -> None:
    q = parse("from:@Alice -from:bob in:~town channel:dev -in:random in:@carol ext:.PDF -ext:png From: dave")
    assert q.from_users == ["Alice", "dave"] and q.excluded_users == ["bob"]
    assert q.in_channels == ["town", "dev", "@carol"] and q.excluded_channels == ["random"]
    assert q.extensions == ["pdf"] and q.excluded_extensions == ["png"]
    assert q.terms == []
    assert parse("from:").is_empty  # still typing
    assert words("http://example.com/x") == [(("http", "example", "com", "x"), False)]  # not a flag


def _midnight(day: str, offset_s: int) -> int:
    return int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp() * 1000) - offset_s * 1000


def test_dates_follow_mattermost_and_the_time_zone() -> None:
    day = 86_400_000
    tz = -5 * 3600
    on = parse("on:2024-03-10", tz_offset_s=tz)
    assert (on.since, on.until) == (_midnight("2024-03-10", tz), _midnight("2024-03-10", tz) + day - 1)
    after = parse("after:2024-03-10", tz_offset_s=tz)
    assert (after.since, after.until) == (_midnight("2024-03-11", tz), None)
    before = parse("before:2024-03-10", tz_offset_s=tz)
    assert (before.since, before.until) == (None, _midnight("2024-03-10", tz) - 1)
    both = parse("after:2024-03-01 before:2024-03-10 -on:2024-03-05")
    assert (both.since, both.until) == (_midnight("2024-03-02", 0), _midnight("2024-03-10", 0) - 1)
    assert both.excluded_ranges == [(_midnight("2024-03-05", 0), _midnight("2024-03-06", 0) - 1)]
    excluded = parse("-after:2024-03-10 -before:2024-03-01")
    assert (excluded.since, excluded.until) == (_midnight("2024-03-01", 0), _midnight("2024-03-11", 0) - 1)


@pytest.mark.parametrize("terms", ["on:today", "before:2024-02-30", "after:99999-01-01", "on:2024/01/01", "on:2024-01-01T10:00"])
def test_impossible_dates_are_rejected_with_an_id(terms: str) -> None:
    with pytest.raises(AppError) as caught:
        parse(terms)
    assert (caught.value.status_code, caught.value.id) == (400, "api.post.search_posts.invalid_date.app_error")


def test_too_many_terms_is_rejected() -> None:
    parse(" ".join(f"w{i}" for i in range(MAX_TERMS)))
    with pytest.raises(AppError) as caught:
        parse(" ".join(f"w{i}" for i in range(MAX_TERMS + 1)))
    assert caught.value.id == "api.post.search_posts.too_many_terms.app_error"


def test_folding_and_tokens() -> None:
    assert fold("Café NAÏVE Straße Ångström") == "cafe naive strasse angstrom"
    assert fold("が") == "が"  # Japanese voicing marks are not accents
    assert fold("й") == "й"  # nor is the Cyrillic short i
    assert tokens("e-mail: foo_bar@example.com ½") == ["e", "mail", "foo", "bar", "example", "com", "1", "2"]
    assert tokens("x" * 100) == ["x" * 64]


def test_cjk_bigrams_for_index_and_query() -> None:
    assert tokens("東京都庁") == ["東京", "京都", "都庁", "庁"]
    assert tokens("iPhone用ケース") == ["iphone", "用ケ", "ケー", "ース", "ス"]
    assert index_text("我 爱") == "我 爱"
    assert query_tokens("京都") == (["京都"], False)  # may continue in the post: bigrams only
    assert query_tokens("都") == (["都"], True)  # one character: a prefix
    assert query_tokens("東京 tower") == (["東京", "京", "tower"], False)  # a run that ends inside the phrase


HOSTILE = [
    '" OR 1=1 --',
    'NEAR(a b, 5) AND "c',
    "body:x tags:y {body tags}: z",
    "a^ ^b (c OR d) NOT e",
    "\\ \\\\ \\\" '' ' ;",
    "x:*D & y <-> !z | w:A",
    "*prefix* **",
    "\x00 \u200b \ufeff",
]
_TOKEN = re.compile(r"^[\w\u0300-\u036f]+$")


@pytest.mark.parametrize("terms", HOSTILE)
def test_hostile_input_becomes_plain_tokens(terms: str) -> None:
    q = parse(terms)
    for term in [*q.terms, *q.excluded]:
        assert term.tokens and all(_TOKEN.match(t) and "_" not in t for t in term.tokens)
    match, ts = fts5_match(q.terms, is_or=False), tsquery(q.terms, is_or=False)
    for term in q.terms:  # every token appears quoted, and nothing else but our operators
        assert all(f'"{t}"' in (match or "") and f"'{t}'" in (ts or "") for t in term.tokens)
    leftover = re.sub(r'"[^"]*"', "", match or "")
    assert set(re.findall(r"[A-Za-z]+", leftover)) <= {"body", "AND"}
    leftover_ts = re.sub(r"'[^']*'", "", ts or "")
    assert set(re.findall(r"[A-Za-z]+", leftover_ts)) <= {"D"}


def test_matches_are_the_posts_own_words() -> None:
    terms = parse('cafe zur* "big plan" #ops 東京').terms
    message = "Big plan at the Café in Zürich, #Ops team, 東京都"
    assert matched_words(message, terms) == ["#Ops", "東京", "Big", "plan", "Café", "Zürich"]
    assert matched_words("nothing here", terms) == []


def test_the_ascii_shortcut_tokenises_as_the_character_walk() -> None:
    rng = random.Random(11)
    alphabet = string.printable + "_" * 5
    for _ in range(500):
        sample = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 120))) + "x" * rng.choice((0, 70))
        assert tokens(sample) == [t for run in runs(sample) for t in run_tokens(run)]
