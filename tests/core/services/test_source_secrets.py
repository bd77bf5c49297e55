"""Generated signing secrets take the form the source's senders expect (the new_secret hook)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hookgate import Runtime
from hookgate.services.common import default_actor
from hookgate.services.sources import create_source, rotate_secret
from hookgate.types import Headers, WebhookRequest
from standardwebhooks.webhooks import Webhook

from tests.support import settings_for

pytestmark = pytest.mark.anyio


async def test_standard_webhooks_sources_get_whsec_secrets_a_sender_library_accepts(
    sqlite_url: str,
) -> None:
    async with Runtime(settings_for(sqlite_url, providers="custom")) as runtime:
        actor = await default_actor(runtime)
        source = await create_source(
            runtime, actor, provider="custom", name="sw",
            config={"signature_format": "standard-webhooks"},
        )  # fmt: skip
        assert source.secret is not None
        assert source.secret.startswith("whsec_")
        rotated = await rotate_secret(runtime, actor, source.id)
        assert rotated.secret is not None
        assert rotated.secret.startswith("whsec_")
        assert rotated.secret != source.secret

        # A sender using the standardwebhooks library with the new secret is accepted.
        body = json.dumps({"type": "invoice.paid"})
        now = datetime.now(UTC)
        headers = Webhook(rotated.secret).sign("msg_1", now, body)
        signed = {"webhook-id": "msg_1", "webhook-timestamp": str(int(now.timestamp())),
                  "webhook-signature": headers}  # fmt: skip
        record = await runtime.sources.load(source.id)
        assert record is not None
        request = WebhookRequest("POST", "/", Headers(signed), body.encode(), now)
        hooks = runtime.plugins.provider("custom")
        assert hooks.verify_signature(record.context(now), request).valid


async def test_other_sources_get_a_random_url_safe_secret(sqlite_url: str) -> None:
    async with Runtime(settings_for(sqlite_url, providers="custom,github")) as runtime:
        actor = await default_actor(runtime)
        github = await create_source(runtime, actor, provider="github", name="gh")
        assert github.secret is not None
        assert len(github.secret) >= 32
        assert not github.secret.startswith("whsec_")
