"""Zendesk deliveries: who signed them, what they are.

Zendesk signs every request with the webhook's signing secret (one Zendesk
issues; it cannot be chosen): ``X-Zendesk-Webhook-Signature`` is
``base64(HMAC-SHA256(key = secret string, msg = timestamp + raw body))`` with
``X-Zendesk-Webhook-Signature-Timestamp`` (ISO 8601, e.g. ``2021-03-25T05:09:27Z``).

The webhook builder's test requests are signed with a fixed secret printed in
Zendesk's docs; it proves nothing, so it verifies only for a source that opts
in (``accept_test_requests``).

Event-subscribed webhooks POST a fixed envelope whose ``type`` names the
event. Trigger and automation webhooks send whatever body the admin's template
makes, so the event type comes from a configured body field or header.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from hookgate import EventIdentity, SourceContext, Verification, WebhookRequest
from hookgate.signing import b64_signature, canonical_base64, matches_any

from hookgate_zendesk.settings import ZendeskSettings

SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
INVOCATION_HEADER = "X-Zendesk-Webhook-Invocation-Id"
#: The public secret Zendesk signs webhook-builder test requests with (used as the
#: literal string, not decoded; developer.zendesk.com/documentation/webhooks/verifying/).
TEST_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="  # noqa: S105 - public by design
#: Delivery headers worth keeping with the event, and the metadata key of each.
METADATA_HEADERS = {
    "x-zendesk-webhook-id": "webhook_id",
    "x-zendesk-account-id": "account_id",
}


def settings_of(source: SourceContext) -> ZendeskSettings:
    return ZendeskSettings.model_validate(source.config)


def _parse_timestamp(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def verify(source: SourceContext, request: WebhookRequest) -> Verification:
    settings = settings_of(source)
    signature = request.headers.get(SIGNATURE_HEADER)
    timestamp = request.headers.get(TIMESTAMP_HEADER)
    if signature is None or timestamp is None:
        return Verification.fail(f"missing header {SIGNATURE_HEADER} or {TIMESTAMP_HEADER}")
    when = _parse_timestamp(timestamp)
    if when is None:
        return Verification.fail(f"{TIMESTAMP_HEADER} is not an ISO 8601 time")
    age = abs((request.received_at - when).total_seconds())
    if settings.tolerance_seconds and age > settings.tolerance_seconds:
        return Verification.fail(
            f"{TIMESTAMP_HEADER} is {int(age)} s from now, outside the "
            f"{settings.tolerance_seconds} s tolerance (a replay, or a clock that is off)"
        )
    message = timestamp.encode() + request.body
    given = canonical_base64(signature)
    secrets = [s for s in source.secrets if not _is_test_secret(s)]
    if settings.accept_test_requests:
        secrets.append(TEST_SECRET)
    if matches_any("sha256", secrets, message, given):
        return Verification.ok()
    if matches_any("sha256", (TEST_SECRET,), message, given):
        return Verification.fail(
            "signed with Zendesk's public test secret (a webhook-builder test request): "
            "anyone can sign with it; set accept_test_requests only while setting up"
        )
    return Verification.fail("signature mismatch")


def _is_test_secret(secret: str) -> bool:
    return hmac.compare_digest(secret.encode(), TEST_SECRET.encode())


def check_secret(source: SourceContext, secret: str) -> None:
    """Refuse the public test secret as a source's own secret (everyone knows it)."""
    if _is_test_secret(secret):
        raise ValueError(
            "that is Zendesk's public test secret, not a webhook's signing secret: open the "
            "webhook in Admin Center → Webhooks and reveal its own signing secret"
        )


def identify(source: SourceContext, request: WebhookRequest) -> EventIdentity:
    settings = settings_of(source)
    body = request.json()  # parsed once per delivery; ValueError: malformed (400)
    event_type = _event_type(settings, request, body)
    event_id = body.get("id") if isinstance(body, dict) else None
    # The invocation id is Zendesk's per-delivery id, the same on each retry; the body's
    # event id stands in for requests that lack it (hand-made test requests).
    delivery = request.headers.get(INVOCATION_HEADER) or (
        event_id if isinstance(event_id, str) and event_id else None
    )
    return EventIdentity(
        event_type=event_type, delivery_id=delivery, metadata=_metadata(request, event_id)
    )


def _event_type(settings: ZendeskSettings, request: WebhookRequest, body: Any) -> str:
    if settings.event_type_header is not None:
        value = request.headers.get(settings.event_type_header, "").strip()
        if not value:
            raise ValueError(
                f"header {settings.event_type_header} (event_type_header) is missing or "
                "empty: add it to the webhook's custom headers"
            )
        return value
    found: Any = body
    for part in settings.event_type_field.split("."):
        found = found.get(part) if isinstance(found, dict) else None
    if not isinstance(found, str) or not found.strip():
        raise ValueError(
            f"body has no {settings.event_type_field!r} string (event_type_field): an "
            "event-subscribed webhook sends 'type'; for a trigger webhook, add the field to "
            "its JSON body or set event_type_field/event_type_header on the source"
        )
    return found.strip()


def _metadata(request: WebhookRequest, event_id: Any) -> dict[str, str]:
    found = {
        key: value
        for header, key in METADATA_HEADERS.items()
        if (value := request.headers.get(header)) is not None
    }
    if isinstance(event_id, str) and event_id:
        found["event_id"] = event_id[:200]
    return found


def stamp(timestamp: datetime) -> str:
    """Zendesk's timestamp spelling: UTC, second precision, ``Z``."""
    return timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(source: SourceContext, body: bytes, timestamp: datetime) -> Mapping[str, str]:
    when = stamp(timestamp)
    return {
        SIGNATURE_HEADER: b64_signature("sha256", source.secrets[0], when.encode() + body),
        TIMESTAMP_HEADER: when,
    }


__all__ = [
    "INVOCATION_HEADER",
    "SIGNATURE_HEADER",
    "TEST_SECRET",
    "TIMESTAMP_HEADER",
    "check_secret",
    "identify",
    "sign",
    "stamp",
    "verify",
]
