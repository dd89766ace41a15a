"""Proving an address and resetting a forgotten password, by one-time links sent by email.

Both "send" routes answer the same whether or not the address belongs to an account (no way to probe who has
one), and send at most one message a minute per account (no way to flood someone's inbox). A token works
once: it is deleted by the transaction that uses it. Verification tokens last 48 hours, reset tokens one hour;
sending a new one makes the older ones of that kind void.
"""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from sqlalchemy import select

from kafana.actions import audit
from kafana.actions.auth import revoke_user_sessions
from kafana.actions.context import Services
from kafana.actions.outbox import queue_mail_txn, require_email
from kafana.actions.profiles import notify_user_updated
from kafana.db import UnitOfWork
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, invalid_param
from kafana.lib.ids import hash_token, new_id
from kafana.lib.validation import check_password
from kafana.mail.compose import password_reset_mail, verification_mail
from kafana.models import User, UserToken
from kafana.store import user_tokens as tokens_store
from kafana.store import users as users_store

VERIFY = "verify_email"
RESET = "password_reset"
EXPIRY_MS = {VERIFY: 48 * 3_600_000, RESET: 3_600_000}
RESEND_AFTER_MS = 60_000

BAD_VERIFY_LINK = AppError(400, "api.user.verify_email.bad_link.app_error", "The email verification link is not valid.")
EXPIRED_VERIFY_LINK = AppError(400, "api.user.verify_email.link_expired.app_error", "The email verification link has expired.")
BAD_RESET_LINK = AppError(400, "api.user.reset_password.invalid_link.app_error", "The password reset link is not valid.")
EXPIRED_RESET_LINK = AppError(400, "api.user.reset_password.link_expired.app_error", "The password reset link has expired.")


async def _new_token_txn(uow: UnitOfWork, user: User, kind: str, now: int) -> str | None:
    """A fresh token of `kind` for the user (older ones void), or None when one was sent less than a minute ago."""
    db = uow.session
    stmt = select(UserToken.create_at).where(UserToken.user_id == user.id, UserToken.kind == kind).order_by(UserToken.create_at.desc()).limit(1)
    last = (await db.execute(stmt)).scalar_one_or_none()
    if last is not None and now - last < RESEND_AFTER_MS:
        return None
    await tokens_store.drop_expired(db, now)
    await tokens_store.drop_for_user(db, user.id, kind)
    token = new_id() + new_id()  # 52 characters, 256 random bits
    db.add(UserToken(token_hash=hash_token(token), kind=kind, user_id=user.id, email=user.email, create_at=now, expires_at=now + EXPIRY_MS[kind]))
    return token


async def _redeem_txn(uow: UnitOfWork, token: str, kind: str, now: int, *, expired: AppError, bad: AppError) -> User:
    """Use up a token and return its account; refused when unknown, used, expired, or sent to an address the
    account no longer has."""
    row = await tokens_store.take(uow.session, hash_token(token), kind)
    if row is not None and row.expires_at < now:
        raise expired
    user = await users_store.get_user(uow.session, row.user_id) if row is not None else None
    if row is None or user is None or user.email.lower() != row.email.lower():
        raise bad
    return user


async def queue_verification_txn(uow: UnitOfWork, svc: Services, user: User) -> None:
    """Send the user a link proving `user.email` (at signup, after an address change, or when asked)."""
    now = now_ms()
    token = await _new_token_txn(uow, user, VERIFY, now)
    if token is None:
        return
    link = f"{svc.settings.site_url.rstrip('/')}/do_verify_email?{urlencode({'token': token, 'email': user.email})}"
    queue_mail_txn(uow, user.email, verification_mail(user.locale, svc.settings.site_name, user.email, link), now=now)


async def _account_for(uow: UnitOfWork, email: str) -> User | None:
    """The account an emailed link may be sent for: active, a person, signing in with a password."""
    if not email or len(email) > 128:
        raise invalid_param("email")
    user = await users_store.get_user_by_email(uow.session, email)
    if user is None or user.delete_at or user.is_bot or user.auth_service:
        return None
    return user


async def do_send_verification(svc: Services, email: str) -> None:
    """POST /users/email/verify/send."""
    require_email(svc)
    async with svc.db.write() as uow:
        user = await _account_for(uow, email.strip())
        if user is not None and not user.email_verified:
            await queue_verification_txn(uow, svc, user)


async def do_verify_email(svc: Services, token: str) -> None:
    """POST /users/email/verify: the address the token was sent to is now verified (unless it changed since)."""
    if not token or len(token) > 128:
        raise invalid_param("token")
    now = now_ms()
    async with svc.db.write() as uow:
        user = await _redeem_txn(uow, token, VERIFY, now, expired=EXPIRED_VERIFY_LINK, bad=BAD_VERIFY_LINK)
        user.email_verified = True
        user.update_at = now
        audit.record_txn(uow, svc, "verify_email", user_id=user.id, target_id=user.id)
        notify_user_updated(uow, user)
    svc.auth_cache.drop_user(user.id)


async def do_send_password_reset(svc: Services, email: str) -> None:
    """POST /users/password/reset/send (accounts signing in through SSO have no password to reset)."""
    require_email(svc)
    now = now_ms()
    async with svc.db.write() as uow:
        user = await _account_for(uow, email.strip())
        if user is None:
            return
        token = await _new_token_txn(uow, user, RESET, now)
        if token is None:
            return
        link = f"{svc.settings.site_url.rstrip('/')}/reset_password_complete?{urlencode({'token': token})}"
        queue_mail_txn(uow, user.email, password_reset_mail(user.locale, svc.settings.site_name, user.username, link), now=now)
        audit.record_txn(uow, svc, "password_reset_sent", user_id=user.id, target_id=user.id)


async def do_reset_password(svc: Services, code: str, new_password: str) -> None:
    """POST /users/password/reset: set the password with a reset code. The code is used up, every session of the
    account ends, a lockout after failed logins is lifted, and the address counts as verified (the code came
    through it). A refused password leaves the code usable."""
    if not code or len(code) > 128:
        raise invalid_param("code")
    check_password(new_password)
    new_hash = await asyncio.to_thread(svc.hasher.hash, new_password)
    now = now_ms()
    async with svc.db.write() as uow:
        user = await _redeem_txn(uow, code, RESET, now, expired=EXPIRED_RESET_LINK, bad=BAD_RESET_LINK)
        if user.delete_at or user.auth_service:
            raise BAD_RESET_LINK
        user.password = new_hash
        user.last_password_update = user.update_at = now
        user.failed_attempts = 0
        user.email_verified = True
        audit.record_txn(uow, svc, "password_reset", user_id=user.id, target_id=user.id)
    await revoke_user_sessions(svc, user.id)
