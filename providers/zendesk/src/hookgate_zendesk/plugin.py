"""The Zendesk provider's hook implementations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from hookgate import EventIdentity, ProviderInfo, Verification, hookimpl

from hookgate_zendesk import deliveries, manual
from hookgate_zendesk.schemas import load_schemas
from hookgate_zendesk.settings import ZendeskSettings

if TYPE_CHECKING:
    from hookgate import EventSchema, SourceContext, WebhookRequest


@hookimpl
def provider_info() -> ProviderInfo:
    return ProviderInfo(
        name="zendesk",
        config_model=ZendeskSettings,
        title="Zendesk",
        description="Ticket, user and organization events from Zendesk webhooks.",
        docs_url="https://developer.zendesk.com/documentation/webhooks/",
        kept_headers=(
            "x-zendesk-webhook-id",
            "x-zendesk-account-id",
            "x-zendesk-webhook-invocation-id",
        ),
    )


@hookimpl
def event_schemas() -> Sequence[EventSchema]:
    return load_schemas()


@hookimpl
def verify_signature(source: SourceContext, request: WebhookRequest) -> Verification:
    return deliveries.verify(source, request)


@hookimpl
def identify_event(source: SourceContext, request: WebhookRequest) -> EventIdentity:
    return deliveries.identify(source, request)


@hookimpl
def sign_payload(source: SourceContext, body: bytes, timestamp: datetime) -> Mapping[str, str]:
    return deliveries.sign(source, body, timestamp)


@hookimpl
def signing_key(source: SourceContext, secret: str) -> bytes | None:
    deliveries.check_secret(source, secret)
    return None  # the key is the secret string's bytes, as Zendesk uses it


@hookimpl
def setup_instructions(source: SourceContext) -> str | None:
    return manual.instructions(source)


__all__ = [
    "event_schemas",
    "identify_event",
    "provider_info",
    "setup_instructions",
    "sign_payload",
    "signing_key",
    "verify_signature",
]
