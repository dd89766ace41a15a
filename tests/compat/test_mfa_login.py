"""The real clients log in with an MFA code: mattermostdriver (`mfa_token`) and @mattermost/client (`login(…, token)`).

Each client gets an account of its own: the account turns MFA on with the code of the current step, so the
login uses the next step's code (accepted: one step of clock drift), which works exactly once.
"""

from __future__ import annotations

import json
import subprocess
import time
from typing import Any

import httpx
import pyotp
import pytest
from mattermostdriver import Driver
from mattermostdriver.exceptions import NoAccessTokenProvided

from kafana.lib.ids import new_id
from tests.compat.conftest import LiveServer
from tests.compat.test_mattermost_client_js import JS_DIR, node_or_skip

pytestmark = [pytest.mark.xdist_group("live")]
PASSWORD = "correct-horse-battery"


def mfa_account(server: LiveServer) -> tuple[str, str, int]:
    """A new account with MFA on; returns its username, secret and the step of the code used to turn it on."""
    username = "mfa" + new_id()[:10]
    with httpx.Client(base_url=server.api) as http:
        created = http.post("/users", json={"username": username, "email": f"{username}@example.com", "password": PASSWORD})
        assert created.status_code == 201, created.text
        login = http.post("/users/login", json={"login_id": username, "password": PASSWORD})
        headers = {"Authorization": f"Bearer {login.headers['Token']}"}
        secret = http.post(f"/users/{created.json()['id']}/mfa/generate", headers=headers).json()["secret"]
        step = int(time.time() // 30)
        activated = http.put("/users/me/mfa", json={"activate": True, "code": pyotp.TOTP(secret).at(step * 30)}, headers=headers)
        assert activated.status_code == 200, activated.text
    return username, secret, step


def test_mattermostdriver_logs_in_with_an_mfa_code(live_server: LiveServer) -> None:
    username, secret, step = mfa_account(live_server)
    options: dict[str, Any] = {"url": live_server.host, "port": live_server.port, "scheme": "http", "login_id": username, "password": PASSWORD}
    with pytest.raises(NoAccessTokenProvided, match="MFA"):
        Driver(dict(options)).login()
    code = pyotp.TOTP(secret).at((step + 1) * 30)
    driver = Driver({**options, "mfa_token": code})
    user = driver.login()
    assert user["username"] == username and user["mfa_active"] is True
    assert driver.users.get_user("me")["id"] == user["id"]
    # The same code a second time: refused (S2).
    with pytest.raises(NoAccessTokenProvided):
        Driver({**options, "mfa_token": code}).login()


def test_mattermost_client_js_logs_in_with_an_mfa_code(live_server: LiveServer) -> None:
    node = node_or_skip()
    username, secret, step = mfa_account(live_server)
    code = pyotp.TOTP(secret).at((step + 1) * 30)
    proc = subprocess.run(
        [node, str(JS_DIR / "mfa_login.js"), live_server.url, username, PASSWORD, code],
        cwd=str(JS_DIR),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert proc.returncode == 0, (result, proc.stderr)
    assert result["first_error"] == {"server_error_id": "mfa.validate_token.authenticate.app_error", "status_code": 401}
    assert result["user"]["username"] == username and result["user"]["mfa_active"] is True
    assert result["me"] == username
