"""The custom provider's hook implementations: thin wrappers over the settings.

Everything a source's sender does differently lives in its settings
(:class:`~hookgate_custom.settings.CustomSettings`); see ``docs/custom.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from hookgate import ProviderInfo, hookimpl

from hookgate_custom import keys
from hookgate_custom.identify import identify_request
from hookgate_custom.keys import generate_secret
from hookgate_custom.settings import CustomSettings
from hookgate_custom.verify import sign_request, verify_request

if TYPE_CHECKING:
    from hookgate import EventIdentity, EventSchema, SourceContext, Verification, WebhookRequest


@hookimpl
def provider_info() -> ProviderInfo:
    return ProviderInfo(
        name="custom",
        title="Custom webhook",
        description="Any platform that signs webhooks with an HMAC (hex, base64, "
        "key=value lists, timestamps, Standard Webhooks), or that does not sign at all.",
        config_model=CustomSettings,
    )


@hookimpl
def event_schemas() -> Sequence[EventSchema]:
    # Event types of custom sources are defined per source, not by the provider.
    return []


@lru_cache(maxsize=1024)
def _validated(items: tuple[tuple[str, Any], ...]) -> CustomSettings:
    return CustomSettings.model_validate(dict(items))


_last: tuple[Mapping[str, Any], CustomSettings] | None = None


def source_settings(source: SourceContext) -> CustomSettings:
    """The source's settings, validated once per distinct config (ingest is hot)."""
    global _last
    config: Mapping[str, Any] = source.config
    last = _last
    if last is not None and last[0] is config:  # the same source again: no key to build
        return last[1]
    settings = _settings_for(config)
    _last = (config, settings)  # holds config, so `is` cannot match a reused id
    return settings


def _settings_for(config: Mapping[str, Any]) -> CustomSettings:
    try:
        key = tuple(sorted(config.items()))
        hash(key)
    except TypeError:  # an unhashable value: validate without the cache
        return CustomSettings.model_validate(dict(config))
    return _validated(key)


@hookimpl
def verify_signature(source: SourceContext, request: WebhookRequest) -> Verification:
    return verify_request(source_settings(source), source.secrets, request)


@hookimpl
def identify_event(source: SourceContext, request: WebhookRequest) -> EventIdentity:
    return identify_request(source_settings(source), request)


@hookimpl
def sign_payload(source: SourceContext, body: bytes, timestamp: datetime) -> Mapping[str, str]:
    return sign_request(source_settings(source), source.secrets, body, timestamp)


@hookimpl
def signing_key(source: SourceContext, secret: str) -> bytes:
    settings = source_settings(source)
    keys.validate_secret(settings, secret)
    return keys.signing_key(settings, secret)


@hookimpl
def new_secret(source: SourceContext) -> str:
    # Standard Webhooks senders take only whsec_<base64> secrets.
    return generate_secret(source_settings(source))
