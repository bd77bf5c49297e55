"""How each ``signature_format`` writes a signature, and how to read it back.

One decoder and one encoder per format. Decoders are strict on purpose: a
value is either exactly one accepted spelling of a digest or it is refused,
so that no edit to a header can turn into a different accepted signature.
The accepted spellings are hex of either case, and base64 in the standard or
URL-safe alphabet, padded or not.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hookgate.signing import decode_base64, decode_hex

from hookgate_custom.settings import CustomSettings

#: A sender never needs more; a cap keeps a hostile header cheap to check.
MAX_SIGNATURES = 16
STANDARD_WEBHOOKS_VERSION = "v1"

_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+", re.ASCII)
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}", re.ASCII)
_BASE64_URL = re.compile(r"[A-Za-z0-9_-]+={0,2}", re.ASCII)


# -- spellings ------------------------------------------------------------------


def strict_hex(text: str) -> bytes | None:
    """Hex digits of either case, nothing else (no spaces, no ``0x``)."""
    return decode_hex(text) if _HEX.fullmatch(text) else None


def strict_base64(text: str) -> bytes | None:
    """Canonical base64, standard or URL-safe, padded or unpadded; ``None`` otherwise.

    Non-canonical spellings (spare bits set in the last character, extra
    padding, mixed alphabets) are refused so that each digest has few spellings.
    """
    urlsafe = bool(_BASE64_URL.fullmatch(text)) and ("-" in text or "_" in text)
    if not urlsafe and not _BASE64.fullmatch(text):
        return None
    bare = text.rstrip("=")
    raw = decode_base64(bare + "=" * (-len(bare) % 4))
    if raw is None:
        return None
    canonical = (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(raw).decode()
    return raw if text in (canonical, canonical.rstrip("=")) else None


def _after(prefix: str, text: str) -> str | None:
    return text[len(prefix) :] if text.startswith(prefix) else None


# -- one decoder and one encoder per format -----------------------------------------


def decode_prefixed_hex(settings: CustomSettings, value: str) -> bytes | None:
    rest = _after(f"{settings.algorithm}=", value)
    return None if rest is None else strict_hex(rest)


def encode_prefixed_hex(settings: CustomSettings, digest: bytes) -> str:
    return f"{settings.algorithm}={digest.hex()}"


def decode_hex_format(settings: CustomSettings, value: str) -> bytes | None:
    rest = _after(settings.signature_prefix or "", value)
    return None if rest is None else strict_hex(rest)


def encode_hex_format(settings: CustomSettings, digest: bytes) -> str:
    return f"{settings.signature_prefix or ''}{digest.hex()}"


def decode_base64_format(settings: CustomSettings, value: str) -> bytes | None:
    rest = _after(settings.signature_prefix or "", value)
    return None if rest is None else strict_base64(rest)


def encode_base64_format(settings: CustomSettings, digest: bytes) -> str:
    return f"{settings.signature_prefix or ''}{base64.b64encode(digest).decode()}"


def decode_auto(settings: CustomSettings, value: str) -> bytes | None:
    # The two spellings cannot be confused: base64 has no '=' before its padding.
    if value.startswith(f"{settings.algorithm}="):
        return decode_prefixed_hex(settings, value)
    return strict_base64(value)


def decode_standard_webhooks(settings: CustomSettings, value: str) -> bytes | None:
    del settings  # the format fixes everything
    rest = _after(STANDARD_WEBHOOKS_VERSION + ",", value)
    return None if rest is None else strict_base64(rest)


def encode_standard_webhooks(settings: CustomSettings, digest: bytes) -> str:
    del settings
    return f"{STANDARD_WEBHOOKS_VERSION},{base64.b64encode(digest).decode()}"


@dataclass(frozen=True, slots=True)
class Scheme:
    decode: Callable[[CustomSettings, str], bytes | None]
    encode: Callable[[CustomSettings, bytes], str]


SCHEMES: Mapping[str, Scheme] = {
    "prefixed-hex": Scheme(decode_prefixed_hex, encode_prefixed_hex),
    "hex": Scheme(decode_hex_format, encode_hex_format),
    "base64": Scheme(decode_base64_format, encode_base64_format),
    # A sender configured for "auto" is told to use the GitHub spelling.
    "auto": Scheme(decode_auto, encode_prefixed_hex),
    "standard-webhooks": Scheme(decode_standard_webhooks, encode_standard_webhooks),
}


def expected_form(settings: CustomSettings) -> str:
    """What a signature looks like under ``settings``, for error messages (no values)."""
    prefix = settings.signature_prefix or ""
    forms = {
        "prefixed-hex": f"'{settings.algorithm}=<hex>'",
        "hex": f"'{prefix}<hex>'",
        "base64": f"'{prefix}<base64>'",
        "auto": f"'{settings.algorithm}=<hex>' or '<base64>'",
        "standard-webhooks": "'v1,<base64>'",
    }
    return forms[settings.signature_format]


# -- the whole header ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignatureHeader:
    """A signature header taken apart: candidate signatures and, for key=value
    lists, the timestamp found among them."""

    signatures: tuple[str, ...]
    timestamp: str | None = None


def parse_header(settings: CustomSettings, value: str) -> SignatureHeader | str:
    """Split the header into candidates; a ``str`` result says what is malformed."""
    text = value.strip()
    if settings.signature_key is not None:
        return _parse_key_value_list(settings, text)
    if settings.signature_format == "standard-webhooks":
        return _parse_standard_webhooks(settings, text)
    return SignatureHeader((text,))


def _parse_key_value_list(settings: CustomSettings, text: str) -> SignatureHeader | str:
    header, sep = settings.signature_header, settings.signature_separator
    pairs = [item.partition("=") for item in text.split(sep)]
    if any(not key or not eq for key, eq, _ in pairs):
        return f"{header} must be a list of key=value items separated by {sep!r}"
    signatures = tuple(v for k, _, v in pairs if k == settings.signature_key)
    if not signatures:
        return f"{header} has no {settings.signature_key}= signature"
    timestamps = [v for k, _, v in pairs if k == settings.timestamp_key]
    if settings.timestamp_key is not None and len(timestamps) != 1:
        return f"{header} must carry exactly one {settings.timestamp_key}= timestamp"
    return SignatureHeader(signatures, timestamps[0] if timestamps else None)


def _parse_standard_webhooks(settings: CustomSettings, text: str) -> SignatureHeader | str:
    tokens = text.split(" ")
    if any("," not in token for token in tokens):
        return f"{settings.signature_header} must be space-separated 'v1,<base64>' signatures"
    prefix = STANDARD_WEBHOOKS_VERSION + ","
    # Other versions (v1a is asymmetric) are skipped, as the spec asks.
    signatures = tuple(t for t in tokens if t.startswith(prefix))
    if not signatures:
        return f"{settings.signature_header} has no 'v1,<base64>' signature"
    return SignatureHeader(signatures)


def render_header(settings: CustomSettings, signature: str, timestamp: str) -> str:
    """The signature header value a sender writes, given the encoded signature."""
    if settings.signature_key is None:
        return signature
    items = [f"{settings.signature_key}={signature}"]
    if settings.timestamp_key is not None:
        items.insert(0, f"{settings.timestamp_key}={timestamp}")
    return settings.signature_separator.join(items)


__all__ = [
    "MAX_SIGNATURES",
    "SCHEMES",
    "Scheme",
    "SignatureHeader",
    "expected_form",
    "parse_header",
    "render_header",
    "strict_base64",
    "strict_hex",
]
