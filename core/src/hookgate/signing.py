"""HMAC helpers shared by providers: one correct way to sign and compare.

Comparison is always :func:`hmac.compare_digest` over bytes, so timing does
not reveal how much of a signature matched.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Iterable
from typing import Literal

Algorithm = Literal["sha1", "sha256", "sha512"]
ALGORITHMS: tuple[Algorithm, ...] = ("sha1", "sha256", "sha512")


def hmac_digest(algorithm: Algorithm, secret: str | bytes, message: bytes) -> bytes:
    """The raw HMAC of ``message``; ``algorithm`` is one of :data:`ALGORITHMS`."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unsupported algorithm {algorithm!r}: use one of {', '.join(ALGORITHMS)}")
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, message, getattr(hashlib, algorithm)).digest()


def hex_signature(algorithm: Algorithm, secret: str | bytes, message: bytes) -> str:
    return hmac_digest(algorithm, secret, message).hex()


def b64_signature(algorithm: Algorithm, secret: str | bytes, message: bytes) -> str:
    return base64.b64encode(hmac_digest(algorithm, secret, message)).decode()


_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*", re.ASCII)


def decode_hex(value: str) -> bytes | None:
    """Hex digits of either case to bytes, nothing else (no spaces, no ``0x``); else ``None``."""
    return bytes.fromhex(value) if _HEX.fullmatch(value) else None


def canonical_hex(value: str) -> bytes | None:
    """Lowercase hex, the one spelling of a hex digest senders use; else ``None``.

    A scheme that accepts one spelling per digest leaves an attacker nothing to
    vary: ``bytes.fromhex`` alone also accepts spaces between the bytes.
    """
    raw = decode_hex(value)
    return raw if raw is not None and raw.hex() == value else None


def canonical_base64(value: str) -> bytes | None:
    """Standard padded base64 exactly as it encodes (no whitespace, no spare bits set,
    no URL-safe alphabet); else ``None``."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw).decode() == value else None


def decode_base64(value: str) -> bytes | None:
    """Standard or URL-safe base64 to bytes; ``None`` when it is not base64."""
    text = value.strip()
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def matches_any(
    algorithm: Algorithm, secrets: Iterable[str | bytes], message: bytes, given: bytes | None
) -> bool:
    """True when ``given`` is the HMAC of ``message`` under one of ``secrets``.

    Every secret is tried (no early exit on the first mismatch), so timing
    does not reveal which secret matched.
    """
    if given is None:
        return False
    found = False
    for secret in secrets:
        found |= hmac.compare_digest(hmac_digest(algorithm, secret, message), given)
    return found


__all__ = [
    "ALGORITHMS",
    "Algorithm",
    "b64_signature",
    "canonical_base64",
    "canonical_hex",
    "decode_base64",
    "decode_hex",
    "hex_signature",
    "hmac_digest",
    "matches_any",
]
