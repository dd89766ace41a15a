"""Link previews: OpenGraph data of a post's first link, fetched by the server after the post is committed,
stored in the post (`metadata.embeds`) and announced with `post_edited`; and the image proxy, so readers'
addresses never reach other sites.

Fetching goes through links/safe_http.py (D10): internal addresses are refused after DNS resolution, every
redirect is checked again, and size and time are bounded. A refused or failed fetch leaves the post without a
preview; it never fails the post.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import quote, urlsplit

from kafana.actions.context import Services
from kafana.events import to_channel
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError
from kafana.links import safe_http
from kafana.links.opengraph import first_link, has_content, parse_opengraph
from kafana.models import Post
from kafana.models.posts import post_metadata
from kafana.store import files as files_store
from kafana.store import posts as posts_store

log = logging.getLogger(__name__)

HTML_LIMIT = 1024 * 1024  # OpenGraph lives in <head>: the first MiB is plenty
IMAGE_LIMIT = 8 * 1024 * 1024
CACHE_SECONDS = 3600.0
CACHE_ENTRIES = 1000
PROXIED_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "image/x-icon", "image/vnd.microsoft.icon", "image/avif"})


def refused(reason: str) -> AppError:
    return AppError(422, "api.link.refused.app_error", "The server will not fetch this URL.", reason)


def _allowed(svc: Services) -> tuple[safe_http.Network, ...]:
    return safe_http.parse_networks(svc.settings.outbound_allowed_networks)


async def fetch_opengraph(svc: Services, url: str) -> dict[str, Any]:
    """The page's OpenGraph data (cached for an hour per node). Raises AppError 422 when the URL is refused."""
    cache: dict[str, tuple[float, dict[str, Any]]] = svc.extra.setdefault("opengraph_cache", {})
    hit = cache.get(url)
    if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    try:
        async with safe_http.fetch(url, allowed=_allowed(svc), accept="text/html,application/xhtml+xml") as page:
            if page.status != 200 or page.content_type not in ("text/html", "application/xhtml+xml"):
                og = parse_opengraph("", page.url)
            else:
                og = parse_opengraph((await page.body(HTML_LIMIT)).decode("utf-8", "replace"), page.url)
    except safe_http.Refused as exc:
        raise refused(str(exc)) from None
    if len(cache) >= CACHE_ENTRIES:
        cache.clear()
    cache[url] = (time.monotonic(), og)
    return og


def proxied(svc: Services, url: str) -> str:
    """The image proxy's URL for an image on another site (unchanged when the proxy is off)."""
    if not svc.settings.enable_image_proxy or not url.startswith(("http://", "https://")):
        return url
    return f"{svc.settings.site_url.rstrip('/')}/api/v4/image?url={quote(url, safe='')}"


async def fetch_image(svc: Services, url: str) -> tuple[bytes, str]:
    """GET /image?url=…: an image from another site, fetched by the server (at most 8 MiB, images only)."""
    if not svc.settings.enable_image_proxy:
        raise AppError(501, "api.image.disabled.app_error", "The image proxy is disabled.")
    try:
        async with safe_http.fetch(url, allowed=_allowed(svc), accept="image/*") as image:
            if image.status != 200 or image.content_type not in PROXIED_TYPES:
                raise AppError(400, "api.image.not_an_image.app_error", "The URL does not point to an image.")
            data = await image.body(IMAGE_LIMIT + 1)
    except safe_http.Refused as exc:
        raise refused(str(exc)) from None
    if len(data) > IMAGE_LIMIT:
        raise AppError(413, "api.image.too_large.app_error", "The image is too large to proxy.")
    return data, image.content_type


def _own_site(svc: Services, link: str) -> bool:
    return urlsplit(link).netloc.lower() == urlsplit(svc.settings.site_url).netloc.lower()


def schedule_preview(svc: Services, post: Post) -> None:
    """After a post is committed: fetch its first link's preview in the background (if previews are on)."""
    link = first_link(post.message) if svc.settings.enable_link_previews and not post.type else ""
    if link and not _own_site(svc, link):
        svc.spawn(_refresh_embeds(svc, post.id, link))


async def _refresh_embeds(svc: Services, post_id: str, link: str) -> None:
    try:
        og = await fetch_opengraph(svc, link)
    except AppError as exc:
        log.info("no preview for %s: %s", link, exc.detailed_error or exc.message)
        return
    except Exception:
        log.exception("link preview of %s failed", link)
        return
    if not has_content(og):
        return
    for image in og.get("images") or []:
        image["url"] = proxied(svc, image["url"])
        image["secure_url"] = proxied(svc, image["secure_url"]) if image["secure_url"] else ""
    embeds = [{"type": "opengraph", "url": link, "data": og}]
    async with svc.db.write() as uow:
        post = await posts_store.get_post(uow.session, post_id)
        if post is None or post.delete_at or first_link(post.message) != link or post.embeds == embeds:
            return  # deleted or edited meanwhile: a newer preview (or none) applies
        post.embeds = embeds
        post.update_at = max(post.update_at + 1, now_ms())
        files = (await files_store.get_files_for_posts(uow.session, [post.id])).get(post.id, []) if post.file_ids else []
        reactions = (await posts_store.get_reactions_for_posts(uow.session, [post.id])).get(post.id, []) if post.has_reactions else []
        uow.emit(to_channel(post.channel_id, "post_edited", {"post": json.dumps(post.to_api(metadata=post_metadata(post, files, reactions)))}))
