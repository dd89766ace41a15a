"""The rules every real client relies on before it does anything else (reference §0), over real HTTP.

Runs against the shared `live_server` with `requests` (mattermostdriver's transport) and the driver itself.
"""

from __future__ import annotations

import pytest
import requests
from mattermostdriver import Driver
from mattermostdriver.exceptions import NoAccessTokenProvided, ResourceNotFound

from tests.compat.conftest import LiveServer
from tests.compat.flows import VERSION_ID_RE
from tests.compat.shapes import assert_id

pytestmark = [pytest.mark.xdist_group("live")]

ERROR_KEYS = {"id", "message", "detailed_error", "request_id", "status_code", "is_oauth"}


def anonymous_driver(server: LiveServer) -> Driver:
    return Driver({"url": server.host, "port": server.port, "scheme": "http", "basepath": "/api/v4", "request_timeout": 30})


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("HEAD", "/", 200),
        ("GET", "/", 200),
        ("GET", "/api/v4/system/ping", 200),
        ("GET", "/api/v4/users/me", 401),
        ("GET", "/api/v4/no/such/route", 404),
        ("POST", "/api/v4/users/login", 400),
    ],
)
def test_version_header_and_exact_json_type(live_server: LiveServer, method: str, path: str, status: int) -> None:
    response = requests.request(method, live_server.url + path, timeout=30, allow_redirects=False)
    assert response.status_code == status, response.text[:500]
    assert VERSION_ID_RE.match(response.headers.get("X-Version-Id", "")), response.headers
    assert_id(response.headers.get("X-Request-Id"), "X-Request-Id")
    if path.startswith("/api/v4/"):
        # Client4 and the driver parse a body only when the type is exactly this; Cache-Control would make the
        # web client ignore X-Version-Id.
        assert response.headers.get("Content-Type") == "application/json", response.headers
        assert "Cache-Control" not in response.headers, response.headers
    if status >= 400:
        body = response.json()
        assert set(body) >= ERROR_KEYS, body
        assert body["status_code"] == status and body["id"] and body["message"], body
        assert body["request_id"] == response.headers["X-Request-Id"], body


def test_driver_ping_and_errors(live_server: LiveServer) -> None:
    driver = anonymous_driver(live_server)
    ping = driver.system.check_system_health()
    assert isinstance(ping, dict) and ping["status"] == "OK", ping
    with pytest.raises(NoAccessTokenProvided) as missing_token:
        driver.users.get_user("me")
    assert str(missing_token.value), "the driver reports the error JSON's message"
    with pytest.raises(ResourceNotFound):
        driver.client.get("/no/such/route")


def test_logout_without_a_session_answers_ok(live_server: LiveServer) -> None:
    """Matterbridge probes the server with a logout before logging in, and loops until it gets a 2xx."""
    result = anonymous_driver(live_server).logout()
    assert result == {"status": "OK"}, result
