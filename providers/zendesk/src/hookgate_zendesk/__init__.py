"""hookgate provider for Zendesk: webhooks subscribed to Zendesk events.

Deliveries carry ``X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(timestamp +
body))`` and ``X-Zendesk-Webhook-Signature-Timestamp`` (ISO 8601). The event
type is the body's ``type`` (``zen:event-type:ticket.created``) and the
delivery id its ``id``.
"""

from __future__ import annotations

from hookgate_zendesk.plugin import (
    event_schemas,
    identify_event,
    provider_info,
    sign_payload,
    verify_signature,
)

__all__ = ["event_schemas", "identify_event", "provider_info", "sign_payload", "verify_signature"]
