"""hookgate provider for GitHub: signed deliveries and event schemas.

Deliveries carry ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw
body>``, the event name in ``X-GitHub-Event`` and a delivery id in
``X-GitHub-Delivery`` that redeliveries keep.
"""

from __future__ import annotations

from hookgate_github.plugin import (
    event_schemas,
    identify_event,
    provider_info,
    sign_payload,
    verify_signature,
)

__all__ = ["event_schemas", "identify_event", "provider_info", "sign_payload", "verify_signature"]
