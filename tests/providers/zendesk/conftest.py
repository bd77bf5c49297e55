"""Fixtures of the Zendesk provider's tests: the hooks and a manual source."""

from __future__ import annotations

import pytest
from hookgate import SourceContext
from hookgate.plugins import PluginManager
from hookgate.provider_hooks import ProviderHooks

SECRET = "zd-signing-secret-0123456789abcdef-0123456789"


@pytest.fixture(autouse=True)
def zendesk_at_the_fake(monkeypatch: pytest.MonkeyPatch) -> None:
    """Zendesk accounts live where the in-process fake answers (end-to-end tests override it)."""
    monkeypatch.setenv("HOOKGATE_ZENDESK_URL_TEMPLATE", "https://zendesk.test/{subdomain}")


@pytest.fixture(scope="module")
def hooks() -> ProviderHooks:
    """The Zendesk provider through the typed wrapper core calls."""
    return PluginManager(["zendesk"]).provider("zendesk")


@pytest.fixture
def source() -> SourceContext:
    return SourceContext(
        id="src_zd",
        provider="zendesk",
        name="support",
        url="https://hookgate.test/hooks/src_zd/urlsecret0123456789",
        secrets=(SECRET,),
        events=("zen:event-type:ticket.created",),
    )
