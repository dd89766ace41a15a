"""Turning text into search tokens, the same way for posts being indexed and for queries.

Both engines receive text that Python has already tokenised: lower-case (casefolded) runs of letters, marks
and digits separated by single spaces, with accents removed from Latin letters. SQLite's unicode61 and
PostgreSQL's parser then see nothing left to interpret, so matching is identical on both engines and no
character a user types can reach a full-text operator.

Chinese, Japanese and Korean are written without spaces between words, so a run of CJK characters is
indexed as overlapping bigrams followed by its last character: 東京都 → 東京 京都 都. A query for a CJK
string asks for the phrase of its bigrams (京都 finds 東京都), and a single character is a prefix query
(都* finds 都 and 都庁). See docs/architecture.md, "Search".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

# A token longer than this is cut (URLs and pasted blobs would otherwise bloat the index); queries are cut alike.
MAX_TOKEN_CHARS = 64

_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul jamo
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3130, 0x318F),  # Hangul compatibility jamo
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3134F),  # CJK extensions B–G
)


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


def _is_latin(ch: str) -> bool:
    code = ord(ch)
    return code < 0x250 or 0x1E00 <= code <= 0x1EFF


def is_token_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def fold(text: str) -> str:
    """Casefold, and drop the accents of Latin letters (é → e, ß → ss); other scripts keep their marks
    (Japanese が must not become か)."""
    out: list[str] = []
    base_is_latin = False
    for ch in unicodedata.normalize("NFKD", text.casefold()):
        if unicodedata.combining(ch):
            if not base_is_latin:
                out.append(ch)
            continue
        base_is_latin = _is_latin(ch)
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


@dataclass(frozen=True, slots=True)
class Run:
    text: str
    cjk: bool


def runs(text: str) -> Iterator[Run]:
    """Maximal runs of token characters in folded text, split where CJK meets other scripts."""
    current: list[str] = []
    current_cjk = False
    for ch in fold(text):
        if not is_token_char(ch):
            if current:
                yield Run("".join(current), current_cjk)
                current = []
            continue
        cjk = is_cjk(ch)
        if current and cjk != current_cjk:
            yield Run("".join(current), current_cjk)
            current = []
        current.append(ch)
        current_cjk = cjk
    if current:
        yield Run("".join(current), current_cjk)


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def run_tokens(run: Run) -> list[str]:
    if not run.cjk:
        return [run.text[:MAX_TOKEN_CHARS]]
    return [*_bigrams(run.text), run.text[-1]]


_ASCII_RUN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    """The tokens a post's text is indexed as. ASCII text (most posts) takes a regex: the same tokens, 20×
    faster than the character walk."""
    if text.isascii():
        return [run[:MAX_TOKEN_CHARS] for run in _ASCII_RUN.findall(text.lower())]
    return [token for run in runs(text) for token in run_tokens(run)]


def index_text(text: str) -> str:
    return " ".join(tokens(text))


def query_tokens(text: str) -> tuple[list[str], bool]:
    """The token phrase a query word or quoted phrase searches for, and whether its last token is a prefix.

    Everything but the last run is tokenised as for indexing. A last CJK run may continue in the post, so it
    is only its bigrams (or, for one character, a prefix)."""
    all_runs = list(runs(text))
    out: list[str] = []
    for run in all_runs[:-1]:
        out.extend(run_tokens(run))
    if not all_runs:
        return out, False
    last = all_runs[-1]
    if not last.cjk:
        return [*out, last.text[:MAX_TOKEN_CHARS]], False
    if len(last.text) == 1:
        return [*out, last.text], True
    return [*out, *_bigrams(last.text)], False


def hashtag_token(tag: str) -> str:
    """One engine-neutral token per hashtag: 'h' + hex of its casefolded UTF-8 (#Foo-Bar.1 stays one token,
    and can never collide with a word of the message, which lives in another column or weight)."""
    return "h" + tag.lstrip("#").casefold().encode().hex()


def hashtags_text(hashtags: str) -> str:
    """The index text of a post's `hashtags` field (space-separated #tags)."""
    return " ".join(hashtag_token(tag) for tag in hashtags.split() if tag.strip("#"))
