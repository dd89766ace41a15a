"""`matches` of a search answer: the words of each found post that the query matched, as the post writes
them (so a search for "cafe" highlights "Café"), for clients to highlight."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from kafana.search.query import Term
from kafana.search.text import is_cjk, is_token_char, tokens


def _words(message: str) -> Iterator[str]:
    """Runs of letters, marks and digits in the original text."""
    start = None
    for i, ch in enumerate(message):
        if is_token_char(ch):
            if start is None:
                start = i
        elif start is not None:
            yield message[start:i]
            start = None
    if start is not None:
        yield message[start:]


def matched_words(message: str, terms: Sequence[Term]) -> list[str]:
    found: list[str] = []
    exact: set[str] = set()
    prefixes: set[str] = set()
    post_tokens = set(tokens(message))
    for term in terms:
        if term.hashtag:
            hit = re.search(r"(?<![\w#])" + re.escape(term.text) + r"(?![\w-])", message, re.IGNORECASE)
            if hit:
                found.append(hit.group(0))
        elif any(is_cjk(ch) for ch in term.text):
            if all(t in post_tokens or (term.prefix and any(x.startswith(t) for x in post_tokens)) for t in term.tokens):
                found.append(term.text)
        else:
            last = len(term.tokens) - 1
            for i, token in enumerate(term.tokens):
                (prefixes if term.prefix and i == last else exact).add(token)
    for word in _words(message):
        if any(t in exact or any(t.startswith(p) for p in prefixes) for t in tokens(word)):
            found.append(word)
    return list(dict.fromkeys(found))
