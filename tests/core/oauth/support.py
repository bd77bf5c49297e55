"""A hookgate server and a fake OAuth provider, both on loopback, and a browser between them."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hookgate import Runtime, create_app
from hookgate.oauth import oauth_for
from hookgate.plugins import PluginManager
from hookgate.services import connections
from hookgate.services.common import Actor, default_actor
from hookgate.services.connections import ConnectionView
from hookgate.services.sources import SourceView, create_source
from hookgate.testing import FakeProvider, FakeProviderAPI

from tests.server import running_server
from tests.support import settings_for

TARGETS = [{"type": "project", "name": "alpha"}, {"type": "project", "name": "beta"}]
JSON = {"Accept": "application/json"}


async def confirm_in(browser: httpx.AsyncClient, shown: httpx.Response) -> httpx.Response:
    """Press *Connect* on the confirmation page ``shown`` (its JSON form)."""
    form = shown.json()["confirm"]
    fields = {"state": form["state"], "csrf": form["csrf"]}
    return await browser.post(form["url"], data=fields, headers=JSON)


async def authorize_in(browser: httpx.AsyncClient, authorize_url: str) -> httpx.Response:
    """What an admin does with an authorize URL: open it in ``browser``, approve on the
    provider, confirm the account hookgate shows. The last answer (an error, or *Connected*)."""
    shown = await browser.get(authorize_url, headers=JSON)
    if shown.status_code != 200:
        return shown
    return await confirm_in(browser, shown)


@dataclass
class Lab:
    """hookgate (``base_url``, ``runtime``, the local admin ``actor``) next to a fake provider."""

    api: FakeProviderAPI
    runtime: Runtime
    base_url: str
    actor: Actor
    #: The admin's browser: follows redirects, keeps nothing between requests that matters.
    browser: httpx.AsyncClient

    async def authorize(self, authorize_url: str) -> httpx.Response:
        """Open the authorize URL, follow the provider back to hookgate, confirm the account."""
        return await authorize_in(self.browser, authorize_url)

    async def connect(self) -> ConnectionView:
        started = await connections.create_connection(self.runtime, self.actor, "fake")
        assert started.authorize_url is not None
        answer = await self.authorize(started.authorize_url)
        assert answer.status_code == 200, answer.text
        return await connections.get_connection(self.runtime, self.actor, started.id)

    async def source(
        self, connection: ConnectionView, *targets: str, name: str = "orders", **options: Any
    ) -> SourceView:
        chosen = [t for t in self.api.targets if t["name"] in (targets or ("alpha",))]
        return await create_source(
            self.runtime,
            self.actor,
            provider="fake",
            name=name,
            connection_id=connection.id,
            targets=chosen,
            events=options.pop("events", ["item.created"]),
            **options,
        )


def fake_plugins(api: FakeProviderAPI) -> PluginManager:
    plugins = PluginManager(entry_points=False)
    record = plugins.add_provider(FakeProvider(api), "fake")
    assert record.status == "ok", record.reason
    return plugins


@contextlib.asynccontextmanager
async def lab(
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    *,
    api: FakeProviderAPI | None = None,
    worker: bool = False,
    **overrides: Any,
) -> AsyncIterator[Lab]:
    """Both servers running; ``HOOKGATE_FAKE_CLIENT_*`` name the fake's OAuth app."""
    fake = api or FakeProviderAPI(targets=[dict(t) for t in TARGETS])
    monkeypatch.setenv("HOOKGATE_FAKE_CLIENT_ID", fake.client_id)
    monkeypatch.setenv("HOOKGATE_FAKE_CLIENT_SECRET", fake.client_secret)
    values: dict[str, Any] = {"provider_attempts": 3, "provider_timeout": 5.0}
    values.update(overrides)
    runtime = Runtime(settings_for(database_url, **values), plugins=fake_plugins(fake))
    async with (
        running_server(fake.app) as fake_url,
        running_server(create_app(runtime, worker=worker)) as base_url,
        httpx.AsyncClient(follow_redirects=True, timeout=30) as browser,
    ):
        fake.base_url = fake_url
        runtime.settings.public_url = base_url
        actor = await default_actor(runtime)
        yield Lab(fake, runtime, base_url, actor, browser)
        oauth_for(runtime).reconcile_locks.clear()
