"""Signing secrets: generated ones take the form the source's senders expect (the new_secret
hook); given and generated ones give at least 128 bits of key material (the signing_key hook)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from hookgate import Runtime, hookimpl
from hookgate.plugins import PluginManager
from hookgate.services.common import Invalid, default_actor
from hookgate.services.sources import create_source, list_sources, rotate_secret
from hookgate.testing import FakeProvider, FakeProviderAPI
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


STANDARD = {"signature_format": "standard-webhooks"}


@pytest.mark.parametrize(
    ("config", "secret", "reason"),
    [
        (STANDARD, "whsec_-A========", "is not base64"),  # 16 characters, a 1-byte key
        (STANDARD, "whsec_" + base64.b64encode(b"k" * 15).decode(), "120 bits"),
        (STANDARD, "whsec_not*base64!but-long-enough", "is not base64"),
        ({}, "fifteen-chars!!", "120 bits"),
    ],
)
async def test_weak_and_undecodable_secrets_are_refused_at_creation(
    sqlite_url: str, config: dict[str, str], secret: str, reason: str
) -> None:
    async with Runtime(settings_for(sqlite_url, providers="custom")) as runtime:
        actor = await default_actor(runtime)
        with pytest.raises(Invalid) as refused:
            await create_source(
                runtime, actor, provider="custom", name="weak", config=config, secret=secret
            )
        assert reason in str(refused.value)
        assert secret not in str(refused.value)
        assert await list_sources(runtime, actor) == []


async def test_secrets_of_128_bits_are_accepted_however_spelled(sqlite_url: str) -> None:
    async with Runtime(settings_for(sqlite_url, providers="custom")) as runtime:
        actor = await default_actor(runtime)
        whsec = "whsec_" + base64.b64encode(b"k" * 16).decode()
        for name, config, secret in [("a", STANDARD, whsec), ("b", {}, "sixteen-chars!!!")]:
            made = await create_source(
                runtime, actor, provider="custom", name=name, config=config, secret=secret
            )
            assert made.secret == secret


class ShrinkingKeys(FakeProvider):
    """A provider whose generated secrets give too little key material once ``weak``."""

    weak = False

    @hookimpl
    def signing_key(self, secret: str) -> bytes:
        return secret.encode()[:4] if self.weak else secret.encode()


async def test_a_weak_generated_secret_is_refused_at_rotation(sqlite_url: str) -> None:
    plugin = ShrinkingKeys(FakeProviderAPI())
    plugins = PluginManager(entry_points=False)
    assert plugins.add_provider(plugin, "fake").status == "ok"
    async with Runtime(settings_for(sqlite_url), plugins=plugins) as runtime:
        actor = await default_actor(runtime)
        source = await create_source(runtime, actor, provider="fake", name="f")
        plugin.weak = True
        with pytest.raises(Invalid, match="32 bits of key material"):
            await rotate_secret(runtime, actor, source.id)
        record = await runtime.sources.load(source.id)
        assert record is not None
        assert [s.secret for s in record.secrets] == [source.secret]  # nothing changed
