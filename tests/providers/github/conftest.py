"""Fixtures of the GitHub provider's tests: the fake GitHub, settings pointing at it, the hooks."""

from __future__ import annotations

import httpx
import pytest
from hookgate import SourceContext
from hookgate.plugins import PluginManager
from hookgate.provider_hooks import ProviderHooks
from hookgate_github.fake import FakeGitHub

SECRET = "whgh-secret-0123456789abcdef-0123456789"


@pytest.fixture(scope="module")
def hooks() -> ProviderHooks:
    """The GitHub provider through the typed wrapper core calls."""
    return PluginManager(["github"]).provider("github")


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> FakeGitHub:
    """A fake GitHub, and HOOKGATE_GITHUB_* settings pointing at it."""
    fake = FakeGitHub()
    for name, value in fake.settings_env().items():
        monkeypatch.setenv(name, value)
    return fake


@pytest.fixture
def token(github: FakeGitHub) -> str:
    """An OAuth app token with the scopes hookgate asks for."""
    return github.issue_token(client_id=github.client_id)


@pytest.fixture
def client(github: FakeGitHub, token: str) -> httpx.AsyncClient:
    """What core hands to the hooks: an httpx client that already sends the token.

    It reaches the fake through ASGITransport: no sockets, nothing to close.
    """
    return github.client(token)


@pytest.fixture
def source() -> SourceContext:
    return SourceContext(
        id="src_gh",
        provider="github",
        name="webapp",
        url="https://hookgate.test/hooks/src_gh/urlsecret0123456789",
        secrets=(SECRET,),
        events=("pull_request", "issues"),
    )
