"""hookgate provider for Jira Cloud: issue and comment webhooks.

Admin-registered webhooks with a secret are signed WebSub style:
``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>``. Webhooks that
an OAuth app registers are not signed by Atlassian; such sources set
``signed = false`` and rely on the URL secret (shown as unverified). The
delivery id is ``X-Atlassian-Webhook-Identifier``, kept across retries.
"""

from __future__ import annotations

# The entry point names this package: its attributes are the hook implementations.
from hookgate_jira.plugin import *  # noqa: F403
