"""hookgate provider for any platform: signature header, algorithm and secret set per source."""

from __future__ import annotations

from hookgate_custom.plugin import (
    event_schemas,
    identify_event,
    provider_info,
    sign_payload,
    verify_signature,
)
from hookgate_custom.settings import CustomSettings

__all__ = [
    "CustomSettings",
    "event_schemas",
    "identify_event",
    "provider_info",
    "sign_payload",
    "verify_signature",
]
