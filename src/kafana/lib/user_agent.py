"""What a session's User-Agent says about its device, in Mattermost's session props (`platform`, `os`,
`browser`), so that people can tell their sessions apart when they revoke one."""

from __future__ import annotations

import re

# Checked in order: several browsers name the ones they are built on too (Edge says Chrome and Safari).
_BROWSERS = (
    ("Mattermost", r"Mattermost(?:Mobile)?/([\d.]+)"),
    ("Edge", r"Edg(?:e|A|iOS)?/([\d.]+)"),
    ("Opera", r"OPR/([\d.]+)"),
    ("Firefox", r"(?:Firefox|FxiOS)/([\d.]+)"),
    ("Chrome", r"(?:Headless)?(?:Chrome|CriOS)/([\d.]+)"),
    ("Safari", r"Version/([\d.]+).*Safari/"),
)
_SYSTEMS = (
    ("iOS", "iPhone", r"iPhone|iPad|iPod"),
    ("Android", "Android", r"Android"),
    ("Chrome OS", "Linux", r"CrOS"),
    ("Windows", "Windows", r"Windows"),
    ("Mac OS", "Macintosh", r"Mac OS X|Macintosh"),
    ("Linux", "Linux", r"Linux|X11"),
)


def device_props(user_agent: str) -> dict[str, str]:
    """{"platform", "os", "browser"} for a User-Agent; empty for one that names nothing known."""
    ua = user_agent[:512]
    props: dict[str, str] = {}
    for system, platform, pattern in _SYSTEMS:
        if re.search(pattern, ua):
            props["os"], props["platform"] = system, platform
            break
    for name, pattern in _BROWSERS:
        match = re.search(pattern, ua)
        if match:
            major_minor = ".".join(match.group(1).split(".")[:2])
            props["browser"] = f"{name}/{major_minor}"
            break
    return props
