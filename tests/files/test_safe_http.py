"""The SSRF checks of links/safe_http.py on their own: what resolution answers decide (no traffic is sent)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any

import pytest

from kafana.links import safe_http
from kafana.links.opengraph import first_link, parse_opengraph


def answer(*addresses: str) -> Any:
    async def getaddrinfo(host: str, port: int, **kw: Any) -> list[Any]:
        family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
        return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    return getaddrinfo


async def test_a_name_with_any_internal_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: a name that resolves to a public and an internal address is refused as a whole."""
    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", answer("93.184.216.34", "127.0.0.1"))
    with pytest.raises(safe_http.Refused):
        await safe_http.check_url("http://rebind.example/")


async def test_the_connection_goes_to_the_checked_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", answer("93.184.216.34"))
    target = await safe_http.check_url("https://site.example:8443/a/b?c=d#frag")
    assert target.pinned_url() == "https://93.184.216.34:8443/a/b?c=d"
    assert (target.host, target.port) == ("site.example", 8443)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",
    ],
)
def test_internal_addresses(address: str) -> None:
    assert not safe_http.is_public(ipaddress.ip_address(address))


def test_allowed_networks_open_only_themselves() -> None:
    allowed = safe_http.parse_networks("127.0.0.1/32, 10.9.0.0/16")
    assert safe_http.is_public(ipaddress.ip_address("127.0.0.1"), allowed)
    assert safe_http.is_public(ipaddress.ip_address("10.9.3.4"), allowed)
    assert not safe_http.is_public(ipaddress.ip_address("127.0.0.2"), allowed)
    assert safe_http.is_public(ipaddress.ip_address("93.184.216.34"))


def test_first_link_and_opengraph_parsing() -> None:
    assert first_link("see (https://example.org/a_b) and http://x.example") == "https://example.org/a_b"
    assert first_link("**https://example.org/x**.") == "https://example.org/x"
    assert first_link("no links, just ftp://example.org") == ""
    og = parse_opengraph("<head><meta name=description content='d'><title> T  t </title><meta property='og:image' content='i.png'>", "https://e.example/p/")
    assert (og["title"], og["description"], og["images"][0]["url"]) == ("T t", "d", "https://e.example/p/i.png")
