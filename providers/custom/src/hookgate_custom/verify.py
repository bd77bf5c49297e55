"""Checking and producing signatures for custom sources.

Order of the checks: the header is present and well formed, the timestamp
(when the scheme has one) is inside the tolerance, and only then is the HMAC
computed, once per secret, over the raw body or the ``signed_content``
assembled from it. Reasons name headers and forms, never a secret or the
expected signature: they are sent back to the caller.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime

from hookgate import Verification, WebhookRequest
from hookgate.signing import hmac_digest

from hookgate_custom.content import (
    build_message,
    parse_timestamp,
    placeholders,
    timestamp_problem,
    unix_seconds,
)
from hookgate_custom.keys import SecretFormatError, signing_key
from hookgate_custom.schemes import (
    MAX_SIGNATURES,
    SCHEMES,
    SignatureHeader,
    expected_form,
    parse_header,
    render_header,
)
from hookgate_custom.settings import CustomSettings

UNSIGNED = Verification(valid=True, unsigned=True)


class _Refused(Exception):
    """Raised inside the checks; its message becomes the Verification reason."""


def verify_request(
    settings: CustomSettings, secrets: Sequence[str], request: WebhookRequest
) -> Verification:
    """Verify ``request`` for a source with ``settings``, trying every secret."""
    if not settings.verified:
        return UNSIGNED
    try:
        if not secrets:
            raise _Refused("the source has no signing secret: set or rotate one")
        parsed = _signature_header(settings, request)
        values = _signed_values(settings, request, parsed)
        message = build_message(settings.signed_content, request.body, values)
        matched = _matches(settings, secrets, message, parsed)
    except (_Refused, SecretFormatError) as refused:
        return Verification.fail(str(refused))
    return Verification.ok() if matched else Verification.fail("signature mismatch")


def _signature_header(settings: CustomSettings, request: WebhookRequest) -> SignatureHeader:
    header = str(settings.signature_header)
    value = request.headers.get(header)
    if value is None:
        raise _Refused(f"missing header {header}")
    parsed = parse_header(settings, value)
    if isinstance(parsed, str):
        raise _Refused(parsed)
    if len(parsed.signatures) > MAX_SIGNATURES:
        raise _Refused(f"more than {MAX_SIGNATURES} signatures in {header}")
    return parsed


def _signed_values(
    settings: CustomSettings, request: WebhookRequest, parsed: SignatureHeader
) -> dict[str, str]:
    """The header values the template signs, exactly as sent."""
    values: dict[str, str] = {}
    if settings.uses_timestamp:
        values["timestamp"] = _fresh_timestamp(settings, request, parsed)
    if "id" in placeholders(settings.signed_content):
        values["id"] = _required_header(request, str(settings.delivery_id_header))
    return values


def _required_header(request: WebhookRequest, name: str) -> str:
    value = request.headers.get(name)
    if not value:
        raise _Refused(f"missing header {name}")
    return value


def _fresh_timestamp(
    settings: CustomSettings, request: WebhookRequest, parsed: SignatureHeader
) -> str:
    if settings.timestamp_header is not None:
        where = settings.timestamp_header
        text = _required_header(request, where)
    else:
        where = f"the {settings.timestamp_key}= item of {settings.signature_header}"
        text = parsed.timestamp or ""
    sent = parse_timestamp(text)
    if sent is None:
        raise _Refused(f"{where} is not a Unix timestamp in seconds")
    problem = timestamp_problem(sent, request.received_at, settings.tolerance)
    if problem:
        raise _Refused(problem)
    return text


def _matches(
    settings: CustomSettings, secrets: Sequence[str], message: bytes, parsed: SignatureHeader
) -> bool:
    decode = SCHEMES[settings.signature_format].decode
    given = [d for d in (decode(settings, s) for s in parsed.signatures) if d is not None]
    if not given:
        raise _Refused(f"{settings.signature_header} must be {expected_form(settings)}")
    # One HMAC per secret however many signatures the header lists.
    keys = [signing_key(settings, secret) for secret in secrets]
    expected = [hmac_digest(settings.algorithm, key, message) for key in keys]
    found = False
    # Every pair is compared, so timing says nothing about which secret or signature matched.
    for digest in expected:
        for candidate in given:
            found |= hmac.compare_digest(digest, candidate)
    return found


def sign_request(
    settings: CustomSettings, secrets: Sequence[str], body: bytes, timestamp: datetime
) -> dict[str, str]:
    """The headers a sender adds to deliver ``body`` at ``timestamp`` (first secret)."""
    if not settings.verified:
        return {}
    if not secrets:
        raise ValueError("the source has no signing secret: set or rotate one before signing")
    stamp = unix_seconds(timestamp)
    headers: dict[str, str] = {}
    values = {"timestamp": stamp}
    if settings.timestamp_header is not None:
        headers[settings.timestamp_header] = stamp
    if "id" in placeholders(settings.signed_content):
        values["id"] = message_id(body, stamp)
        headers[str(settings.delivery_id_header)] = values["id"]
    message = build_message(settings.signed_content, body, values)
    digest = hmac_digest(settings.algorithm, signing_key(settings, secrets[0]), message)
    signature = SCHEMES[settings.signature_format].encode(settings, digest)
    headers[str(settings.signature_header)] = render_header(settings, signature, stamp)
    return headers


def message_id(body: bytes, stamp: str) -> str:
    """A message id for signing: stable for the same body and second, so examples repeat."""
    return "msg_" + hashlib.sha256(stamp.encode() + b"." + body).hexdigest()[:26]


__all__ = ["UNSIGNED", "message_id", "sign_request", "verify_request"]
