"""OpenGraph metadata of a web page, in Mattermost's OpenGraph JSON shape, and the first link of a message."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

LINK_RE = re.compile(r"https?://[^\s<>\"'`)\]]+", re.IGNORECASE)
TRAILING = ".,;:!?*_~"
FIELD_MAX = 1000


def first_link(message: str) -> str:
    """The first http(s) URL in a message (trailing punctuation and Markdown emphasis dropped), or ""."""
    for match in LINK_RE.finditer(message):
        url = match.group(0).rstrip(TRAILING)
        if len(url) > len("https://"):
            return url[:2048]
    return ""


class _MetaParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.title = ""
        self._in_title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            values = {k.lower(): (v or "") for k, v in attrs}
            key = (values.get("property") or values.get("name") or "").lower()
            if key.startswith("og:") or key == "description":
                self.meta.append((key, values.get("content", "")[:FIELD_MAX]))
        elif tag == "title":
            self._in_title = True
        elif tag == "body":
            self.done = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "head":
            self.done = True

    def handle_data(self, data: str) -> None:
        if self._in_title and len(self.title) < FIELD_MAX:
            self.title += data


def parse_opengraph(html: str, page_url: str) -> dict[str, Any]:
    """Mattermost's OpenGraph object from a page's head. Image URLs are made absolute."""
    parser = _MetaParser()
    try:
        parser.feed(html)
        parser.close()
    except (ValueError, AssertionError):
        pass  # broken markup: keep what was read
    og: dict[str, Any] = {
        "type": "", "url": page_url, "title": "", "description": "", "determiner": "", "site_name": "", "locale": "",
        "locales_alternate": None, "images": None, "audios": None, "videos": None,
    }  # fmt: skip
    images: list[dict[str, Any]] = []
    fallback_description = ""
    for key, value in parser.meta:
        value = value.strip()
        if key == "description":
            fallback_description = value
        elif key in ("og:title", "og:description", "og:type", "og:site_name", "og:locale", "og:determiner"):
            og[key[3:]] = value
        elif key == "og:url" and value.startswith(("http://", "https://")):
            og["url"] = value
        elif key in ("og:image", "og:image:url") and value:
            images.append({"url": urljoin(page_url, value), "secure_url": "", "type": "", "width": 0, "height": 0})
        elif key in ("og:image:width", "og:image:height") and images and value.isdigit():
            images[-1][key[9:]] = min(int(value), 100_000)
        elif key == "og:image:type" and images:
            images[-1]["type"] = value
        elif key == "og:image:secure_url" and images and value.startswith("https://"):
            images[-1]["secure_url"] = value
    og["title"] = og["title"] or " ".join(parser.title.split())
    og["description"] = og["description"] or fallback_description
    if images:
        og["images"] = images[:4]
    return og


def has_content(og: dict[str, Any]) -> bool:
    return bool(og.get("title") or og.get("description") or og.get("images"))
