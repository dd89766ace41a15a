"""What the Telegram and Discord bridges share: relaying a local change (text split to the network's limit,
files sent as files, replies as the network's replies, edits and deletes of the remote copies), retried while
the network is unreachable, and remote files brought in as uploads."""

from __future__ import annotations

import logging
from abc import abstractmethod
from collections.abc import Awaitable, Callable
from typing import ClassVar

import httpx

from kafana.actions.bridges import Outbound
from kafana.bridges.base import BridgeWorker
from kafana.bridges.net import Backoff, Upload
from kafana.lib.errors import AppError

log = logging.getLogger(__name__)

SNIPPET = 80  # characters of a thread's root quoted when the root has no remote copy to answer


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at a line break or a space where there is one."""
    pieces = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*pieces, text] if text else pieces


def author_of(out: Outbound) -> str:
    """The local username, or a remote name with its network for a message another bridge brought in."""
    return f"{out.author} ({out.author_network})" if out.author_network else out.author


class ChatWorker(BridgeWorker):
    """A bridge to a network with message ids, replies, edits and files (Telegram, Discord)."""

    text_limit: ClassVar[int]

    async def deliver(self, out: Outbound) -> None:
        """Relay one change; while the network is unreachable (or keeps answering 429/5xx) keep trying, so
        later changes wait behind it in order. A refusal (4xx) is logged and the change dropped."""
        backoff = Backoff()
        while True:
            try:
                await self._relay(out)
                return
            except (httpx.TransportError, self.Unavailable) as exc:
                if not self.transient(exc):
                    log.warning("%s bridge %s could not relay %s: %s", self.kind, self.ctx.bridge_id, out.event, exc)
                    return
                log.info("%s bridge %s: %s unreachable (%s); retrying", self.kind, self.ctx.bridge_id, self.kind, exc)
            await backoff.wait()

    def transient(self, exc: Exception) -> bool:
        """Worth retrying: the network was unreachable, overloaded, or still rate limiting (after the
        client's own retries). Both clients' errors carry the HTTP `status`."""
        status = int(getattr(exc, "status", 0))
        return not isinstance(exc, self.Unavailable) or status == 429 or status >= 500

    async def _relay(self, out: Outbound) -> None:
        text = self.line(author_of(out), out.message)
        if out.event == "posted":
            if not out.post.get("root_id") or out.reply_remote_ids:
                reply_to = out.reply_remote_ids[0] if out.reply_remote_ids else ""
            else:  # a thread whose root never reached the network: say what it answers
                reply_to = ""
                text = f"↪ {out.root_author}: {out.root_message[:SNIPPET]}\n{text}"
            files = [
                Upload(found[0].name, found[1], found[0].mime_type)
                for file_id in out.post.get("file_ids") or []
                if (found := await self.ctx.read_file(str(file_id))) is not None
            ]
            remote_ids = await self.send(text if out.message or not files else "", reply_to, author_of(out), files)
            if remote_ids:
                await self.ctx.remember(out.post_id, remote_ids)
        elif out.event == "post_edited" and out.remote_ids:
            await self.edit(out.remote_ids[0], split_text(text, self.text_limit)[0])
        elif out.event == "post_deleted":
            for remote_id in out.remote_ids:
                await self.remove(remote_id)

    async def inbound(self, step: Awaitable[object]) -> None:
        """Run one inbound step (post, edit, delete): a refusal by Kafana (the bridge's bot removed from its
        channel, a message too long) is logged and skipped, so one bad message cannot block the others."""
        try:
            await step
        except AppError as exc:
            log.warning("%s bridge %s: Kafana refused a relayed message: %s", self.kind, self.ctx.bridge_id, exc)

    async def fetch_in(self, name: str, size: int, download: Callable[[], Awaitable[tuple[str, bytes]]]) -> list[str]:
        """Bring one remote file in as an upload (skipped, with a log line, when too large or unavailable)."""
        if size > self.ctx.svc.settings.max_file_size:
            log.info("%s bridge %s: skipped %s (%d bytes)", self.kind, self.ctx.bridge_id, name, size)
            return []
        try:
            found_name, data = await download()
        except (httpx.HTTPError, self.Unavailable) as exc:
            log.warning("%s bridge %s: could not download %s: %s", self.kind, self.ctx.bridge_id, name, exc)
            return []
        file_id = await self.ctx.upload(name or found_name, data)
        return [file_id] if file_id else []

    # What each network provides ------------------------------------------------------------------------

    Unavailable: ClassVar[type[Exception]]  # the client's error type

    @staticmethod
    @abstractmethod
    def line(author: str, message: str) -> str:
        """A local message as the network shows it, with its author's name."""

    @abstractmethod
    async def send(self, text: str, reply_to: str, author: str, files: list[Upload]) -> list[str]:
        """Send text (split as needed) and files; the remote ids of the messages made."""

    @abstractmethod
    async def edit(self, remote_id: str, text: str) -> None: ...

    @abstractmethod
    async def remove(self, remote_id: str) -> None: ...
