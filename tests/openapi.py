"""Mattermost's OpenAPI document as a test oracle for Kafana's response shapes.

The document (mattermost-openapi-v4.yaml) lives in `shared/reference/`, beside the repository. Its schemas
are loose (no `required`), so besides validating a response against the documented schema, `check_shape`
also asserts that every property the document lists is present, recursing into nested objects, arrays and
maps. Where the document itself is wrong about what Mattermost sends, `ERRATA` patches it, and where
Mattermost omits empty fields (Go `omitempty`), `OPTIONAL` says so; each entry gives its reason.
"""

from __future__ import annotations

import copy
import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

REPO_ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = REPO_ROOT.parent / "shared" / "reference" / "mattermost-openapi-v4.yaml"
COMPONENT = "x-component"  # set on every schema that came from #/components/schemas/<name>

# Where the document disagrees with what Mattermost servers send (and clients parse): (component, property) -> schema.
ERRATA: dict[tuple[str, str], dict[str, Any] | None] = {
    # model.User.Timezone is a map[string]string: "true"/"false" strings (the mobile app compares strings).
    ("Timezone", "useAutomaticTimezone"): {"type": "string"},
    # The JSON field of model.Post.Hashtags is "hashtags"; "hashtag" is a typo in the document.
    ("Post", "hashtag"): None,
    ("Post", "hashtags"): {"type": "string"},
    # model.ThreadResponse.Participants is []*User (ids only unless extended=true), not posts.
    ("UserThread", "participants"): {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}},
    # The document says this field "will be null" without a policy; Go's *string marshals as null.
    ("Team", "policy_id"): {"type": ["string", "null"]},
}

# Properties Mattermost omits when empty (json:",omitempty"), so their absence is not a shape error.
OPTIONAL: dict[str, frozenset[str]] = {
    "User": frozenset({"terms_of_service_id", "terms_of_service_create_at"}),  # "not present if empty"
    "Post": frozenset({"file_ids"}),  # FileIds `json:"file_ids,omitempty"`
    # Every PostMetadata field is omitempty ("This field will be null if ...").
    "PostMetadata": frozenset({"embeds", "emojis", "files", "images", "reactions", "priority", "acknowledgements"}),
    # database_status / filestore_status only with ?get_server_status; CanReceiveNotifications only with ?device_id.
    "SystemStatusResponse": frozenset({"database_status", "filestore_status", "CanReceiveNotifications"}),
}

# What Mattermost leaves out of other people's profiles (model.User.ClearNonProfileFields + omitempty).
SANITIZED_USER_FIELDS = frozenset({"email_verified", "notify_props", "last_password_update", "failed_attempts", "mfa_active"})


@dataclass
class Spec:
    document: dict[str, Any]

    def component(self, name: str) -> dict[str, Any]:
        """A schema from #/components/schemas with every $ref inlined and the errata applied."""
        return self._resolve({"$ref": f"#/components/schemas/{name}"}, ())

    def response_schema(self, method: str, path: str) -> dict[str, Any]:
        """The schema of the documented 2xx JSON response of `METHOD /api/v4/...` (path as templated in the document)."""
        operation = self.document["paths"].get(path, {}).get(method.lower())
        if operation is None:
            raise KeyError(f"{method} {path} is not in the Mattermost OpenAPI document")
        for status, response in sorted(operation.get("responses", {}).items()):
            if not str(status).startswith("2"):
                continue
            response = self._follow(response)
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                return self._resolve(schema, ())
        raise KeyError(f"{method} {path} documents no JSON 2xx response schema")

    def _follow(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def _resolve(self, node: Any, trail: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [self._resolve(item, trail) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            ref = node["$ref"]
            name = ref.rsplit("/", 1)[-1]
            if ref.startswith("#/components/schemas/") and name in trail:
                return {"type": "object", COMPONENT: name}  # a cycle: stop here
            resolved = self._resolve(copy.deepcopy(self._follow(node)), (*trail, name))
            if ref.startswith("#/components/schemas/"):
                resolved[COMPONENT] = name
                _apply_errata(name, resolved)
            return resolved
        out = {key: self._resolve(value, trail) for key, value in node.items()}
        if out.get("nullable") is True and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]  # OpenAPI 3.0 nullable -> JSON Schema
        return out


def _apply_errata(name: str, schema: dict[str, Any]) -> None:
    properties = schema.setdefault("properties", {})
    for (component, prop), replacement in ERRATA.items():
        if component != name:
            continue
        if replacement is None:
            properties.pop(prop, None)
        else:
            properties[prop] = replacement


@functools.cache
def _load(path: Path) -> Spec:
    with path.open("rb") as fh:
        return Spec(yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


def load_spec() -> Spec:
    """The parsed document, read once per test process; skipped (failed under CI=true) when it is missing."""
    if not SPEC_PATH.is_file():
        reason = f"Mattermost OpenAPI document not found at {SPEC_PATH} (it lives in shared/reference/ beside the repository)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return _load(SPEC_PATH)


def schema_errors(instance: Any, schema: dict[str, Any]) -> list[str]:
    """Where `instance` breaks `schema` (types, enums, item shapes), as readable strings."""
    validator = Draft7Validator(schema)
    return [f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}" for error in validator.iter_errors(instance)]


def missing_properties(instance: Any, schema: dict[str, Any], *, optional: frozenset[str] = frozenset(), where: str = "") -> list[str]:
    """Documented properties absent from `instance`, recursively (objects, arrays, maps).

    `optional` names extra top-level properties that may be absent (beyond `OPTIONAL` for the component).
    """
    missing: list[str] = []
    if isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(instance):
            missing += missing_properties(item, schema["items"], optional=optional, where=f"{where}[{index}]")
        return missing
    if not isinstance(instance, dict):
        return missing
    allowed_absent = optional | OPTIONAL.get(schema.get(COMPONENT, ""), frozenset())
    for prop, sub in (schema.get("properties") or {}).items():
        path = f"{where}.{prop}" if where else prop
        if prop not in instance:
            if prop not in allowed_absent:
                missing.append(path)
            continue
        if isinstance(sub, dict) and instance[prop] is not None:
            missing += missing_properties(instance[prop], sub, where=path)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and not schema.get("properties"):
        for key, value in instance.items():
            missing += missing_properties(value, extra, where=f"{where}[{key}]")
    return missing


def check_shape(instance: Any, schema: dict[str, Any], *, optional: frozenset[str] = frozenset(), what: str = "") -> None:
    """Assert that a response body matches the documented schema and carries every documented property."""
    problems = schema_errors(instance, schema) + [f"missing: {p}" for p in missing_properties(instance, schema, optional=optional)]
    assert not problems, f"{what or schema.get(COMPONENT, 'response')} does not match the Mattermost OpenAPI document:\n  " + "\n  ".join(problems)


def implemented(app: Any, method: str, path: str) -> bool:
    """Whether Kafana has a route for `METHOD /api/v4/...` (parameter names may differ from the document's)."""

    def normal(template: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", template)

    routes = {(m.upper(), normal(p)) for p, operations in app.openapi()["paths"].items() for m in operations}
    return (method.upper(), normal(path)) in routes
