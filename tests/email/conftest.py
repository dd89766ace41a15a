"""Email tests talk to a real SMTP server (aiosmtpd) on loopback; background jobs run when the test ticks
them, at the time the test gives (no waiting for batch windows or back-off delays)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from kafana.actions.context import Services
from kafana.workers.jobs import default_jobs
from kafana.workers.scheduler import Scheduler
from tests.mail import SmtpSink


@pytest.fixture
async def smtp_sink() -> AsyncIterator[SmtpSink]:
    sink = SmtpSink()
    await sink.start()
    yield sink
    await sink.stop()


@pytest.fixture
def settings_overrides(smtp_sink: SmtpSink) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": smtp_sink.port, "email_from": "chat@kafana.test", "site_url": "https://chat.example.org"}


class Jobs:
    """The server's periodic jobs, run by hand at a chosen time (the app's own scheduler is stopped)."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def tick(self, now: int) -> list[str]:
        return await Scheduler(self.services, default_jobs(self.services, list)).tick(now)


@pytest.fixture
async def jobs(app: Any, services: Services) -> Jobs:
    await app.state.scheduler.stop()
    return Jobs(services)
