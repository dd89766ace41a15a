"""Single sign-on with OAuth 2 / OpenID Connect, the way Mattermost's apps drive it:

    GET /oauth/{service}/login?redirect_to=/path        (web)   → 302 to the provider
    GET /oauth/{service}/mobile_login?redirect_to=mmauth://…  (mobile app)
    GET /oauth/{service}/signup?t=…|iid=…                (signing up from an invitation)
    GET /signup/{service}/complete?code=…&state=…       the provider's redirect back → session, 302 onwards

Services: `openid` (any OpenID Connect provider, found by discovery) and `mediawiki` (a MediaWiki wiki's
OAuth 2: /w/rest.php/oauth2/…; the Kafana username follows the wiki username at every login). Accounts are
matched by (auth_service, provider subject), never by email. New accounts obey the signup mode like any
other; MFA is the provider's business (SSO accounts are exempt from Kafana's). For OpenID Connect, the ID token
is verified (lib/id_token.py: signature against the provider's JWKS, issuer, audience, expiry, nonce) and must
name the same subject as the userinfo answer.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from kafana.actions import audit, auth, invites
from kafana.actions.context import Services
from kafana.actions.profiles import notify_user_updated
from kafana.db import UnitOfWork
from kafana.events import to_all
from kafana.lib import id_token
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, not_found
from kafana.lib.ids import hash_token, new_id
from kafana.lib.usernames import from_external
from kafana.lib.validation import EMAIL_RE
from kafana.models import SsoState, User
from kafana.models.users import DEFAULT_NOTIFY_PROPS, DEFAULT_TIMEZONE
from kafana.store import sso as sso_store
from kafana.store import users as users_store

STATE_TTL_MS = 10 * 60_000
MOBILE_SCHEMES = ("mmauth://", "mmauthbeta://")  # Mattermost's NativeAppSettings.AppCustomURLSchemes
HTTP_TIMEOUT_S = 10.0
BAD_STATE = AppError(400, "api.oauth.invalid_state.app_error", "The sign-in link is invalid or has expired; please try again.")
PROVIDER_FAILED = AppError(502, "api.user.authorize_oauth_user.service.app_error", "The sign-in provider could not be reached or refused the sign-in.")
INVALID_ID_TOKEN = AppError(401, "api.user.authorize_oauth_user.invalid_id_token.app_error", "The sign-in provider's ID token could not be verified.")
NAME_TAKEN = AppError(400, "api.user.sso.username_taken.app_error", "Another account already uses this username; ask an administrator.")


@dataclass(slots=True, frozen=True)
class Provider:
    service: str
    client_id: str
    client_secret: str
    authorize_url: str
    token_url: str
    userinfo_url: str
    scope: str
    username_claim: str
    follow_username: bool  # rename the Kafana account when the provider's name changes (MediaWiki)
    issuer: str = ""  # OpenID Connect: the ID token's expected `iss`, and where its signing keys are published
    jwks_uri: str = ""


def enabled_services(svc: Services) -> list[str]:
    s = svc.settings
    return [name for name, client_id in (("openid", s.sso_openid_client_id), ("mediawiki", s.sso_mediawiki_client_id)) if client_id]


def openid_slot(svc: Services) -> str:
    """The service behind Mattermost's "OpenID" button: the generic provider, or the MediaWiki one when alone."""
    services = enabled_services(svc)
    return "openid" if "openid" in services else (services[0] if services else "")


def openid_button_text(svc: Services) -> str:
    slot = openid_slot(svc)
    return svc.settings.sso_mediawiki_button_text if slot == "mediawiki" else svc.settings.sso_openid_button_text


async def provider(svc: Services, service: str) -> Provider:
    s = svc.settings
    if service not in enabled_services(svc):
        raise not_found("oauth_service")
    if service == "mediawiki":
        base = s.sso_mediawiki_url.rstrip("/") + "/w/rest.php/oauth2"
        return Provider(
            "mediawiki",
            s.sso_mediawiki_client_id,
            s.sso_mediawiki_client_secret,
            f"{base}/authorize",
            f"{base}/access_token",
            f"{base}/resource/profile",
            s.sso_mediawiki_scope,
            "username",
            True,
        )
    discovery = await _discovery(svc, s.sso_openid_discovery_url)
    return Provider(
        "openid",
        s.sso_openid_client_id,
        s.sso_openid_client_secret,
        str(discovery["authorization_endpoint"]),
        str(discovery["token_endpoint"]),
        str(discovery["userinfo_endpoint"]),
        "openid profile email",
        s.sso_openid_username_claim,
        False,
        str(discovery["issuer"]),
        str(discovery["jwks_uri"]),
    )


async def _discovery(svc: Services, url: str) -> dict[str, Any]:
    """The provider's /.well-known/openid-configuration, fetched once per process."""
    cache: dict[str, dict[str, Any]] = svc.extra.setdefault("oidc_discovery", {})
    if url not in cache:
        document = await _fetch_json("GET", url)
        if not all(isinstance(document.get(k), str) for k in ("issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")):
            raise PROVIDER_FAILED
        cache[url] = document
    return cache[url]


async def _fetch_json(method: str, url: str, **kw: Any) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_S, follow_redirects=False) as client:
            response = await client.request(method, url, **kw)
        data = response.json()
    except (httpx.HTTPError, ValueError):
        raise PROVIDER_FAILED from None
    if response.status_code != 200 or not isinstance(data, dict):
        raise PROVIDER_FAILED
    return data


def _callback_url(svc: Services, service: str) -> str:
    return f"{svc.settings.site_url.rstrip('/')}/signup/{service}/complete"


def _safe_redirect(redirect_to: str, mobile: bool) -> str:
    """Only a path on this site (no open redirect), or for the mobile app its own URL scheme."""
    if mobile:
        return redirect_to if redirect_to.startswith(MOBILE_SCHEMES) else ""
    return redirect_to if redirect_to.startswith("/") and not redirect_to.startswith("//") and "\\" not in redirect_to else "/"


async def begin(svc: Services, service: str, *, redirect_to: str = "", mobile: bool = False, invite_token: str = "", invite_id: str = "") -> str:
    """Remember a new one-time state (with a PKCE verifier) and give the provider's authorization URL."""
    if service == "openid":
        service = openid_slot(svc) or service
    chosen = await provider(svc, service)
    if mobile and not _safe_redirect(redirect_to, True):
        raise AppError(400, "api.oauth.redirect_to.app_error", "redirect_to must be the app's own URL scheme.")
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(48)
    now = now_ms()
    async with svc.db.write() as uow:
        await sso_store.delete_expired_states(uow.session, now)
        uow.session.add(
            SsoState(
                state_hash=hash_token(state),
                service=service,
                redirect_to=_safe_redirect(redirect_to, mobile)[:512],
                mobile=mobile,
                code_verifier=verifier,
                invite_token=invite_token[:128],
                invite_id=invite_id[:64],
                expires_at=now + STATE_TTL_MS,
            )
        )
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    params = {
        "response_type": "code",
        "client_id": chosen.client_id,
        "redirect_uri": _callback_url(svc, service),
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if chosen.scope:
        params["scope"] = chosen.scope
    if chosen.jwks_uri:
        params["nonce"] = id_token.nonce_for(verifier)
    return f"{chosen.authorize_url}?{urlencode(params)}"


@dataclass(slots=True)
class Completed:
    result: auth.LoginResult
    redirect_to: str
    mobile: bool


async def complete(svc: Services, service: str, code: str, state: str) -> Completed:
    """The provider sent the browser back: check the state, exchange the code, find or create the account."""
    async with svc.db.write() as uow:
        saved = await sso_store.take_state(uow.session, hash_token(state)) if state else None
    if saved is None or saved.expires_at < now_ms() or saved.service != service or not code:
        raise BAD_STATE
    chosen = await provider(svc, service)
    tokens = await _fetch_json(
        "POST",
        chosen.token_url,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": _callback_url(svc, service),
            "client_id": chosen.client_id,
            "client_secret": chosen.client_secret,
            "code_verifier": saved.code_verifier,
        },
        headers={"Accept": "application/json"},
    )
    access_token = tokens.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise PROVIDER_FAILED
    verified_subject = await _verified_subject(svc, chosen, tokens.get("id_token"), saved.code_verifier) if chosen.jwks_uri else ""
    claims = await _fetch_json("GET", chosen.userinfo_url, headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"})
    subject = str(claims.get("sub") or "")
    if not subject or len(subject) > 128:
        raise PROVIDER_FAILED
    if chosen.jwks_uri and subject != verified_subject:  # OpenID Connect Core §5.3.2: userinfo speaks of the token's subject
        raise INVALID_ID_TOKEN
    name = claims.get(chosen.username_claim) or claims.get("preferred_username") or ""
    username = from_external(str(name), subject)
    email = claims.get("email")
    verified = claims.get("email_verified") is True or claims.get("confirmed_email") is True
    if not (isinstance(email, str) and verified and EMAIL_RE.match(email) and len(email) <= 128):
        email = ""
    result = await _sign_in(svc, chosen, subject, username, email, saved)
    return Completed(result, saved.redirect_to, saved.mobile)


async def _verified_subject(svc: Services, chosen: Provider, token: object, verifier: str) -> str:
    """The subject of the ID token, once it is verified; a refused token is audited and ends the sign-in."""
    try:
        if not isinstance(token, str) or not token:
            raise id_token.InvalidIdToken("the provider sent no ID token")
        jwks = await _signing_keys(svc, chosen.jwks_uri, id_token.key_id(token))
        claims = id_token.verify(token, jwks, issuer=chosen.issuer, client_id=chosen.client_id, nonce=id_token.nonce_for(verifier))
    except id_token.InvalidIdToken as exc:
        await audit.record(svc, "login_failed", reason="id_token", service=chosen.service, detail=str(exc)[:200])
        raise INVALID_ID_TOKEN from None
    return str(claims["sub"])


async def _signing_keys(svc: Services, jwks_uri: str, kid: str) -> dict[str, Any]:
    """The provider's JWKS, cached per process and fetched again when a token names a key it lacks (rotation)."""
    cache: dict[str, dict[str, Any]] = svc.extra.setdefault("oidc_jwks", {})
    cached = cache.get(jwks_uri)
    if cached is None or (kid and not any(isinstance(k, dict) and k.get("kid") == kid for k in cached.get("keys", []))):
        cached = cache[jwks_uri] = await _fetch_json("GET", jwks_uri)
    return cached


async def _sign_in(svc: Services, chosen: Provider, subject: str, username: str, email: str, saved: SsoState) -> auth.LoginResult:
    async with svc.db.write() as uow:
        db = uow.session
        user = await sso_store.get_user_by_auth(db, chosen.service, subject)
        if user is None:
            user = await _sign_up_txn(uow, svc, chosen, subject, username, email, saved)
        elif user.delete_at:
            raise auth.PENDING if user.approval_pending else auth.INACTIVE
        elif chosen.follow_username and user.username != username and await users_store.get_user_by_username(db, username) is None:
            audit.record_txn(uow, svc, "sso_rename", user_id=user.id, old=user.username, new=username)
            user.username, user.update_at = username, now_ms()
            notify_user_updated(uow, user)
        # Just signed up but waiting for approval: the account is kept, no session is opened.
        outcome = auth.PENDING if user.delete_at else await auth.open_session_txn(uow, svc, user, via=chosen.service)
    if isinstance(outcome, AppError):
        raise outcome
    return outcome


async def _sign_up_txn(uow: UnitOfWork, svc: Services, chosen: Provider, subject: str, username: str, email: str, saved: SsoState) -> User:
    db = uow.session
    if await users_store.get_user_by_username(db, username) is not None:
        raise NAME_TAKEN
    if email and await users_store.get_user_by_email(db, email) is not None:
        raise AppError(400, "app.user.save.email_exists.app_error", "An account with that email already exists; sign in with its password.")
    user_id = new_id()
    address = email or f"{user_id}@{chosen.service}.invalid"  # unique and undeliverable; the provider gave none
    grant = await invites.check_signup_txn(uow, svc, email=address, token=saved.invite_token, invite_id=saved.invite_id, privileged=False)
    pending = svc.settings.signup_approval
    now = now_ms()
    user = User(
        id=user_id,
        create_at=now,
        update_at=now,
        delete_at=now if pending else 0,
        approval_pending=pending,
        username=username,
        password="",
        auth_service=chosen.service,
        auth_data=subject,
        email=address,
        email_verified=bool(email),
        roles="system_guest" if grant.invitation is not None and grant.invitation.guest else "system_user",
        notify_props=dict(DEFAULT_NOTIFY_PROPS),
        timezone=dict(DEFAULT_TIMEZONE),
        props={},
    )
    db.add(user)
    await db.flush()
    await invites.apply_grant_txn(uow, grant, user)
    audit.record_txn(uow, svc, "create_user", target_id=user_id, via=chosen.service, pending=pending)
    uow.emit(to_all("new_user", {"user_id": user_id}))
    return user
