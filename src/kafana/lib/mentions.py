"""Finding who a message mentions, the way Mattermost does: @username, @channel/@all/@here, mention keys."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_AT_WORD = re.compile(r"(?<![\w@])@([a-z0-9][a-z0-9.\-_]*)", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<![\w#])#([a-zA-Z][\w\-.]{2,})")
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
CHANNEL_WIDE = frozenset({"channel", "all"})
MAX_MENTION_WORDS = 500  # bounds the work per post (reliability D2)


@dataclass(slots=True)
class MentionWords:
    usernames: set[str] = field(default_factory=set)
    channel_wide: bool = False
    here: bool = False
    words: set[str] = field(default_factory=set)  # lower-cased words, for custom mention keys


def strip_code(message: str) -> str:
    return _CODE.sub(" ", message)


def parse_mentions(message: str) -> MentionWords:
    text = strip_code(message)
    out = MentionWords()
    for match in _AT_WORD.finditer(text):
        if len(out.usernames) >= MAX_MENTION_WORDS:
            break
        name = match.group(1).lower().rstrip(".-_")
        if name in CHANNEL_WIDE:
            out.channel_wide = True
        elif name == "here":
            out.here = True
        elif name:
            out.usernames.add(name)
    if len(text) <= 20_000:
        out.words = {w.lower() for w in re.findall(r"[\w'@.\-]+", text)[: MAX_MENTION_WORDS * 4]}
        out.words |= {w.strip(".,!?:;'\"") for w in out.words}
    return out


def keys_match(keys: str, words: set[str]) -> bool:
    """`keys` as stored on the user (see `user_mention_keys`)."""
    return any(k in words for k in keys.split(",") if k)


def user_mention_keys(notify_props: dict[str, str], first_name: str) -> str:
    """The words that mention a user without an @: their custom keys, and their first name if they chose so."""
    keys = {k.strip().lower() for k in str(notify_props.get("mention_keys", "")).split(",") if k.strip()}
    if notify_props.get("first_name") == "true" and first_name.strip():
        keys.add(first_name.strip().lower())
    return ",".join(sorted(keys))[:1024]


def parse_hashtags(message: str) -> str:
    """Space-separated #tags (Mattermost stores them on the post for search), capped at 1000 characters."""
    tags: list[str] = []
    seen: set[str] = set()
    for match in _HASHTAG.finditer(strip_code(message)):
        tag = "#" + match.group(1).rstrip(".-_")
        if tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    joined = " ".join(tags)
    return joined[:1000].rsplit(" ", 1)[0] if len(joined) > 1000 else joined


def mentions_user(username: str, keys: str, message: str, *, direct: bool = False) -> bool:
    """Whether `message` mentions the user: always in a direct message; else @username, @channel/@all/@here or
    one of their mention keys."""
    if direct:
        return True
    words = parse_mentions(message)
    return username in words.usernames or words.channel_wide or words.here or keys_match(keys, words.words)
