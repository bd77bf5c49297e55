"""A hookgate server and a fake Atlassian, both on loopback, with an admin's API client."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hookgate import Runtime, create_app
from hookgate.plugins import PluginManager
from hookgate.services import identity
from hookgate.services.common import Actor
from hookgate_jira.fake import FakeAtlassian

from tests.core.oauth.support import JSON, confirm_in
from tests.server import running_server
from tests.support import settings_for

EVENTS = ["jira:issue_created", "comment_created"]


@dataclass
class Clock:
    """The fake Atlassian's clock: tests move it, hookgate keeps the real one."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Site:
    """hookgate (``runtime``, ``api`` as an admin) next to a fake Atlassian (``atlassian``)."""

    runtime: Runtime
    base_url: str
    api: httpx.AsyncClient
    browser: httpx.AsyncClient
    atlassian: FakeAtlassian
    clock: Clock
    atlassian_url: str

    async def connect(self) -> str:
        """``POST /api/v1/connections``, then authorize on Atlassian and confirm in hookgate."""
        started = await self.api.post("/connections", json={"provider": "jira"})
        assert started.status_code == 201, started.text
        shown = await self.browser.get(started.json()["authorize_url"], headers=JSON)
        assert shown.status_code == 200, shown.text
        done = await confirm_in(self.browser, shown)
        assert done.status_code == 200, done.text
        return str(started.json()["id"])

    async def create_source(
        self, connection_id: str, *projects: str, **extra: Any
    ) -> httpx.Response:
        site = self.atlassian.sites[0]
        body = {
            "provider": "jira",
            "name": extra.pop("name", "engineering"),
            "connection_id": connection_id,
            "targets": [{"type": "site", "name": site.cloud_id, "projects": list(projects)}],
            "events": EVENTS,
            **extra,
        }
        return await self.api.post("/sources", json=body)


@contextlib.asynccontextmanager
async def jira_site(
    database_url: str, monkeypatch: pytest.MonkeyPatch, *, worker: bool = True
) -> AsyncIterator[Site]:
    clock = Clock(datetime.now(UTC))
    atlassian = FakeAtlassian(now=clock)
    runtime = Runtime(settings_for(database_url, providers="jira"), plugins=PluginManager(["jira"]))
    async with (
        running_server(atlassian.app) as atlassian_url,
        running_server(create_app(runtime, worker=worker)) as base_url,
        httpx.AsyncClient(follow_redirects=True) as browser,
    ):
        runtime.settings.public_url = base_url
        app = atlassian.register_app(
            "jira-loopback-client",
            "jira-loopback-secret-0123456789abcdef",
            f"{base_url}/oauth/jira/callback",
        )
        atlassian.client_id, atlassian.client_secret = app.client_id, app.client_secret
        for name, value in atlassian.settings_env().items():
            monkeypatch.setenv(name, value.replace(atlassian.base_url, atlassian_url))
        user = await identity.create_user(runtime, workspace="default", name="ada", role="admin")
        key = await identity.create_key(runtime, Actor.operator(user.workspace_id), user.id)
        headers = {"Authorization": f"Bearer {key.key}"}
        async with httpx.AsyncClient(base_url=f"{base_url}/api/v1", headers=headers) as api:
            yield Site(runtime, base_url, api, browser, atlassian, clock, atlassian_url)
