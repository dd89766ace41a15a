"""Bridge tests: the bridges reach servers on this machine (allowed past the D10 guard) and are polled quickly."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"outbound_allowed_networks": "127.0.0.0/8", "bridge_poll_seconds": 0.2, "site_url": "http://kafana.test"}
