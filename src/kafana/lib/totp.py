"""Time-based one-time passwords (RFC 6238, via pyotp), their QR code, and one-time recovery codes."""

from __future__ import annotations

import base64
import hmac
import io
import secrets
import time

import pyotp
import segno

from kafana.lib.ids import hash_token

STEP_SECONDS = 30
WINDOW_STEPS = 1  # a code of the previous or next step is accepted (clock drift); 2+ steps off is refused (S2)
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper


def now_s() -> float:
    """The clock codes are checked against (tests move it)."""
    return time.time()


def new_secret() -> str:
    """160 random bits in base32, as authenticator apps expect (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_png_base64(uri: str) -> str:
    """The otpauth:// URI as a PNG QR code, base64 (what Mattermost's `qr_code` holds)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="png", scale=5, border=4)
    return base64.b64encode(out.getvalue()).decode("ascii")


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).at(step * STEP_SECONDS)


def current_step(at: float | None = None) -> int:
    return int((now_s() if at is None else at) // STEP_SECONDS)


def match_step(secret: str, code: str, last_step: int) -> int | None:
    """The step `code` belongs to if it is valid now and newer than `last_step` (a code works once, ASVS 2.8.4)."""
    code = code.strip()
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    now = current_step()
    try:
        for step in range(now - WINDOW_STEPS, now + WINDOW_STEPS + 1):
            if step > last_step and hmac.compare_digest(code_at(secret, step), code):
                return step
    except ValueError:  # a secret pyotp refuses (too short): no code matches it
        return None
    return None


def new_recovery_codes() -> list[str]:
    """Ten codes of 10 characters (about 49 bits each), shown once as `xxxxx-xxxxx`."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_hash(code: str) -> str:
    """Stored form of a recovery code; spaces, dashes and case do not matter when typing it back."""
    return hash_token("".join(code.lower().split()).replace("-", ""))
