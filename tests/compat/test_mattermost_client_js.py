"""Kafana driven by the real @mattermost/client (Client4, run by node): tests/js/client_flow.js.

The flow runs once per session (per xdist worker) against an empty server; the checks
(tests.compat.flows.ClientFlowChecks) are shared with the mattermostdriver tests. Without node or tests/js/node_modules (`make test-sqlite` installs
them with `npm ci`) the tests skip, except under CI=true where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.compat.conftest import LiveServer
from tests.compat.flows import ClientFlowChecks, Flow

pytestmark = [pytest.mark.xdist_group("live")]

JS_DIR = Path(__file__).resolve().parents[1] / "js"
SCRIPT = JS_DIR / "client_flow.js"
FLOW_TIMEOUT = 180.0
PASSWORD = "correct-horse-battery"


def node_or_skip() -> str:
    node = shutil.which("node")
    problem = ""
    if node is None:
        problem = "node is not installed"
    elif not (JS_DIR / "node_modules" / "@mattermost" / "client" / "package.json").is_file():
        problem = "tests/js/node_modules is missing: run `cd tests/js && npm ci` (make test-sqlite does)"
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(f"@mattermost/client tests cannot run under CI=true: {problem}")
        pytest.skip(problem)
    assert node is not None
    return node


def run_js_flow(node: str, server: LiveServer) -> Flow:
    env = {**os.environ, "KAFANA_TEST_PASSWORD": PASSWORD, "KAFANA_TEST_SUFFIX": "1"}
    try:
        proc = subprocess.run(
            [node, str(SCRIPT), server.url],
            cwd=str(JS_DIR),
            env=env,
            capture_output=True,
            text=True,
            timeout=FLOW_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"client_flow.js did not finish in {FLOW_TIMEOUT}s; stderr: {exc.stderr!r}; server log:\n{server.log_tail()}")
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    if not lines:
        pytest.fail(f"client_flow.js printed nothing (exit {proc.returncode}); stderr:\n{proc.stderr[-4000:]}")
    try:
        result = json.loads(lines[-1])
    except json.JSONDecodeError:
        pytest.fail(f"client_flow.js printed no JSON (exit {proc.returncode}): {proc.stdout[-2000:]}\nstderr:\n{proc.stderr[-2000:]}")
    if result.get("fatal"):
        pytest.fail(f"client_flow.js crashed: {result['fatal']}\nstderr:\n{proc.stderr[-2000:]}")
    assert proc.returncode == 0, proc.stderr
    return Flow("@mattermost/client", result["steps"], result["order"], result["context"], server_log=server.log_tail)


@pytest.fixture(scope="session")
def flow(new_live_server: Callable[[], LiveServer]) -> Flow:
    """The flow runs once per session (per xdist worker), on a server of its own."""
    node = node_or_skip()  # before starting a server for nothing
    return run_js_flow(node, new_live_server())


class TestMattermostClientJs(ClientFlowChecks):
    """Every check of ClientFlowChecks, on what Client4 got back."""
