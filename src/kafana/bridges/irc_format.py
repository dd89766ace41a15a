"""IRC text ↔ Kafana Markdown, and splitting long messages into IRC lines.

IRC formatting is control characters that toggle a style (bold \\x02, italic \\x1d, strikethrough \\x1e,
monospace \\x11, underline \\x1f, reverse \\x16), set a colour (\\x03NN[,NN], \\x04RRGGBB) or reset them all
(\\x0f). Markdown has no colours or underline: those are dropped on the way in.
"""

from __future__ import annotations

import re

BOLD, ITALIC, UNDERLINE, STRIKE, MONO, REVERSE, RESET, COLOR, HEX_COLOR = "\x02", "\x1d", "\x1f", "\x1e", "\x11", "\x16", "\x0f", "\x03", "\x04"
# IRC style → Markdown marker, outermost first.
MARKDOWN = {BOLD: "**", ITALIC: "_", STRIKE: "~~", MONO: "`"}
COLOR_CODE = re.compile(r"\x03(\d{1,2}(,\d{1,2})?)?|\x04([0-9a-fA-F]{6}(,[0-9a-fA-F]{6})?)?")
IRC_LINE_BYTES = 512  # with the CR LF, as RFC 1459 says
# What the server puts before the text when it relays a PRIVMSG (":nick!user@host "): the longest user and host
# it may use, so lines still fit once relayed.
RELAY_PREFIX_BYTES = 1 + 1 + 10 + 1 + 63 + 1


def irc_to_markdown(text: str) -> str:
    """An IRC message as Markdown: styled runs get Markdown markers, colours and underline are dropped."""
    runs: list[tuple[frozenset[str], str]] = []
    styles: set[str] = set()
    pos = 0
    buffer: list[str] = []

    def flush() -> None:
        if buffer:
            current = frozenset(styles)
            if runs and runs[-1][0] == current:
                runs[-1] = (current, runs[-1][1] + "".join(buffer))
            else:
                runs.append((current, "".join(buffer)))
            buffer.clear()

    while pos < len(text):
        char = text[pos]
        if char in (COLOR, HEX_COLOR):
            match = COLOR_CODE.match(text, pos)
            pos = match.end() if match else pos + 1
            continue
        if char in MARKDOWN or char in (UNDERLINE, REVERSE, RESET):
            flush()
            if char == RESET:
                styles.clear()
            elif char in MARKDOWN:
                styles.symmetric_difference_update({char})
            pos += 1
            continue
        buffer.append(char)
        pos += 1
    flush()
    return "".join(_marked(run_styles, chunk) for run_styles, chunk in runs)


def _marked(styles: frozenset[str], chunk: str) -> str:
    """Markers hug the text: Markdown ignores `** bold**`, so surrounding spaces stay outside."""
    core = chunk.strip()
    if not core or not styles:
        return chunk
    opening = "".join(MARKDOWN[s] for s in MARKDOWN if s in styles)
    closing = "".join(MARKDOWN[s] for s in reversed(MARKDOWN) if s in styles)
    start = chunk.index(core)
    return chunk[:start] + opening + core + closing + chunk[start + len(core) :]


MD_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)"), r"\2"),  # an image: its address
    (re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)"), r"\1 <\2>"),  # a link: text <address>
    (re.compile(r"`([^`\n]+)`"), MONO + r"\1" + MONO),
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__"), BOLD + r"\1\2" + BOLD),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])|(?<![\w])_(?=\S)([^_\n]+?)(?<=\S)_(?!\w)"), ITALIC + r"\1\2" + ITALIC),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), STRIKE + r"\1" + STRIKE),
    (re.compile(r"^#{1,6}\s+(.+)$", re.MULTILINE), BOLD + r"\1" + BOLD),
]
CODE_FENCE = re.compile(r"^```[\w+-]*\s*$", re.MULTILINE)


def markdown_to_irc(text: str) -> str:
    """Kafana Markdown as IRC formatting. Code blocks lose their fences and stay as plain lines."""
    parts = CODE_FENCE.split(text)
    out = []
    for index, part in enumerate(parts):
        if index % 2:  # inside a fenced block: as written
            out.append(part.strip("\n"))
            continue
        for pattern, replacement in MD_RULES:
            part = pattern.sub(replacement, part)
        out.append(part.strip("\n"))
    return "\n".join(p for p in out if p)


def text_budget(nick: str, target: str) -> int:
    """The bytes of text one PRIVMSG to `target` can carry, once the server has put its prefix in front."""
    return IRC_LINE_BYTES - 2 - RELAY_PREFIX_BYTES - len(nick.encode()) - len(f"PRIVMSG {target} :".encode())


def split_message(prefix: str, text: str, budget: int) -> list[str]:
    """IRC lines of at most `budget` UTF-8 bytes, each starting with `prefix`: one per line of `text`, long ones
    cut at the last space that fits (inside a word only when a word alone is too long, never inside a character)."""
    room = budget - len(prefix.encode())
    if room < 16:
        raise ValueError("no room left for text on an IRC line")
    lines = []
    for line in text.splitlines():
        line = line.rstrip()
        while len(line.encode()) > room:
            cut = _cut(line, room)
            lines.append(prefix + line[:cut].rstrip())
            line = line[cut:].lstrip()
        if line:
            lines.append(prefix + line)
    return lines


def _cut(line: str, room: int) -> int:
    """Where to cut `line` so its start fits in `room` bytes: after the last space that fits, else at the last
    whole character that fits."""
    fits = len(line.encode()[:room].decode(errors="ignore"))
    space = line.rfind(" ", 0, fits + 1)
    return space if space > 0 else fits
