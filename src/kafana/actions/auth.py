"""Logging in and out, authenticating tokens, and personal access tokens."""

from __future__ import annotations

import time
from dataclasses import dataclass

from kafana.actions import audit, bots, mfa
from kafana.actions.context import Actor, Services
from kafana.db import UnitOfWork
from kafana.lib.client_ip import current_ip, stored_ip
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, forbidden, not_found, unauthorized
from kafana.lib.ids import hash_token, new_id
from kafana.lib.passwords import verify_in_thread
from kafana.lib.user_agent import device_props
from kafana.models import AccessToken, Session, User
from kafana.store import users as users_store

INVALID_CREDENTIALS = AppError(
    401, "api.user.login.invalid_credentials_email_username", "Enter a valid email or username and/or password, or sign in using another method."
)
ACTIVITY_WRITE_INTERVAL_MS = 5 * 60 * 1000


@dataclass(slots=True)
class LoginResult:
    user: User
    session: Session
    token: str


def new_token() -> str:
    """26 characters like every Mattermost id; 130 bits of randomness."""
    return new_id()


class LoginThrottle:
    """Failed logins per client address (the per-account counter lives on the user row)."""

    def __init__(self, limit: int, window_s: float = 300.0) -> None:
        self.limit = limit
        self.window_s = window_s
        self.failures: dict[str, list[float]] = {}

    def blocked(self, key: str) -> bool:
        now = time.monotonic()
        recent = [t for t in self.failures.get(key, []) if now - t < self.window_s]
        self.failures[key] = recent
        return len(recent) >= self.limit * 3

    def fail(self, key: str) -> None:
        if len(self.failures) > 100_000:
            self.failures.clear()
        self.failures.setdefault(key, []).append(time.monotonic())


def _throttle(svc: Services) -> LoginThrottle:
    throttle = svc.extra.get("login_throttle")
    if throttle is None:
        throttle = svc.extra["login_throttle"] = LoginThrottle(svc.settings.maximum_login_attempts)
    assert isinstance(throttle, LoginThrottle)
    return throttle


LOCKED = AppError(
    401,
    "api.user.check_user_login_attempts.too_many.app_error",
    "Your account is locked because of too many failed password attempts. Please reset your password.",
)
INACTIVE = AppError(401, "api.user.login.inactive.app_error", "Login failed because your account has been deactivated. Please contact an administrator.")
PENDING = AppError(401, "api.user.login.approval_pending.app_error", "Your account is waiting for an administrator's approval.")
NOT_VERIFIED = AppError(401, "api.user.login.not_verified.app_error", "Login failed because your email address has not been verified.")


def _dummy_hash(svc: Services) -> str:
    dummy = svc.extra.get("dummy_password_hash")
    if not isinstance(dummy, str):
        dummy = svc.extra["dummy_password_hash"] = svc.hasher.hash(new_id())
    return dummy


async def do_login(
    svc: Services,
    login_id: str,
    password: str,
    *,
    user_id: str = "",
    device_id: str = "",
    mfa_token: str = "",
    client_key: str = "",
    user_agent: str = "",
) -> LoginResult:
    """Check credentials and open a session. Wrong user and wrong password give the same answer.

    Each attempt is counted *before* the password is checked, with the user row locked, so parallel guesses
    cannot get past `maximum_login_attempts` (S1); a complete login resets the count.
    """
    throttle = _throttle(svc)
    if client_key and throttle.blocked(client_key):
        raise AppError(429, "api.user.login.throttled.app_error", "Too many failed login attempts; try again later.")
    locked = False
    async with svc.db.write() as uow:
        if user_id:
            user = await users_store.get_user(uow.session, user_id)
        else:
            user = await users_store.get_user_by_login(uow.session, login_id)
        if user is not None and not user.is_bot:
            await uow.session.refresh(user, with_for_update=True)
            locked = user.failed_attempts >= svc.settings.maximum_login_attempts
            if not locked:
                user.failed_attempts += 1
    if user is None or user.is_bot:
        await verify_in_thread(svc.hasher, _dummy_hash(svc), password)  # the same cost: timing does not tell who exists
        if client_key:
            throttle.fail(client_key)
        await audit.record(svc, "login_failed", reason="unknown_account")
        raise INVALID_CREDENTIALS
    if locked:
        await audit.record(svc, "login_failed", user_id=user.id, reason="locked")
        raise LOCKED
    if not await verify_in_thread(svc.hasher, user.password, password):
        if client_key:
            throttle.fail(client_key)
        await audit.record(svc, "login_failed", user_id=user.id, reason="password")
        raise INVALID_CREDENTIALS
    async with svc.db.write() as uow:
        row = await users_store.get_user(uow.session, user.id)
        assert row is not None
        if row.mfa_active and not mfa_token:
            # The clients' pre-flight ("does this account need a code?") is not a failed attempt.
            row.failed_attempts = max(0, row.failed_attempts - 1)
            outcome: AppError | LoginResult = mfa.MFA_REQUIRED
        elif row.mfa_active and not mfa.use_code(row, mfa_token):
            outcome = mfa.MFA_BAD_CODE  # counted as a failed attempt, like a wrong password
            audit.record_txn(uow, svc, "login_failed", user_id=row.id, reason="mfa_code")
        else:
            row.failed_attempts = 0
            if row.delete_at:
                outcome = PENDING if row.approval_pending else INACTIVE
                audit.record_txn(uow, svc, "login_failed", user_id=row.id, reason="inactive")
            elif svc.settings.require_email_verification and not row.email_verified:
                outcome = NOT_VERIFIED  # the clients then offer to send the verification email again
                audit.record_txn(uow, svc, "login_failed", user_id=row.id, reason="email_not_verified")
            else:
                outcome = await open_session_txn(uow, svc, row, device_id=device_id, user_agent=user_agent)
    if isinstance(outcome, AppError):
        raise outcome
    return outcome


async def open_session_txn(uow: UnitOfWork, svc: Services, user: User, *, device_id: str = "", via: str = "password", user_agent: str = "") -> LoginResult:
    """A new session (a fresh token: never one from before the login, S4); one session per device. The
    User-Agent's device and browser go into its props, so that its owner can recognise it in the session list."""
    if device_id:
        await users_store.delete_sessions_for_device(uow.session, user.id, device_id)
    token = new_token()
    session = _new_session(svc, user, token, device_id=device_id)
    session.props = device_props(user_agent)
    uow.session.add(session)
    audit.record_txn(uow, svc, "login", user_id=user.id, session_id=session.id, device_id=device_id[:64], via=via)
    return LoginResult(user, session, token)


def _new_session(svc: Services, user: User, token: str, *, device_id: str = "", access_token_id: str = "", long_lived: bool = False) -> Session:
    now = now_ms()
    expires = 0 if long_lived else now + svc.settings.session_length_days * 86_400_000
    return Session(
        id=new_id(),
        token_hash=hash_token(token),
        user_id=user.id,
        create_at=now,
        expires_at=expires,
        last_activity_at=now,
        device_id=device_id,
        roles=user.roles,
        csrf_token=new_id(),
        access_token_id=access_token_id,
        props={},
        ip_address=stored_ip(current_ip.get(), svc.settings.privacy_store_ip),
    )


async def do_logout(svc: Services, actor: Actor) -> None:
    if actor.session is None:
        return
    async with svc.db.write() as uow:
        session = await uow.session.get(Session, actor.session.id)
        if session is not None:
            await uow.session.delete(session)
    svc.auth_cache.drop_token(actor.session.token_hash)


async def authenticate(svc: Services, token: str) -> Actor:
    """Turn a session token or personal access token into an actor, or raise 401."""
    token_hash = hash_token(token)
    now = now_ms()
    cached = svc.auth_cache.get(token_hash, now)
    if cached is not None:
        if (cached[1].expires_at and cached[1].expires_at < now) or cached[0].delete_at:
            svc.auth_cache.drop_token(token_hash)
            raise unauthorized()
        return Actor(*cached)
    user: User | None = None
    session: Session | None = None
    async with svc.db.read() as db:
        session = await users_store.get_session_by_token_hash(db, token_hash)
        if session is not None:
            user = await users_store.get_user(db, session.user_id)
        elif svc.settings.enable_personal_access_tokens:
            pat = await users_store.get_access_token_by_hash(db, token_hash)
            if pat is not None and pat.is_active:
                user = await users_store.get_user(db, pat.user_id)
                if user is not None:
                    session = _new_session(svc, user, token, access_token_id=pat.id, long_lived=True)
                    session.props = {"type": "UserAccessToken"}
    if session is None or user is None or user.delete_at:
        raise unauthorized()
    idle_ms = svc.settings.session_idle_timeout_minutes * 60_000
    if (session.expires_at and session.expires_at < now) or (not session.access_token_id and idle_ms and now - session.last_activity_at > idle_ms):
        raise unauthorized()
    if not session.access_token_id and now - session.last_activity_at > ACTIVITY_WRITE_INTERVAL_MS:
        await _touch_session(svc, session, now)
    svc.auth_cache.put(token_hash, user, session, now)
    return Actor(user, session)


async def _touch_session(svc: Services, session: Session, now: int) -> None:
    async with svc.db.write() as uow:
        row = await uow.session.get(Session, session.id)
        if row is not None:
            row.last_activity_at = now
            await users_store.touch_user_activity(uow.session, session.user_id, now)
    session.last_activity_at = now


async def revoke_user_sessions(svc: Services, user_id: str, *, keep_session_id: str = "") -> None:
    """Log a user out everywhere (password change, deactivation), optionally keeping the current session."""
    async with svc.db.write() as uow:
        hashes = await users_store.delete_sessions_for_user(uow.session, user_id, keep_session_id=keep_session_id)
    for h in hashes:
        svc.auth_cache.drop_token(h)
    svc.auth_cache.drop_user(user_id)


async def do_revoke_session(svc: Services, actor: Actor, user_id: str, session_id: str) -> None:
    """POST /users/{id}/sessions/revoke: one device logs out (the owner, or an admin for anyone)."""
    if actor.user_id != user_id and not actor.is_admin:
        raise forbidden()
    async with svc.db.write() as uow:
        token_hash = await users_store.delete_session(uow.session, user_id, session_id)
        audit.record_txn(uow, svc, "revoke_session", actor=actor, target_id=user_id, session=session_id)
    if token_hash is None:
        raise not_found("session")
    svc.auth_cache.drop_token(token_hash)


async def do_revoke_all_sessions(svc: Services, actor: Actor, user_id: str) -> None:
    """POST /users/{id}/sessions/revoke/all: the owner or an admin logs that user out everywhere."""
    if actor.user_id != user_id and not actor.is_admin:
        raise forbidden()
    await audit.record(svc, "revoke_all_sessions", actor=actor, target_id=user_id)
    await revoke_user_sessions(svc, user_id)


async def do_revoke_everyone(svc: Services, actor: Actor) -> None:
    """POST /users/sessions/revoke/all (system admins): every login session ends, the admin's own included."""
    if not actor.is_admin:
        raise forbidden()
    async with svc.db.write() as uow:
        hashes = await users_store.delete_all_sessions(uow.session)
        audit.record_txn(uow, svc, "revoke_all_sessions_everyone", actor=actor, count=len(hashes))
    for h in hashes:
        svc.auth_cache.drop_token(h)


async def do_attach_device(svc: Services, actor: Actor, device_id: str) -> None:
    """PUT /users/sessions/device: remember the push device on the current session."""
    if actor.session is None or actor.session.access_token_id:
        return
    async with svc.db.write() as uow:
        row = await uow.session.get(Session, actor.session.id)
        if row is not None:
            row.device_id = device_id[:512]
            actor.session.device_id = row.device_id


# Personal access tokens --------------------------------------------------------------------------------


async def _check_token_owner(svc: Services, actor: Actor, user_id: str) -> None:
    """Tokens are one's own, one's bots', or (admins) anyone's."""
    if actor.user_id != user_id and not actor.is_admin and not await bots.is_owner(svc, actor, user_id):
        raise forbidden()


async def do_create_access_token(svc: Services, actor: Actor, user_id: str, description: str) -> tuple[AccessToken, str]:
    if not svc.settings.enable_personal_access_tokens:
        raise AppError(501, "app.user_access_token.disabled", "Personal access tokens are disabled on this server.")
    await _check_token_owner(svc, actor, user_id)
    if actor.session is not None and actor.session.access_token_id:
        raise forbidden("Personal access tokens cannot create other tokens.")
    if not description.strip() or len(description) > 255:
        raise AppError(400, "model.user_access_token.is_valid.description.app_error", "Invalid description, must be 1 to 255 characters.")
    token = new_token()
    async with svc.db.write() as uow:
        user = await users_store.get_user(uow.session, user_id)
        if user is None or user.delete_at:
            raise not_found("user")
        pat = AccessToken(id=new_id(), token_hash=hash_token(token), user_id=user_id, description=description, is_active=True, create_at=now_ms())
        uow.session.add(pat)
        audit.record_txn(uow, svc, "create_access_token", actor=actor, target_id=user_id, token_id=pat.id)
    return pat, token


async def get_access_token(svc: Services, actor: Actor, token_id: str) -> AccessToken:
    async with svc.db.read() as db:
        pat = await users_store.get_access_token(db, token_id)
    try:
        if pat is None:
            raise forbidden()
        await _check_token_owner(svc, actor, pat.user_id)
    except AppError:
        raise not_found("user_access_token") from None
    return pat


async def list_access_tokens(svc: Services, actor: Actor, user_id: str, offset: int, limit: int) -> list[AccessToken]:
    await _check_token_owner(svc, actor, user_id)
    async with svc.db.read() as db:
        return await users_store.get_access_tokens_for_user(db, user_id, offset, limit)


async def do_set_access_token_state(svc: Services, actor: Actor, token_id: str, *, active: bool | None) -> None:
    """Enable, disable (active=True/False) or revoke (active=None) a personal access token."""
    owner_id = (await get_access_token(svc, actor, token_id)).user_id
    async with svc.db.write() as uow:
        pat = await users_store.get_access_token(uow.session, token_id)
        if pat is None or pat.user_id != owner_id:
            raise not_found("user_access_token")
        if active is None:
            await uow.session.delete(pat)
        else:
            pat.is_active = active
        token_hash = pat.token_hash
    svc.auth_cache.drop_token(token_hash)
