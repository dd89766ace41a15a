"""The requesting client's address, as the privacy setting allows it to be kept.

The HTTP layer sets it per request (a context variable, so actions need no extra parameter); the audit log and
sessions store `stored_ip(...)` of it: nothing, a truncated prefix, or the full address.
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar

current_ip: ContextVar[str] = ContextVar("kafana_client_ip", default="")


def stored_ip(address: str, policy: str) -> str:
    """`none` → "", `truncated` → the /24 (IPv4) or /48 (IPv6) network, `full` → the address."""
    if policy == "none" or not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if policy == "full":
        return str(ip)
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
