"""The Mattermost push-proxy wire format: PushNotification JSON, its ES256 signature, the message texts.

The mobile app (≥ 9.8) drops pushes whose `signature` it cannot verify: an ES256 JWT whose claims are the
push's `ack_id` and `device_id`, checked against the `AsymmetricSigningPublicKey` the server's client config
publishes (base64 DER of a P-256 public key). The server keeps the private key (system_values).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

ID_ONLY_MESSAGE = "You have a new message."  # what leaves the server in id-only mode (Mattermost's default text)
_MENTION_TAG = re.compile(r"<(?:@|!)([\w.\-]+)>")


def split_device(device_id: str) -> tuple[str, str]:
    """`apple_rn-v2:<token>` → (platform, token), as PUT /users/sessions/device stores it."""
    platform, _, token = device_id.partition(":")
    return platform, token


def new_signing_key() -> str:
    return (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )


def _key(pem: str) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def public_key_b64(pem: str) -> str:
    """Mattermost's AsymmetricSigningPublicKey: standard base64 of the DER SubjectPublicKeyInfo."""
    der = _key(pem).public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(pem: str, ack_id: str, device_id: str) -> str:
    """A compact ES256 JWT over {ack_id, device_id} (the signature as r || s, 32 bytes each)."""
    header = _b64url(json.dumps({"alg": "ES256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = _b64url(json.dumps({"ack_id": ack_id, "device_id": device_id}, separators=(",", ":")).encode())
    signed = f"{header}.{claims}".encode()
    r, s = decode_dss_signature(_key(pem).sign(signed, ec.ECDSA(hashes.SHA256())))
    return f"{header}.{claims}.{_b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def message_text(message: str, *, sender: str, channel_type: str, has_files: bool) -> str:
    """The push's text with the full contents, as Mattermost writes it."""
    if not message.strip() and has_files:
        return "sent you an image." if channel_type == "D" else f"{sender} sent an image."
    text = _MENTION_TAG.sub(r"@\1", message)
    return text if channel_type == "D" else f"{sender}: {text}"


def notification(
    *,
    kind: str,
    ack_id: str,
    device_id: str,
    server_id: str,
    channel_id: str,
    team_id: str = "",
    post: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A PushNotification (version v2) for one device; `badge` and `signature` are set when it is sent."""
    platform, token = split_device(device_id)
    out: dict[str, Any] = {
        "ack_id": ack_id,
        "platform": platform,
        "server_id": server_id,
        "device_id": token,
        "channel_id": channel_id,
        "team_id": team_id,
        "type": kind,
        "version": "v2",
        "is_crt_enabled": False,
        "is_id_loaded": False,
    }
    if post is not None:
        out.update(post_id=post["id"], root_id=post.get("root_id", ""), category="CAN_REPLY", sender_id=post["user_id"])
    out.update(extra or {})
    return out
