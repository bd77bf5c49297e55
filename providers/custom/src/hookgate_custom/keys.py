"""Signing secrets as HMAC keys, per format.

Secrets come from ``SourceContext.secrets`` (never from the settings). Most
formats use the secret's UTF-8 bytes as the key, as the senders do.
Standard Webhooks secrets are ``whsec_<base64>`` and the key is the decoded
base64; a secret without the prefix (one hookgate generated, say) is used as
UTF-8 bytes, and :func:`sender_secret` gives the ``whsec_`` form that makes a
Standard Webhooks sender produce exactly that key.
"""

from __future__ import annotations

import base64
import secrets as random

from hookgate_custom.schemes import strict_base64
from hookgate_custom.settings import CustomSettings

WHSEC_PREFIX = "whsec_"


class SecretFormatError(ValueError):
    """A stored secret that the source's format cannot use (the message never quotes it)."""


def _whsec_key(secret: str) -> bytes:
    # Canonical base64 only: a lenient decoder turns "whsec_-A========" into a 1-byte key.
    key = strict_base64(secret[len(WHSEC_PREFIX) :])
    if not key:
        raise SecretFormatError(
            "a signing secret of this source starts with whsec_ but is not base64 after it: "
            "rotate it to the secret shown by the sender"
        )
    return key


def signing_key(settings: CustomSettings, secret: str) -> bytes:
    """The HMAC key for ``secret`` under the source's format."""
    if settings.signature_format == "standard-webhooks" and secret.startswith(WHSEC_PREFIX):
        return _whsec_key(secret)
    return secret.encode()


def validate_secret(settings: CustomSettings, secret: str) -> None:
    """Raise :class:`SecretFormatError` when ``secret`` cannot sign for this source.

    Meant for the admin API and CLI, before a given secret is stored.
    """
    if not secret:
        raise SecretFormatError("the signing secret is empty: give one or let hookgate generate it")
    signing_key(settings, secret)


def sender_secret(settings: CustomSettings, secret: str) -> str:
    """The secret to configure in the sender so that its signatures verify here."""
    if settings.signature_format == "standard-webhooks" and not secret.startswith(WHSEC_PREFIX):
        return WHSEC_PREFIX + base64.b64encode(secret.encode()).decode()
    return secret


def generate_secret(settings: CustomSettings) -> str:
    """A new secret with 256 bits of randomness, in the form the format's senders expect."""
    raw = random.token_bytes(32)
    if settings.signature_format == "standard-webhooks":
        return WHSEC_PREFIX + base64.b64encode(raw).decode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


__all__ = [
    "WHSEC_PREFIX",
    "SecretFormatError",
    "generate_secret",
    "sender_secret",
    "signing_key",
    "validate_secret",
]
