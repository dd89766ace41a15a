"""Two-factor authentication: TOTP set-up (Mattermost's /users/{id}/mfa routes), one-time recovery codes
(a Kafana addition), and the code check that logging in and switching MFA off share."""

from __future__ import annotations

from dataclasses import dataclass

from kafana.actions import audit
from kafana.actions.context import Actor, Services
from kafana.lib import totp
from kafana.lib.clock import now_ms
from kafana.lib.errors import AppError, forbidden, not_found
from kafana.lib.passwords import verify_in_thread
from kafana.models import User
from kafana.store import users as users_store

MFA_REQUIRED = AppError(401, "mfa.validate_token.authenticate.app_error", "Invalid or missing MFA token.")
MFA_BAD_CODE = AppError(401, "api.user.check_user_mfa.bad_code.app_error", "Invalid MFA token.")
MFA_DISABLED = AppError(501, "api.user.update_mfa.not_available.app_error", "Multi-factor authentication is not available on this server.")
NO_SECRET = AppError(400, "api.user.update_mfa.no_secret.app_error", "Generate a secret first (POST /users/{user_id}/mfa/generate).")
ENFORCED = AppError(403, "api.user.update_mfa.enforced.app_error", "Multi-factor authentication is required on this server.")
REAUTH = AppError(401, "api.user.update_mfa.reauthenticate.app_error", "Enter a current code, a recovery code or your password to turn MFA off.")


@dataclass(slots=True)
class MfaSecret:
    secret: str
    qr_code: str  # base64 PNG


def use_code(user: User, code: str) -> bool:
    """Accept a TOTP code newer than the last one used, or an unused recovery code, and use it up.

    The caller holds `user` in a write transaction, so a code accepted here is spent when that commits."""
    step = totp.match_step(user.mfa_secret, code, user.mfa_last_step)
    if step is not None:
        user.mfa_last_step = step
        return True
    hashes = user.mfa_recovery.split()
    wanted = totp.recovery_hash(code)
    if code.strip() and wanted in hashes:
        hashes.remove(wanted)
        user.mfa_recovery = " ".join(hashes)
        return True
    return False


def _check_enabled(svc: Services) -> None:
    if not svc.settings.mfa_enabled:
        raise MFA_DISABLED


async def do_generate_secret(svc: Services, actor: Actor, user_id: str) -> MfaSecret:
    """A new secret waiting for activation. Only for oneself: a secret another person has seen is no factor."""
    _check_enabled(svc)
    if actor.user_id != user_id or (actor.session is not None and actor.session.access_token_id):
        raise forbidden()
    async with svc.db.write() as uow:
        user = await users_store.get_user(uow.session, user_id)
        if user is None:
            raise not_found("user")
        if user.auth_service:
            raise AppError(
                400, "api.user.generate_mfa_secret.sso.app_error", "Accounts that sign in with single sign-on use their provider's two-factor authentication."
            )
        if user.mfa_active:
            raise AppError(400, "api.user.generate_mfa_secret.active.app_error", "Multi-factor authentication is already on; turn it off first.")
        user.mfa_secret = totp.new_secret()
        user.mfa_last_step = 0
        uri = totp.provisioning_uri(user.mfa_secret, user.username, svc.settings.site_name)
        secret = user.mfa_secret
    return MfaSecret(secret, totp.qr_png_base64(uri))


async def do_activate(svc: Services, actor: Actor, user_id: str, code: str) -> list[str]:
    """Turn MFA on with a code from the new secret; returns the recovery codes (shown this once)."""
    _check_enabled(svc)
    if actor.user_id != user_id:
        raise forbidden()
    codes = totp.new_recovery_codes()
    async with svc.db.write() as uow:
        user = await users_store.get_user(uow.session, user_id, for_update=True)
        if user is None:
            raise not_found("user")
        if not user.mfa_secret or user.mfa_active:
            raise NO_SECRET
        step = totp.match_step(user.mfa_secret, code, user.mfa_last_step)
        if step is None:
            raise MFA_BAD_CODE
        user.mfa_active, user.mfa_last_step = True, step
        user.mfa_recovery = " ".join(totp.recovery_hash(c) for c in codes)
        user.update_at = now_ms()
        audit.record_txn(uow, svc, "mfa_activate", actor=actor, target_id=user_id)
    svc.auth_cache.drop_user(user_id)
    return codes


async def do_deactivate(svc: Services, actor: Actor, user_id: str, code: str, password: str) -> None:
    """Turn MFA off. The owner proves it again (a code, a recovery code or the password: S2); an admin may reset
    another person's MFA (a lost phone) without one."""
    own = actor.user_id == user_id
    if not own and not actor.is_admin:
        raise forbidden()
    if own and svc.settings.mfa_enforced:
        raise ENFORCED
    if own and password and not code:
        current = await _stored_password(svc, user_id)
        if not await verify_in_thread(svc.hasher, current, password):
            raise REAUTH
    async with svc.db.write() as uow:
        user = await users_store.get_user(uow.session, user_id, for_update=True)
        if user is None:
            raise not_found("user")
        if own and not password and not (user.mfa_active and use_code(user, code)):
            raise REAUTH
        user.mfa_active, user.mfa_secret, user.mfa_recovery, user.mfa_last_step = False, "", "", 0
        user.update_at = now_ms()
        audit.record_txn(uow, svc, "mfa_deactivate", actor=actor, target_id=user_id, by_admin=not own)
    svc.auth_cache.drop_user(user_id)


async def do_new_recovery_codes(svc: Services, actor: Actor, user_id: str, code: str) -> list[str]:
    """Replace the recovery codes (Kafana: POST /users/{user_id}/mfa/recovery_codes) with a current TOTP code."""
    if actor.user_id != user_id:
        raise forbidden()
    codes = totp.new_recovery_codes()
    async with svc.db.write() as uow:
        user = await users_store.get_user(uow.session, user_id, for_update=True)
        if user is None or not user.mfa_active:
            raise NO_SECRET
        step = totp.match_step(user.mfa_secret, code, user.mfa_last_step)
        if step is None:
            raise MFA_BAD_CODE
        user.mfa_last_step = step
        user.mfa_recovery = " ".join(totp.recovery_hash(c) for c in codes)
        audit.record_txn(uow, svc, "mfa_new_recovery_codes", actor=actor, target_id=user_id)
    return codes


async def _stored_password(svc: Services, user_id: str) -> str:
    async with svc.db.read() as db:
        user = await users_store.get_user(db, user_id)
    if user is None:
        raise not_found("user")
    return user.password


def mfa_setup_required(svc: Services, user: User) -> bool:
    """With MFA enforced, a password account without it may only set it up (Mattermost's MfaRequired)."""
    return svc.settings.mfa_enforced and svc.settings.mfa_enabled and not user.mfa_active and not user.is_bot and not user.auth_service
