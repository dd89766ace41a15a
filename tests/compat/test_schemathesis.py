"""schemathesis fuzzes a running `kafana serve` with Mattermost's OpenAPI document, filtered to the routes the
server itself serves (its /api/v4/openapi.json), signed in as a system admin: no request may cause a 5xx.

Operations that would end the fuzzer's own session or account (logout, revocations, deactivation, password
and role changes) are left out; their refusals and effects are tested in tests/api.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from tests.compat.conftest import LiveServer, start_server
from tests.openapi import load_spec

pytestmark = [pytest.mark.xdist_group("live")]

PASSWORD = "correct-horse-battery"
METHODS = ("get", "put", "post", "delete", "patch")
# Would log the fuzzer out or lock its account: tested elsewhere.
SELF_ENDING = re.compile(r"/logout$|/sessions/revoke|/active$|/password$|/roles$|/demote$|^/api/v4/users/\{[^}]+\}$|/mfa")


def _normal(template: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", template)


def filtered_document(served: dict[str, Any]) -> dict[str, Any]:
    """Mattermost's document with only the operations this server implements."""
    routes = {(m.lower(), _normal(p)) for p, ops in served["paths"].items() for m in ops}
    document = load_spec().document
    paths: dict[str, Any] = {}
    for path, item in document["paths"].items():
        kept = {m: op for m, op in item.items() if m in METHODS and (m, _normal(path)) in routes and not (m != "get" and SELF_ENDING.search(path))}
        if kept:
            if "parameters" in item:
                kept["parameters"] = item["parameters"]
            paths[path] = kept
    return {**document, "paths": paths, "servers": [{"url": "/"}]}


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    # Email configured (to a port nobody listens on: mail waits in the outbox), so the email routes work.
    server = start_server(tmp_path_factory.mktemp("fuzzed"), env={"KAFANA_SMTP_HOST": "127.0.0.1", "KAFANA_SMTP_PORT": "9"})
    try:
        with httpx.Client(base_url=server.api) as http:
            http.post("/users", json={"username": "fuzzadmin", "email": "fuzz@example.com", "password": PASSWORD}).raise_for_status()
            token = http.post("/users/login", json={"login_id": "fuzzadmin", "password": PASSWORD}).headers["Token"]
            http.post("/teams", json={"name": "fuzz", "display_name": "Fuzz", "type": "O"}, headers={"Authorization": f"Bearer {token}"}).raise_for_status()
        yield server, token
    finally:
        server.stop()


def fuzz_operation(operation: Any, server: LiveServer, token: str, failures: list[str]) -> None:
    """A few generated requests for one operation (plus its documented examples); 5xx answers are collected."""

    @given(case=operation.as_strategy())
    @settings(max_examples=8, deadline=None, database=None, phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def fuzz(case: Any) -> None:
        response = case.call(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        if response.status_code >= 500:
            failures.append(f"{operation.method.upper()} {operation.path}: {response.status_code} for {case.as_curl_command()}")

    fuzz()


def test_no_operation_answers_with_a_server_error(fuzzed_server: tuple[LiveServer, str]) -> None:
    server, token = fuzzed_server
    served = httpx.get(f"{server.api}/openapi.json").json()
    schema = schemathesis.openapi.from_dict(filtered_document(served))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50, "the filter kept too few operations"
    failures: list[str] = []
    for operation in operations:
        fuzz_operation(operation, server, token, failures)
    assert not failures, "server errors:\n" + "\n".join(failures[:20]) + f"\nserver log:\n{server.log_tail()}"
