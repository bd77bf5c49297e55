"""The Zendesk provider's hook implementations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from hookgate import (
    EventIdentity,
    EventSchema,
    ProviderInfo,
    SourceContext,
    Verification,
    WebhookRequest,
    hookimpl,
)
from hookgate.signing import b64_signature, decode_base64, matches_any
from pydantic import BaseModel, ConfigDict, Field

from hookgate_zendesk.schemas import load_schemas

SIGNATURE_HEADER = "X-Zendesk-Webhook-Signature"
TIMESTAMP_HEADER = "X-Zendesk-Webhook-Signature-Timestamp"
INVOCATION_HEADER = "X-Zendesk-Webhook-Invocation-Id"


class ZendeskSettings(BaseModel):
    """Per-source settings of a Zendesk source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tolerance_seconds: int = Field(
        default=300, ge=0, description="Reject signatures older or newer than this; 0 disables."
    )


@hookimpl
def provider_info() -> ProviderInfo:
    return ProviderInfo(
        name="zendesk",
        title="Zendesk",
        description="Ticket, user and organization events from Zendesk webhooks.",
        config_model=ZendeskSettings,
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
    if not matches_any("sha256", source.secrets, message, decode_base64(signature)):
        return Verification.fail("signature mismatch")
    return Verification.ok()


@hookimpl
def identify_event(request: WebhookRequest) -> EventIdentity:
    try:
        body = request.json()
    except ValueError as exc:
        raise ValueError(f"body is not JSON: {exc}") from exc
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
