"""hookgate provider for Zendesk: OAuth per subdomain and event-subscribed webhooks.

Deliveries carry ``X-Zendesk-Webhook-Signature: base64(HMAC-SHA256(timestamp +
body))`` and ``X-Zendesk-Webhook-Signature-Timestamp`` (ISO 8601), signed with
the secret Zendesk issues for each webhook (read back and stored by hookgate).
The event type is the body's ``type`` (or a configured field or header for
trigger webhooks); the delivery id is ``X-Zendesk-Webhook-Invocation-Id``.
See docs/zendesk.md.
"""

from __future__ import annotations

# The entry point names this package: its attributes are the hook implementations.
from hookgate_zendesk.plugin import *  # noqa: F403
