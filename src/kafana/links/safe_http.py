"""Outgoing HTTP that cannot be turned against the server's own network (SSRF, reliability D10).

Every hop (the first URL and each redirect) is checked the same way: only http and https; the host name is
resolved here and *every* address it resolves to must be public (not loopback, private, link-local, shared,
multicast, reserved, unspecified, nor an IPv4 address inside IPv6), unless it lies in a network the operator
listed in `outbound_allowed_networks`. The connection then goes to the address that was checked (the URL's
host stays in the Host header and TLS name), so a DNS answer that changes between check and connect
(rebinding) cannot redirect it. Sizes and the total time are bounded.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_REDIRECTS = 5
USER_AGENT = "Kafana link preview (Mattermost-compatible chat server)"


class Refused(Exception):
    """The URL may not be fetched: bad scheme, an internal address, too many redirects, too large, too slow."""


def parse_networks(text: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def is_public(ip: IPAddress, allowed: Iterable[Network] = ()) -> bool:
    if any(ip in net for net in allowed if net.version == ip.version):
        return True
    if isinstance(ip, ipaddress.IPv6Address) and (ip.ipv4_mapped or ip.sixtofour or ip.teredo):
        return False  # an IPv4 address in disguise: refuse rather than unwrap each form
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_unspecified)


@dataclass(frozen=True, slots=True)
class Target:
    url: str
    scheme: str
    host: str
    port: int
    ip: IPAddress

    def pinned_url(self) -> str:
        """The URL with the checked address in place of the host name."""
        parts = urlsplit(self.url)
        literal = f"[{self.ip}]" if self.ip.version == 6 else str(self.ip)
        path = parts.path or "/"
        return f"{self.scheme}://{literal}:{self.port}{path}" + (f"?{parts.query}" if parts.query else "")


async def check_url(url: str, allowed: Iterable[Network] = ()) -> Target:
    """Resolve and check one URL; raises Refused."""
    if len(url) > 2048:
        raise Refused("URL too long")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise Refused(f"malformed URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise Refused(f"only http and https URLs are fetched, not {scheme or 'this'!r}")
    host = parts.hostname
    port = port or (443 if scheme == "https" else 80)
    return Target(url, scheme, host, port, await check_host(host, port, allowed))


async def check_host(host: str, port: int, allowed: Iterable[Network] = ()) -> IPAddress:
    """Resolve `host`; the address to connect to, if every address it has is public (or allowed). Raises
    Refused. Also for other protocols than HTTP (the IRC bridge)."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Refused(f"cannot resolve {host}: {exc}") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    if not addresses:
        raise Refused(f"{host} has no address")
    allowed = tuple(allowed)
    refused = [str(ip) for ip in addresses if not is_public(ip, allowed)]
    if refused:
        raise Refused(f"{host} resolves to a non-public address ({', '.join(refused)})")
    return addresses[0]


@dataclass(slots=True)
class Fetched:
    url: str  # after redirects
    status: int
    content_type: str
    response: httpx.Response

    async def body(self, limit: int) -> bytes:
        """At most `limit` bytes of the body (the rest is not read)."""
        data = bytearray()
        async for chunk in self.response.aiter_bytes():
            data += chunk
            if len(data) >= limit:
                return bytes(data[:limit])
        return bytes(data)


@asynccontextmanager
async def fetch(url: str, *, allowed: Iterable[Network] = (), seconds: float = 10.0, accept: str = "*/*") -> AsyncIterator[Fetched]:
    """GET `url` (following up to 5 redirects, each checked); the response body streams inside the block,
    and the whole of it (resolving, connecting, reading) must end within `seconds`."""
    allowed = tuple(allowed)
    try:
        async with asyncio.timeout(seconds), httpx.AsyncClient(timeout=seconds, follow_redirects=False, trust_env=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                target = await check_url(url, allowed)
                headers = {"Host": _host_header(target), "User-Agent": USER_AGENT, "Accept": accept}
                extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
                request = client.build_request("GET", target.pinned_url(), headers=headers, extensions=extensions)
                response = await client.send(request, stream=True)
                try:
                    location = response.headers.get("location")
                    if response.status_code in (301, 302, 303, 307, 308) and location:
                        url = urljoin(url, location)
                        continue
                    yield Fetched(url, response.status_code, response.headers.get("content-type", "").split(";")[0].strip().lower(), response)
                    return
                finally:
                    await response.aclose()
            raise Refused("too many redirects")
    except TimeoutError:
        raise Refused("timed out") from None
    except httpx.HTTPError as exc:
        raise Refused(f"fetch failed: {exc.__class__.__name__}") from None


def _host_header(target: Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    content_type: str
    body: bytes


async def call(
    method: str,
    url: str,
    *,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    allowed: Iterable[Network] = (),
    seconds: float = 10.0,
    limit: int = 1 << 20,
) -> Reply:
    """Send one request to a checked address (no redirects followed: the URL a user gave is the one called)
    and read at most `limit` bytes of the answer. For URLs that users give the server to call: Web Push
    endpoints, webhook and slash command callbacks."""
    try:
        async with asyncio.timeout(seconds), httpx.AsyncClient(timeout=seconds, follow_redirects=False, trust_env=False) as client:
            target = await check_url(url, tuple(allowed))
            extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
            sent = {"Host": _host_header(target), "User-Agent": USER_AGENT, **(headers or {})}
            request = client.build_request(method, target.pinned_url(), headers=sent, content=body or None, extensions=extensions)
            response = await client.send(request, stream=True)
            try:
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return Reply(response.status_code, content_type, await Fetched(url, response.status_code, content_type, response).body(limit))
            finally:
                await response.aclose()
    except TimeoutError:
        raise Refused("timed out") from None
    except httpx.HTTPError as exc:
        raise Refused(f"{method} failed: {exc.__class__.__name__}") from None


async def post(url: str, body: bytes, headers: dict[str, str], *, allowed: Iterable[Network] = (), seconds: float = 10.0) -> int:
    """POST `body` to a checked address; returns the status."""
    return (await call("POST", url, body=body, headers=headers, allowed=allowed, seconds=seconds, limit=4096)).status
