"""The Zendesk provider's hook implementations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hookgate import EventIdentity, ProviderInfo, Verification, hookimpl
from hookgate.signing import b64_signature, canonical_base64, matches_any
from pydantic import BaseModel, Field

from hookgate_zendesk.schemas import load_schemas

if TYPE_CHECKING:
    from hookgate import EventSchema, SourceContext, WebhookRequest


class ZendeskSettings(BaseModel, extra="forbid", frozen=True):
    """Per-source settings of a Zendesk source."""

    tolerance_seconds: int = Field(
        default=300, ge=0, description="Reject signatures older or newer than this; 0 disables."
    )


SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
INVOCATION_HEADER = "X-Zendesk-Webhook-Invocation-Id"


@hookimpl
def provider_info() -> ProviderInfo:
    return ProviderInfo(
        name="zendesk",
        config_model=ZendeskSettings,
        title="Zendesk",
        description="Ticket, user and organization events from Zendesk webhooks.",
        docs_url="https://developer.zendesk.com/documentation/webhooks/",
        kept_headers=("x-zendesk-webhook-id", "x-zendesk-webhook-invocation-id"),
    )


@hookimpl
def event_schemas() -> Sequence[EventSchema]:
    return load_schemas()


def _parse_timestamp(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@hookimpl
def verify_signature(source: SourceContext, request: WebhookRequest) -> Verification:
    settings = ZendeskSettings.model_validate(source.config)
    signature = request.headers.get(SIGNATURE_HEADER)
    timestamp = request.headers.get(TIMESTAMP_HEADER)
    if signature is None or timestamp is None:
        return Verification.fail(f"missing header {SIGNATURE_HEADER} or {TIMESTAMP_HEADER}")
    when = _parse_timestamp(timestamp)
    if when is None:
        return Verification.fail(f"{TIMESTAMP_HEADER} is not an ISO 8601 time")
    age = abs((request.received_at - when).total_seconds())
    if settings.tolerance_seconds and age > settings.tolerance_seconds:
        return Verification.fail("timestamp outside tolerance")
    message = timestamp.encode() + request.body
    if not matches_any("sha256", source.secrets, message, canonical_base64(signature)):
        return Verification.fail("signature mismatch")
    return Verification.ok()


@hookimpl
def identify_event(request: WebhookRequest) -> EventIdentity:
    body = request.json()  # parsed once per delivery; ValueError: malformed (400)
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        raise ValueError("body has no type: is this a Zendesk event webhook delivery?")
    delivery = body.get("id") if isinstance(body.get("id"), str) else None
    return EventIdentity(
        event_type=body["type"], delivery_id=delivery or request.headers.get(INVOCATION_HEADER)
    )


@hookimpl
def sign_payload(source: SourceContext, body: bytes, timestamp: datetime) -> Mapping[str, str]:
    stamp = timestamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        SIGNATURE_HEADER: b64_signature("sha256", source.secrets[0], stamp.encode() + body),
        TIMESTAMP_HEADER: stamp,
    }


__all__ = ["event_schemas", "identify_event", "provider_info", "sign_payload", "verify_signature"]
