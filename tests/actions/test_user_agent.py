"""Session device names from User-Agent strings (lib/user_agent.py)."""

from __future__ import annotations

import pytest

from kafana.lib.user_agent import device_props

CHROME_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36"
EDGE_MAC = CHROME_WIN.replace("Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 14_5") + " Edg/131.0.2903.70"
SAFARI_IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:131.0) Gecko/131.0 Firefox/131.0"


@pytest.mark.parametrize(
    ("ua", "expected"),
    [
        (CHROME_WIN, {"os": "Windows", "platform": "Windows", "browser": "Chrome/131.0"}),
        (EDGE_MAC, {"os": "Mac OS", "platform": "Macintosh", "browser": "Edge/131.0"}),
        (SAFARI_IPHONE, {"os": "iOS", "platform": "iPhone", "browser": "Safari/17.5"}),
        (FIREFOX_ANDROID, {"os": "Android", "platform": "Android", "browser": "Firefox/131.0"}),
        ("python-httpx/0.28.1", {}),
        ("", {}),
    ],
)
def test_device_props(ua: str, expected: dict[str, str]) -> None:
    assert device_props(ua) == expected
