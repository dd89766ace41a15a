"""A parsed query as an SQLite FTS5 MATCH string or a PostgreSQL tsquery string.

Tokens come from search.text (letters, marks and digits only) and are quoted besides, so these strings
hold no syntax but the operators written here. Both return None when the query has no positive term:
excluded terms alone cannot drive a full-text lookup and are applied as a NOT IN filter instead.
"""

from __future__ import annotations

from collections.abc import Sequence

from kafana.search.query import Term
from kafana.search.text import hashtag_token


def _fts5_string(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts5_term(term: Term) -> str:
    if term.hashtag:
        return "tags : " + _fts5_string(hashtag_token(term.text))
    phrase = " + ".join(_fts5_string(t) for t in term.tokens)
    return "body : (" + phrase + ("*" if term.prefix else "") + ")"


def fts5_match(terms: Sequence[Term], *, is_or: bool) -> str | None:
    if not terms:
        return None
    return (" OR " if is_or else " AND ").join(fts5_term(t) for t in terms)


def _ts_lexeme(token: str, *, prefix: bool = False, weight: str = "D") -> str:
    return "'" + token.replace("'", "''").replace("\\", "\\\\") + "':" + ("*" if prefix else "") + weight


def tsquery_term(term: Term) -> str:
    if term.hashtag:
        return _ts_lexeme(hashtag_token(term.text), weight="A")
    last = len(term.tokens) - 1
    return "(" + " <-> ".join(_ts_lexeme(t, prefix=term.prefix and i == last) for i, t in enumerate(term.tokens)) + ")"


def tsquery(terms: Sequence[Term], *, is_or: bool) -> str | None:
    if not terms:
        return None
    return (" | " if is_or else " & ").join(tsquery_term(t) for t in terms)
