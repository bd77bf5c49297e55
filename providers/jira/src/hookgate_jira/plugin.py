"""The Jira provider's hook implementations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from hookgate import EventIdentity, ProviderInfo, Verification, hookimpl
from hookgate.signing import decode_hex, hex_signature, matches_any
from pydantic import BaseModel, Field

from hookgate_jira.schemas import load_schemas

if TYPE_CHECKING:
    from hookgate import EventSchema, SourceContext, WebhookRequest


SIGNATURE_HEADER = "X-Hub-Signature"
DELIVERY_HEADER = "X-Atlassian-Webhook-Identifier"
PREFIX = "sha256="


class JiraSettings(BaseModel, extra="forbid", frozen=True):
    """Per-source settings of a Jira source."""

    signed: bool = Field(
        default=True,
        description="Deliveries carry X-Hub-Signature (admin webhooks with a secret). "
        "False for webhooks registered by an OAuth app, which Atlassian does not sign.",
    )


@hookimpl
def provider_info() -> ProviderInfo:
    return ProviderInfo(
        name="jira",
        title="Jira Cloud",
        config_model=JiraSettings,
        description="Issue and comment events from Jira Cloud sites.",
        docs_url="https://developer.atlassian.com/cloud/jira/platform/webhooks/",
        kept_headers=(
            "x-atlassian-webhook-identifier",
            "x-atlassian-webhook-flow",
            "x-atlassian-webhook-retry",
        ),
    )


@hookimpl
def verify_signature(source: SourceContext, request: WebhookRequest) -> Verification:
    if not JiraSettings.model_validate(source.config).signed:
        return Verification(valid=True, unsigned=True)
    value = request.headers.get(SIGNATURE_HEADER)
    if value is None:
        return Verification.fail(f"missing header {SIGNATURE_HEADER}")
    if not value.startswith(PREFIX):
        return Verification.fail(f"{SIGNATURE_HEADER} must start with {PREFIX!r}")
    if not matches_any("sha256", source.secrets, request.body, decode_hex(value[len(PREFIX) :])):
        return Verification.fail("signature mismatch")
    return Verification.ok()


@hookimpl
def identify_event(request: WebhookRequest) -> EventIdentity:
    body = request.json()  # parsed once per delivery; ValueError: malformed (400)
    event = body.get("webhookEvent") if isinstance(body, dict) else None
    if not isinstance(event, str) or not event:
        raise ValueError("body has no webhookEvent: is this a Jira webhook delivery?")
    return EventIdentity(event_type=event, delivery_id=request.headers.get(DELIVERY_HEADER))


@hookimpl
def sign_payload(source: SourceContext, body: bytes, timestamp: datetime) -> Mapping[str, str]:
    del timestamp  # the WebSub scheme carries no timestamp
    return {SIGNATURE_HEADER: PREFIX + hex_signature("sha256", source.secrets[0], body)}


@hookimpl
def event_schemas() -> Sequence[EventSchema]:
    return load_schemas()


__all__ = ["event_schemas", "identify_event", "provider_info", "sign_payload", "verify_signature"]
