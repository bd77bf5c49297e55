"""hookgate provider for GitHub: OAuth app, repository and organization webhooks,
signed deliveries and event schemas.

Deliveries carry ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw
body>``, the event name in ``X-GitHub-Event`` and a delivery id in
``X-GitHub-Delivery`` that redeliveries keep. ``docs/github.md`` is the admin
guide; :mod:`hookgate_github.fake` is a fake GitHub API for tests.
"""

from __future__ import annotations

from hookgate_github.plugin import (
    create_webhook,
    delete_webhook,
    event_schemas,
    identify_event,
    list_webhooks,
    oauth_account,
    oauth_client,
    provider_info,
    setup_instructions,
    sign_payload,
    update_webhook,
    verify_signature,
)

__all__ = [
    "create_webhook",
    "delete_webhook",
    "event_schemas",
    "identify_event",
    "list_webhooks",
    "oauth_account",
    "oauth_client",
    "provider_info",
    "setup_instructions",
    "sign_payload",
    "update_webhook",
    "verify_signature",
]
