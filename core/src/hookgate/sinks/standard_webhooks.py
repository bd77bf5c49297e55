"""Signing the Standard Webhooks way (https://www.standardwebhooks.com).

Three headers go with every request:

- ``webhook-id``: the message id; the same on every retry of one message, so
  a receiver can deduplicate;
- ``webhook-timestamp``: unix seconds when this attempt was signed, so a
  receiver can reject replays (the reference libraries allow 5 minutes);
- ``webhook-signature``: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``.

A secret written ``whsec_<base64>`` (the form the reference libraries
generate) is base64-decoded to get the key bytes; any other string is used as
its UTF-8 bytes.
"""

from __future__ import annotations

import base64
import binascii

from hookgate.errors import ConfigurationError
from hookgate.signing import b64_signature

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix, not a secret


def webhook_key(secret: str) -> bytes:
    """The HMAC key for ``secret`` (``whsec_<base64>`` or a raw string).

    Raises :class:`~hookgate.ConfigurationError` for an empty secret or a
    ``whsec_`` secret whose rest is not base64; the message never repeats the
    secret.
    """
    if not secret:
        raise ConfigurationError(
            "HOOKGATE_SINK_SECRET is empty: set it to a whsec_<base64> secret or any string"
        )
    if not secret.startswith(SECRET_PREFIX):
        return secret.encode()
    encoded = secret[len(SECRET_PREFIX) :].strip()
    try:
        # The reference libraries accept unpadded base64, so do we.
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(
            "HOOKGATE_SINK_SECRET starts with whsec_ but the rest is not standard base64: "
            "give the secret exactly as generated, or a raw string without the whsec_ prefix"
        ) from None
    if not key:
        raise ConfigurationError("HOOKGATE_SINK_SECRET is whsec_ with no key after it")
    return key


def sign(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one message: ``v1,<base64>``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + b64_signature("sha256", key, signed)


def signature_headers(key: bytes, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for ``body``."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(key, msg_id, timestamp, body),
    }


__all__ = ["SECRET_PREFIX", "sign", "signature_headers", "webhook_key"]
