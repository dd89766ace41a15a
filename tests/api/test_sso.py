"""Single sign-on against a real OpenID Connect provider (oidc-provider, run by node on loopback): the
generic OpenID Connect service, the MediaWiki preset (the username follows the wiki's), signup modes,
one-time states, and the mobile app's redirect."""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from tests.compat.conftest import free_port
from tests.compat.test_mattermost_client_js import JS_DIR, node_or_skip
from tests.helpers import Api

CLIENT_ID, CLIENT_SECRET = "kafana-test", "kafana-test-secret-0123456789"
CALLBACKS = ",".join(f"http://testserver/signup/{s}/complete" for s in ("openid", "mediawiki"))


@dataclass
class OidcProvider:
    url: str
    process: subprocess.Popen[str]

    def use_account(self, sub: str, username: str, email: str = "") -> None:
        response = httpx.post(f"{self.url}/test/account", json={"sub": sub, "username": username, "email": email or f"{sub}@wiki.test"})
        assert response.status_code == 200


@pytest.fixture(scope="module")
def oidc() -> Iterator[OidcProvider]:
    node = node_or_skip()
    if not (JS_DIR / "node_modules" / "oidc-provider" / "package.json").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail("oidc-provider is not installed in tests/js (npm ci)")
        pytest.skip("oidc-provider is not installed in tests/js (npm ci)")
    port = free_port()
    process = subprocess.Popen(
        [node, str(JS_DIR / "oidc_provider.mjs"), str(port), CLIENT_ID, CLIENT_SECRET, CALLBACKS],
        cwd=str(JS_DIR),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()  # blocks until the provider listens (or exits)
    try:
        assert line.startswith("ready "), f"oidc provider did not start: {line!r}"
        yield OidcProvider(line.split()[1], process)
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.fixture
def settings_overrides(oidc: OidcProvider, request: pytest.FixtureRequest) -> dict[str, Any]:
    values: dict[str, Any] = {
        "site_url": "http://testserver",
        "sso_openid_discovery_url": f"{oidc.url}/.well-known/openid-configuration",
        "sso_openid_client_id": CLIENT_ID,
        "sso_openid_client_secret": CLIENT_SECRET,
        "sso_mediawiki_url": oidc.url,
        "sso_mediawiki_client_id": CLIENT_ID,
        "sso_mediawiki_client_secret": CLIENT_SECRET,
        "sso_mediawiki_scope": "openid profile email",  # the test provider needs it; a real wiki takes its grants
    }
    values.update(getattr(request, "param", {}))
    return values


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """The user's browser on the provider's side (keeps the provider's cookies)."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=30) as client:
        yield client


async def sso(http: httpx.AsyncClient, browser: httpx.AsyncClient, start: str) -> httpx.Response:
    """Follow the redirects of a sign-in from Kafana to the provider and back; Kafana's last answer."""
    response = await http.get(start)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    for _ in range(10):
        if location.startswith("http://testserver/"):
            parts = urlsplit(location)
            return await http.get(f"{parts.path}?{parts.query}")
        response = await browser.get(location)
        assert response.status_code in (302, 303), (response.status_code, response.text[:300])
        location = urljoin(str(response.url), response.headers["location"])
    raise AssertionError("too many redirects")


def session_of(response: httpx.Response, http: httpx.AsyncClient) -> Api:
    token = response.cookies.get("MMAUTHTOKEN")
    assert token, response.headers
    http.cookies.clear()  # use the token as a Bearer token from here on
    return Api(http, token)


async def test_openid_connect_login_creates_then_finds_the_account(http: httpx.AsyncClient, browser: httpx.AsyncClient, oidc: OidcProvider, admin: Api) -> None:
    config = await admin.get("/config/client?format=old")
    assert config["EnableSignUpWithOpenId"] == "true" and config["OpenIdButtonText"] == "OpenID Connect"
    oidc.use_account("sub-ana", "Ana Lopez", "ana@wiki.test")
    first = await sso(http, browser, "/oauth/openid/login?redirect_to=/core/channels/town-square")
    assert first.status_code == 302 and first.headers["location"] == "/core/channels/town-square"
    assert {"MMAUTHTOKEN", "MMUSERID", "MMCSRF"} <= set(first.cookies)
    ana = session_of(first, http)
    me = await ana.get("/users/me")
    assert (me["username"], me["auth_service"], me["email"], me["email_verified"]) == ("ana_lopez", "openid", "ana@wiki.test", True)
    # The same person again (even renamed at the provider): the same account, matched by subject.
    oidc.use_account("sub-ana", "Ana Renamed", "ana@wiki.test")
    again = session_of(await sso(http, browser, "/oauth/openid/login"), http)
    assert (await again.get("/users/me"))["id"] == me["id"]
    assert (await again.get("/users/me"))["username"] == "ana_lopez"
    assert (await admin.get("/audits"))[0]["action"] == "login"


async def test_mediawiki_username_follows_the_wiki(http: httpx.AsyncClient, browser: httpx.AsyncClient, oidc: OidcProvider, admin: Api) -> None:
    oidc.use_account("4242", "Zoë Example")
    zoe = session_of(await sso(http, browser, "/oauth/mediawiki/login"), http)
    me = await zoe.get("/users/me")
    assert (me["username"], me["auth_service"]) == ("zoe_example", "mediawiki")
    assert me["email"].endswith("@mediawiki.invalid") or me["email"] == "4242@wiki.test"
    oidc.use_account("4242", "Zoë Renamed")
    renamed = session_of(await sso(http, browser, "/oauth/mediawiki/login"), http)
    me2 = await renamed.get("/users/me")
    assert (me2["id"], me2["username"]) == (me["id"], "zoe_renamed")
    # Passwords do not open SSO accounts.
    response = await http.post("/api/v4/users/login", json={"login_id": "zoe_renamed", "password": ""})
    assert response.status_code == 401


async def test_a_state_works_once_and_forged_ones_fail(http: httpx.AsyncClient, browser: httpx.AsyncClient, oidc: OidcProvider, admin: Api) -> None:
    oidc.use_account("sub-eve", "Eve")
    start = await http.get("/oauth/openid/login")
    location = start.headers["location"]
    callback = ""
    for _ in range(10):
        response = await browser.get(location)
        location = urljoin(str(response.url), response.headers["location"])
        if location.startswith("http://testserver/"):
            callback = location
            break
    parts = urlsplit(callback)
    first = await http.get(f"{parts.path}?{parts.query}")
    assert first.status_code == 302
    replay = await http.get(f"{parts.path}?{parts.query}")
    assert replay.status_code == 400 and replay.json()["id"] == "api.oauth.invalid_state.app_error"
    code = parse_qs(parts.query)["code"][0]
    forged = await http.get(f"/signup/openid/complete?code={code}&state=made-up")
    assert forged.status_code == 400
    unknown = await http.get("/oauth/gitlab/login")
    assert unknown.status_code == 404


@pytest.mark.parametrize("settings_overrides", [{"signup_mode": "invite"}], indirect=True)
async def test_sso_signup_obeys_invite_only(http: httpx.AsyncClient, browser: httpx.AsyncClient, oidc: OidcProvider, anon: Api) -> None:
    admin = await anon.signup("admin")
    team = await admin.create_team("core")
    oidc.use_account("sub-olga", "Olga")
    refused = await sso(http, browser, "/oauth/openid/login")
    assert refused.status_code == 403 and refused.json()["id"] == "api.user.create_user.no_invite.app_error"
    await admin.get("/users/username/olga", expect=404)
    joined = await sso(http, browser, f"/oauth/openid/signup?iid={team['invite_id']}")
    olga = session_of(joined, http)
    assert [t["id"] for t in await olga.get("/users/me/teams")] == [team["id"]]


async def test_mobile_login_redirects_to_the_app_with_a_token(http: httpx.AsyncClient, browser: httpx.AsyncClient, oidc: OidcProvider, admin: Api) -> None:
    oidc.use_account("sub-max", "Max")
    done = await sso(http, browser, "/oauth/openid/mobile_login?redirect_to=mmauth://callback")
    location = done.headers["location"]
    assert location.startswith("mmauth://callback?")
    token = parse_qs(urlsplit(location).query)["MMAUTHTOKEN"][0]
    assert (await Api(http, token).get("/users/me"))["username"] == "max"
    bad = await http.get("/oauth/openid/mobile_login?redirect_to=https://evil.example/")
    assert bad.status_code == 400
    # On the web, only paths of this site: anything else lands on /.
    oidc.use_account("sub-max", "Max")
    web = await sso(http, browser, "/oauth/openid/login?redirect_to=https://evil.example/")
    assert web.headers["location"] == "/"


@pytest.mark.parametrize("settings_overrides", [{"sso_openid_client_id": ""}], indirect=True)
async def test_mediawiki_alone_takes_the_openid_button(http: httpx.AsyncClient, browser: httpx.AsyncClient, oidc: OidcProvider, admin: Api) -> None:
    config = await admin.get("/config/client?format=old")
    assert config["EnableSignUpWithOpenId"] == "true" and config["OpenIdButtonText"] == "Wikimedia"
    oidc.use_account("77", "Wiki User")
    user = session_of(await sso(http, browser, "/oauth/openid/login"), http)
    assert (await user.get("/users/me"))["auth_service"] == "mediawiki"


# The ID token (OpenID Connect Core §3.1.3.7) ------------------------------------------------------------------

ID_TOKEN_REFUSED = "api.user.authorize_oauth_user.invalid_id_token.app_error"


def _rsa_jwk() -> tuple[Any, dict[str, Any]]:
    """A key pair of the test's own: its private key and its public JWKS."""
    import json

    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return private, {"keys": [{**public, "kid": "test-key", "alg": "RS256", "use": "sig"}]}


def intercept(monkeypatch: pytest.MonkeyPatch, *, token: Any = None, jwks: dict[str, Any] | None = None) -> None:
    """Let the real provider answer, then swap what it said: the ID token from the token endpoint (`token` maps
    the real one to the replacement) and/or the keys from its jwks_uri. The browser's side is not touched."""
    from kafana.actions import sso as sso_actions

    real = sso_actions._fetch_json

    async def fetch(method: str, url: str, **kw: Any) -> dict[str, Any]:
        data = await real(method, url, **kw)
        if token is not None and "id_token" in data:
            data = {**data, "id_token": token(data["id_token"])}
        if jwks is not None and "keys" in data:
            data = jwks
        return data

    monkeypatch.setattr(sso_actions, "_fetch_json", fetch)


def resigned(private: Any, kid: str, **changes: Any) -> Any:
    """The real token's claims (with `changes`; None removes one), signed with `private` under `kid`."""
    import jwt

    def make(real_token: str) -> str:
        claims = jwt.decode(real_token, options={"verify_signature": False})
        claims.update(changes)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, private, algorithm="RS256", headers={"kid": kid})

    return make


async def refused_without_account(http: httpx.AsyncClient, browser: httpx.AsyncClient, admin: Api, username: str) -> None:
    response = await sso(http, browser, "/oauth/openid/login")
    assert response.status_code == 401 and response.json()["id"] == ID_TOKEN_REFUSED, response.text
    assert "MMAUTHTOKEN" not in response.cookies
    await admin.get(f"/users/username/{username}", expect=404)


async def test_a_forged_id_token_is_refused(
    http: httpx.AsyncClient, browser: httpx.AsyncClient, oidc: OidcProvider, admin: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The provider's real claims under its real key id, signed by someone else's key."""
    import jwt

    private, _ = _rsa_jwk()
    intercept(monkeypatch, token=lambda real: resigned(private, str(jwt.get_unverified_header(real)["kid"]))(real))
    oidc.use_account("sub-mallory", "Mallory")
    await refused_without_account(http, browser, admin, "mallory")
    failures = [e for e in await admin.get("/audits") if e["action"] == "login_failed"]
    assert failures and '"reason":"id_token"' in failures[0]["extra_info"]


async def test_an_expired_id_token_is_refused(
    http: httpx.AsyncClient, browser: httpx.AsyncClient, oidc: OidcProvider, admin: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real provider's own token, checked by a Kafana whose clock is two hours ahead (its tokens live one)."""
    import time

    from kafana.lib import id_token

    monkeypatch.setattr(id_token, "now_s", lambda: time.time() + 7200)
    oidc.use_account("sub-oscar", "Oscar")
    await refused_without_account(http, browser, admin, "oscar")


@pytest.mark.parametrize(
    "changes",
    [{"aud": "another-client"}, {"iss": "https://impostor.example"}, {"nonce": "from-another-sign-in"}, {"nonce": None}, {"sub": "someone-else"}],
    ids=["audience", "issuer", "nonce", "no-nonce", "subject-differs-from-userinfo"],
)
async def test_id_token_claims_are_checked(
    http: httpx.AsyncClient, browser: httpx.AsyncClient, oidc: OidcProvider, admin: Api, monkeypatch: pytest.MonkeyPatch, changes: dict[str, Any]
) -> None:
    """Tokens signed by a key Kafana trusts (the test's, served as the provider's JWKS), one claim wrong each."""
    private, jwks = _rsa_jwk()
    intercept(monkeypatch, token=resigned(private, "test-key", **changes), jwks=jwks)
    oidc.use_account("sub-trent", "Trent")
    await refused_without_account(http, browser, admin, "trent")


async def test_a_correct_token_from_the_trusted_keys_is_accepted_and_none_is_not(
    http: httpx.AsyncClient, browser: httpx.AsyncClient, oidc: OidcProvider, admin: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The control for the test above (its set-up alone lets a sign-in through), then an unsigned token."""
    import jwt

    private, jwks = _rsa_jwk()
    intercept(monkeypatch, token=resigned(private, "test-key"), jwks=jwks)
    oidc.use_account("sub-peggy", "Peggy")
    assert session_of(await sso(http, browser, "/oauth/openid/login"), http)
    unsigned = lambda real: jwt.encode(jwt.decode(real, options={"verify_signature": False}), None, algorithm="none")  # noqa: E731
    intercept(monkeypatch, token=unsigned, jwks=jwks)
    oidc.use_account("sub-victor", "Victor")
    await refused_without_account(http, browser, admin, "victor")
