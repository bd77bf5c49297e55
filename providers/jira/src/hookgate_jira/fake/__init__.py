"""A fake Atlassian for tests: 3LO OAuth and the REST endpoints hookgate uses, as one ASGI app.

It follows Atlassian's documented endpoints and bodies (provider-api-facts §1–2)::

    from hookgate_jira.fake import FakeAtlassian

    atlassian = FakeAtlassian()                  # two sites (Acme: ENG, OPS, QA; Acme Labs: LAB)
    async with atlassian.client() as client:     # httpx over ASGITransport, sends a token
        ...                                      # call the Jira hooks with client
    monkeypatch.setattr(os, "environ", {**os.environ, **atlassian.settings_env()})

Rotating refresh tokens (a reused old one revokes the grant), accessible-resources,
paginated projects and webhooks, register (200 with per-entry errors), refresh,
delete (ids of others ignored), expiry on the fake's own clock (``now``,
``age(id, by)``), the 5-webhooks-per-user-per-site cap, and
``delivery(webhook, payload)``: what Atlassian sends, with a bearer JWT.
Knobs: ``fail_next(429, retry_after=7)``, ``fail_entries("message")``,
``refuse_site(cloud_id)``, ``delete_behind_back(id)``.
"""

from __future__ import annotations

from hookgate_jira.fake.model import Delivery, FakeSite, FakeWebhook
from hookgate_jira.fake.server import CAP, CAP_MESSAGE, LIFETIME, FakeAtlassian

__all__ = ["CAP", "CAP_MESSAGE", "LIFETIME", "Delivery", "FakeAtlassian", "FakeSite", "FakeWebhook"]
