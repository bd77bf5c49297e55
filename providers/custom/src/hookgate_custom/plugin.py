"""The custom provider's hook implementations.

Signature format: ``<algorithm>=<hex HMAC of the raw body>`` in the
configured header (``sha256=9f86d0...``); hex of either case is accepted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from hookgate import (
    EventIdentity,
    EventSchema,
    ProviderInfo,
    SourceContext,
    Verification,
    WebhookRequest,
    hookimpl,
)
from hookgate.signing import decode_hex, hex_signature, matches_any

from hookgate_custom.settings import CustomSettings

DEFAULT_EVENT_TYPE = "webhook"


@hookimpl
def provider_info() -> ProviderInfo:
    return ProviderInfo(
        name="custom",
        title="Custom webhook",
        description="Any platform that signs webhooks with an HMAC over the body.",
        config_model=CustomSettings,
    )


@hookimpl
def event_schemas() -> Sequence[EventSchema]:
    # Event types of custom sources are defined per source, not by the provider.
    return []


def _settings(source: SourceContext) -> CustomSettings:
    return CustomSettings.model_validate(source.config)


@hookimpl
def verify_signature(source: SourceContext, request: WebhookRequest) -> Verification:
    settings = _settings(source)
    value = request.headers.get(settings.signature_header)
    if value is None:
        return Verification.fail(f"missing header {settings.signature_header}")
    prefix = settings.algorithm + "="
    if not value.startswith(prefix):
        return Verification.fail(f"{settings.signature_header} must start with {prefix!r}")
    given = decode_hex(value[len(prefix) :])
    if not matches_any(settings.algorithm, source.secrets, request.body, given):
        return Verification.fail("signature mismatch")
    return Verification.ok()


@hookimpl
def identify_event(source: SourceContext, request: WebhookRequest) -> EventIdentity:
    settings = _settings(source)
    event_type = DEFAULT_EVENT_TYPE
    if settings.event_type_header:
        event_type = request.headers.get(settings.event_type_header) or DEFAULT_EVENT_TYPE
    delivery_id = None
    if settings.delivery_id_header:
        delivery_id = request.headers.get(settings.delivery_id_header)
    return EventIdentity(event_type=event_type, delivery_id=delivery_id)


@hookimpl
def sign_payload(source: SourceContext, body: bytes, timestamp: datetime) -> Mapping[str, str]:
    del timestamp  # this scheme signs the body only
    settings = _settings(source)
    digest = hex_signature(settings.algorithm, source.secrets[0], body)
    return {settings.signature_header: f"{settings.algorithm}={digest}"}
