"""GET /logs: this node's recent log lines for system admins only (A16), newest first, with a level filter
and secrets masked."""

from __future__ import annotations

import json
import logging

from kafana.lib.logbuffer import mask
from tests.helpers import Api


async def test_admins_read_recent_lines_with_a_level_filter(admin: Api, anon: Api) -> None:
    log = logging.getLogger("kafana.test_logs")
    log.info("an ordinary event %d", 1)
    log.error("something broke for Bearer abcdefghijklmnopqrstuvwxyz and token=s3cr3t password: hunter22")
    lines = [json.loads(line) for line in await admin.get("/logs?logs_per_page=50")]
    mine = [line for line in lines if line["caller"] == "kafana.test_logs"]
    assert [line["level"] for line in mine] == ["error", "info"]  # newest first
    assert mine[1]["msg"] == "an ordinary event 1"
    assert mine[0]["msg"] == "something broke for Bearer *** and token=*** password: ***"
    assert mine[0]["timestamp"].endswith("+00:00")

    errors = [json.loads(line) for line in await admin.get("/logs?level=error&logs_per_page=1000")]
    assert errors and {line["level"] for line in errors} <= {"error", "critical"}
    assert len(await admin.get("/logs?logs_per_page=1")) == 1
    bad = await admin.get("/logs?level=loud", expect=400)
    assert bad["id"] == "api.context.invalid_param.app_error"

    bob = await anon.signup("bob")
    await bob.get("/logs", expect=403)
    await anon.get("/logs", expect=401)


def test_secrets_in_urls_and_headers_are_masked() -> None:
    assert mask("postgresql://kafana:pw@db/kafana") == "postgresql://kafana:***@db/kafana"
    assert mask('{"Authorization": "Bearer xyz"}') == '{"Authorization": "Bearer ***"}'
    assert mask("api_key=AKIA123&x=1") == "api_key=***&x=1"
