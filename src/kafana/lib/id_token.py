"""OpenID Connect ID tokens (OpenID Connect Core 1.0 §3.1.3.7): the signature against the provider's published
keys (JWKS), and the issuer, audience, expiry and nonce, before any claim in it is believed.

Only asymmetric signatures are accepted: `none` and the HMAC algorithms (keyed with the client secret, which
the provider's keys do not vouch for) are refused.
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

import jwt

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
LEEWAY_S = 60  # clock skew tolerated between Kafana and the provider


class InvalidIdToken(Exception):
    """The ID token is malformed, forged, expired, or meant for another client or sign-in."""


def now_s() -> float:
    """The clock tokens are checked against (tests move it)."""
    return time.time()


def nonce_for(verifier: str) -> str:
    """The nonce sent with an authorization request, derived from that request's secret PKCE verifier (kept only
    on the server, used once), so a token minted for another sign-in cannot be replayed into this one."""
    return base64.urlsafe_b64encode(hashlib.sha256(b"oidc-nonce:" + verifier.encode()).digest()).rstrip(b"=").decode()


def key_id(token: str) -> str:
    """The `kid` a token names (to refetch the provider's keys when it rotated them)."""
    try:
        return str(jwt.get_unverified_header(token).get("kid") or "")
    except jwt.PyJWTError as exc:
        raise InvalidIdToken(str(exc)) from None


def verify(token: str, jwks: dict[str, Any], *, issuer: str, client_id: str, nonce: str) -> dict[str, Any]:
    """The token's claims, once all the checks hold; InvalidIdToken otherwise."""
    try:
        header = jwt.get_unverified_header(token)
        algorithm = header.get("alg")
        if algorithm not in ALGORITHMS:
            raise InvalidIdToken(f"algorithm {algorithm!r} is not accepted")
        keys = [k for k in jwt.PyJWKSet.from_dict(jwks).keys if k.key_id == header.get("kid") or not header.get("kid")]
        if not keys:
            raise InvalidIdToken("no published key matches the token")
        claims: dict[str, Any] = jwt.decode(
            token,
            key=keys[0],
            algorithms=[algorithm],
            audience=client_id,
            issuer=issuer,
            options={"require": ["iss", "sub", "aud", "exp", "iat"], "verify_exp": False, "verify_iat": False, "verify_nbf": False},
        )
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise InvalidIdToken(str(exc)) from None
    now = now_s()
    if not isinstance(claims["exp"], int | float) or claims["exp"] + LEEWAY_S < now:
        raise InvalidIdToken("expired")
    if not isinstance(claims["iat"], int | float) or claims["iat"] - LEEWAY_S > now:
        raise InvalidIdToken("issued in the future")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise InvalidIdToken("issued to another party")
    if claims.get("nonce") != nonce:
        raise InvalidIdToken("nonce mismatch")
    return claims
