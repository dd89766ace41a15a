"""The emails' words: every language the web client ships, every string, the same placeholders, and a
user's locale matched as the web client matches it."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from kafana.mail.catalog import STRINGS, match_locale

WEB_LOCALES = Path(__file__).parents[2] / "web" / "src" / "i18n" / "locales.ts"


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_languages_are_the_web_clients() -> None:
    shipped = re.findall(r"\{code: '([^']+)'", WEB_LOCALES.read_text())
    assert sorted(STRINGS) == sorted(shipped) and len(shipped) == 16


@pytest.mark.parametrize("locale", sorted(STRINGS))
def test_every_string_is_translated_with_the_same_placeholders(locale: str) -> None:
    english = STRINGS["en"]
    assert set(STRINGS[locale]) == set(english)
    for key, text in STRINGS[locale].items():
        assert fields(text) == fields(english[key]), (locale, key)
        if locale != "en":
            assert text != english[key], f"{locale} {key} is still English"


@pytest.mark.parametrize(
    ("requested", "expected"), [("de", "de"), ("de-AT", "de"), ("pt", "pt-BR"), ("zh_CN", "zh-CN"), ("PT-br", "pt-BR"), ("xx", "en"), ("", "en")]
)
def test_a_locale_is_matched_like_the_web_client_does(requested: str, expected: str) -> None:
    assert match_locale(requested) == expected
