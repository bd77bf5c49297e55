"""hookgate provider for Zendesk: webhooks subscribed to Zendesk events.

Deliveries carry ``X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(timestamp +
body))`` and ``X-Zendesk-Webhook-Signature-Timestamp`` (ISO 8601). The event
type is the body's ``type`` (``zen:event-type:ticket.created``) and the
delivery id its ``id``.
"""

from __future__ import annotations

# The entry point names this package: its attributes are the hook implementations.
from hookgate_zendesk.plugin import *  # noqa: F403
