"""A fake Zendesk for tests: OAuth per subdomain, the webhooks API, signed deliveries."""

from __future__ import annotations

from hookgate_zendesk.fake.model import Delivery, FakeAccount, FakeWebhook
from hookgate_zendesk.fake.server import FakeZendesk

__all__ = ["Delivery", "FakeAccount", "FakeWebhook", "FakeZendesk"]
