"""hookgate provider for Jira Cloud: 3LO OAuth, dynamic webhooks, verified deliveries.

Sources with a connection get dynamic webhooks hookgate registers (one per
site, JQL ``project IN (...)``), refreshed before their 30-day expiry; their
deliveries carry ``Authorization: Bearer <JWT>`` signed HS256 with the OAuth
app's client secret. Sources without one take admin webhooks made by hand,
signed ``X-Hub-Signature: sha256=<hex>`` with the source's secret. The delivery
id is ``X-Atlassian-Webhook-Identifier``, kept across retries. ``docs/jira.md``
is the admin guide; :mod:`hookgate_jira.fake` is a fake Atlassian for tests.
"""

from __future__ import annotations

# The entry point names this package: its attributes are the hook implementations.
from hookgate_jira.plugin import *  # noqa: F403
