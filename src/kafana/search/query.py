"""Mattermost's search syntax, parsed into a `SearchQuery` that holds only tokens and values, never syntax.

    words (all must match; any with is_or_search)   "exact phrase"   -excluded   -"excluded phrase"
    prefix*   #hashtag   from:user -from:user   in:channel in:~channel in:@user -in:…   (channel: = in:)
    on:/before:/after:YYYY-MM-DD (and -on: …, in the searcher's time_zone_offset)   ext:pdf -ext:…

Words keep Mattermost's trimming (leading punctuation except # and ", trailing except * and "), then go
through search.text: full-text operators a user types (AND, OR, NOT, NEAR(, ^, column:, parentheses,
backslashes, stray quotes) are ordinary words or separators, so they are searched as text. What cannot be
read as text — an impossible date, too many terms — is a 400 with a stable error id.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kafana.lib.errors import AppError
from kafana.search.text import query_tokens

MAX_TERMS = 32
MAX_FLAG_VALUES = 32
DAY_MS = 86_400_000

_FLAGS = {"from": "from", "in": "in", "channel": "in", "on": "on", "before": "before", "after": "after", "ext": "ext"}
_PUNCT_START = re.compile(r'^[^\w#"]+')
_PUNCT_END = re.compile(r'[^\w*"]+$')
_HASHTAG = re.compile(r"^#[^\W\d_][\w.-]*(?<=[^\W_])$")
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def invalid_date(value: str) -> AppError:
    return AppError(400, "api.post.search_posts.invalid_date.app_error", f"Invalid date {value!r}: use YYYY-MM-DD.")


def too_many_terms() -> AppError:
    return AppError(400, "api.post.search_posts.too_many_terms.app_error", f"A search may hold at most {MAX_TERMS} terms and filters.")


@dataclass(frozen=True, slots=True)
class Term:
    """One word or phrase: the tokens it must match in order; `prefix` when its last token is a prefix."""

    text: str  # as typed, without the quotes and the trailing '*'
    tokens: tuple[str, ...]
    prefix: bool = False
    hashtag: bool = False


@dataclass(slots=True)
class SearchQuery:
    terms: list[Term] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    is_or: bool = False
    from_users: list[str] = field(default_factory=list)
    excluded_users: list[str] = field(default_factory=list)
    in_channels: list[str] = field(default_factory=list)
    excluded_channels: list[str] = field(default_factory=list)
    extensions: list[str] = field(default_factory=list)
    excluded_extensions: list[str] = field(default_factory=list)
    since: int | None = None  # create_at >= since (ms)
    until: int | None = None  # create_at <= until (ms)
    excluded_ranges: list[tuple[int, int]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """Nothing to search for: Mattermost answers an empty list rather than every post."""
        return not (
            self.terms
            or self.excluded
            or self.from_users
            or self.excluded_users
            or self.in_channels
            or self.excluded_channels
            or self.extensions
            or self.excluded_extensions
            or self.since is not None
            or self.until is not None
            or self.excluded_ranges
        )


def split_words(text: str) -> list[str]:
    """Whitespace-separated words, with "quoted phrases" (and -"excluded phrases") kept whole. An unclosed
    quote is not a phrase: its words are read one by one."""
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        quoted = text[i] == '"' or (text[i] == "-" and i + 1 < n and text[i + 1] == '"')
        if quoted:
            open_at = text.index('"', i)
            close_at = text.find('"', open_at + 1)
            if close_at != -1:
                words.append(text[start : close_at + 1])
                i = close_at + 1
                continue
        while i < n and not text[i].isspace():
            i += 1
        words.append(text[start:i])
    return words


def _day_start(value: str, tz_offset_s: int) -> int:
    match = _DATE.match(value)
    if not match:
        raise invalid_date(value)
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise invalid_date(value) from None
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return int(midnight.timestamp() * 1000) - tz_offset_s * 1000


def _term(word: str, *, quoted: bool) -> Term | None:
    hashtag = not quoted and bool(_HASHTAG.match(word))
    prefix = not quoted and not hashtag and word.endswith("*")
    text = word.rstrip("*") if prefix else word
    tokens, cjk_prefix = query_tokens(text)
    if not tokens:
        return None
    return Term(text=text, tokens=tuple(tokens), prefix=prefix or cjk_prefix, hashtag=hashtag)


class _Parser:
    def __init__(self, query: SearchQuery, tz_offset_s: int) -> None:
        self.q = query
        self.tz = tz_offset_s

    def flag(self, name: str, value: str, exclude: bool) -> None:
        q = self.q
        if name in ("from", "in", "ext"):
            value = value.lstrip("@~") if name == "from" else value.lstrip("~") if name == "in" else value.lstrip(".").lower()
            if name == "from":
                target = q.excluded_users if exclude else q.from_users
            elif name == "in":
                target = q.excluded_channels if exclude else q.in_channels
            else:
                target = q.excluded_extensions if exclude else q.extensions
            if value and value not in target:
                if len(target) >= MAX_FLAG_VALUES:
                    raise too_many_terms()
                target.append(value)
            return
        start = _day_start(value, self.tz)
        if name == "on":
            if exclude:
                q.excluded_ranges.append((start, start + DAY_MS - 1))
            else:
                self.bound(start, start + DAY_MS - 1)
        elif name == "after":  # after the day: from the next midnight; -after: up to the day's end
            if exclude:
                self.bound(None, start + DAY_MS - 1)
            else:
                self.bound(start + DAY_MS, None)
        elif exclude:  # -before: from the day's start
            self.bound(start, None)
        else:  # before the day: up to the previous day's end
            self.bound(None, start - 1)

    def bound(self, since: int | None, until: int | None) -> None:
        q = self.q
        if since is not None:
            q.since = since if q.since is None else max(q.since, since)
        if until is not None:
            q.until = until if q.until is None else min(q.until, until)

    def word(self, word: str) -> None:
        exclude = word.startswith("-")
        if exclude:
            word = word[1:]
        quoted = len(word) >= 2 and word.startswith('"') and word.endswith('"')
        if quoted:
            word = word[1:-1]
        else:
            word = _PUNCT_END.sub("", _PUNCT_START.sub("", word))
            word = re.sub(r"^#{2,}", "#", word)
        term = _term(word, quoted=quoted)
        if term is None:
            return
        target = self.q.excluded if exclude else self.q.terms
        if term not in target:
            if len(self.q.terms) + len(self.q.excluded) >= MAX_TERMS:
                raise too_many_terms()
            target.append(term)


def parse(text: str, *, is_or: bool = False, tz_offset_s: int = 0) -> SearchQuery:
    """Parse the `terms` of a search request. `tz_offset_s` is Mattermost's time_zone_offset (seconds east of UTC)."""
    parser = _Parser(SearchQuery(is_or=is_or), tz_offset_s)
    words = split_words(text)
    skip_next = False
    for i, word in enumerate(words):
        if skip_next:
            skip_next = False
            continue
        name, sep, value = word.partition(":")
        exclude = name.startswith("-")
        flag = _FLAGS.get(name[1:].lower() if exclude else name.lower()) if sep and not word.startswith('"') else None
        if flag is None:
            parser.word(word)
            continue
        if not value:
            if i + 1 >= len(words):
                continue  # "from:" alone while typing: nothing to filter on yet
            value, skip_next = words[i + 1], True
        parser.flag(flag, value, exclude)
    return parser.q
