"""IRC formatting ↔ Markdown and line splitting, on their own."""

from __future__ import annotations

import pytest

from kafana.bridges.irc import next_nick, parse
from kafana.bridges.irc_format import irc_to_markdown, markdown_to_irc, split_message, text_budget


@pytest.mark.parametrize(
    ("irc", "markdown"),
    [
        ("plain", "plain"),
        ("a \x02bold\x02 word", "a **bold** word"),
        ("\x1ditalic \x02both\x0f plain", "_italic_ **_both_** plain"),
        ("\x1estruck\x1e \x11mono\x11", "~~struck~~ `mono`"),
        ("\x0304,01red\x03 and \x04ff0000hex\x04 \x1funder\x1f", "red and hex under"),
        ("\x02 spaced \x02", " **spaced** "),
        ("\x02unclosed", "**unclosed**"),
    ],
)
def test_irc_to_markdown(irc: str, markdown: str) -> None:
    assert irc_to_markdown(irc) == markdown


@pytest.mark.parametrize(
    ("markdown", "irc"),
    [
        ("**bold** and __bold__", "\x02bold\x02 and \x02bold\x02"),
        ("*it* and _it_ but snake_case_name and 2*3*4", "\x1dit\x1d and \x1dit\x1d but snake_case_name and 2*3*4"),
        ("~~gone~~ `x = 1`", "\x1egone\x1e \x11x = 1\x11"),
        ("[the site](https://example.org) ![pic](https://example.org/p.png)", "the site <https://example.org> https://example.org/p.png"),
        ("# Title\ntext", "\x02Title\x02\ntext"),
        ("```python\nx = **y**\n```", "x = **y**"),
    ],
)
def test_markdown_to_irc(markdown: str, irc: str) -> None:
    assert markdown_to_irc(markdown) == irc


def test_split_keeps_words_and_characters_whole() -> None:
    text = " ".join(["ünïcødé"] * 100)
    lines = split_message("<bob> ", text, 120)
    assert all(len(line.encode()) <= 120 and line.startswith("<bob> ") for line in lines)
    assert " ".join(line.removeprefix("<bob> ") for line in lines) == text
    # A word longer than a line is cut between characters, never inside one.
    long_word = "é" * 300
    lines = split_message("", long_word, 101)
    assert "".join(lines) == long_word and all(len(line.encode()) <= 101 for line in lines)
    assert split_message("<a> ", "one\n\ntwo", 100) == ["<a> one", "<a> two"]
    assert text_budget("kafana", "#test") == 512 - 2 - 77 - 6 - len("PRIVMSG #test :")


def test_protocol_lines_and_nicks() -> None:
    assert parse(":bob!~b@host PRIVMSG #test :hello :) there") == parse("@time=x :bob!~b@host PRIVMSG #test :hello :) there")
    message = parse(":bob!~b@host PRIVMSG #test :hello :) there")
    assert (message.nick, message.command, message.params) == ("bob", "PRIVMSG", ["#test", "hello :) there"])
    assert parse("PING :irc.test").params == ["irc.test"]
    assert parse(":srv CAP * LS * :multi-prefix sasl").params == ["*", "LS", "*", "multi-prefix sasl"]
    assert [next_nick("kafanabot", n) for n in (1, 2, 3)] == ["kafanabo_", "kafanab_2", "kafanab_3"]
