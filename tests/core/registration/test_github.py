"""The GitHub provider's hooks through core's OAuth flow and reconcile, against its fake API."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hookgate import Runtime, create_app
from hookgate.plugins import PluginManager
from hookgate.services import connections, sources
from hookgate.services.common import default_actor
from hookgate_github.fake import FakeGitHub

from tests.core.oauth.support import JSON, confirm_in
from tests.server import running_server
from tests.support import settings_for

pytestmark = pytest.mark.anyio
WEBAPP = {"type": "repository", "name": "octo-org/webapp"}
API = {"type": "repository", "name": "octo-org/api"}


async def test_connect_register_adopt_and_delete_on_github(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    github = FakeGitHub()
    github.add_repo("octo-org/webapp")
    github.add_repo("octo-org/api")
    runtime = Runtime(
        settings_for(sqlite_url, providers="github"), plugins=PluginManager(["github"])
    )
    async with (
        running_server(github.app) as github_url,
        running_server(create_app(runtime, worker=False)) as base_url,
        httpx.AsyncClient(follow_redirects=True) as browser,
    ):
        runtime.settings.public_url = base_url
        app = github.register_app("Iv1.loopback", "loopback-secret", f"{base_url}/oauth/github")
        monkeypatch.setenv("HOOKGATE_GITHUB_WEB_URL", github_url)
        monkeypatch.setenv("HOOKGATE_GITHUB_API_URL", github_url)
        monkeypatch.setenv("HOOKGATE_GITHUB_CLIENT_ID", app.client_id)
        monkeypatch.setenv("HOOKGATE_GITHUB_CLIENT_SECRET", app.client_secret)
        admin = await default_actor(runtime)

        started = await connections.create_connection(runtime, admin, "github")
        opened = await browser.get(started.authorize_url or "", follow_redirects=False)
        query = parse_qs(urlsplit(opened.headers["location"]).query)
        assert query["code_challenge_method"] == ["S256"]
        # Back from GitHub, hookgate shows who would be connected where, and waits.
        shown = await browser.get(opened.headers["location"], headers=JSON)
        assert shown.status_code == 200, shown.text
        assert (shown.json()["account"]["name"], shown.json()["workspace"]) == (
            "octocat",
            "default",
        )
        pending = await connections.get_connection(runtime, admin, started.id)
        assert pending.status == "pending"
        done = await confirm_in(browser, shown)
        assert done.status_code == 200, done.text
        assert done.json()["connection"]["account_name"] == "octocat"
        account = await connections.connection_account(runtime, admin, started.id)
        assert {t.name for t in account.targets} == {"octo-org/webapp", "octo-org/api"}

        source = await sources.create_source(
            runtime,
            admin,
            provider="github",
            name="webapp",
            events=["push"],
            connection_id=started.id,
            targets=[WEBAPP],
        )
        assert source.registration_status == "active", source.registration_error
        (hook,) = github.hooks_on("octo-org/webapp")
        assert hook.config["url"] == source.url
        assert hook.config["secret"] == source.secret
        assert hook.events == ["push"]

        assert source.url is not None
        by_hand = github.add_hook("repository", "octo-org/api", source.url, events=("issues",))
        changed = await sources.update_source(runtime, admin, source.id, targets=[WEBAPP, API])
        assert changed.registration_status == "active", changed.registration_error
        (adopted,) = github.hooks_on("octo-org/api")
        assert adopted.id == by_hand.id
        assert adopted.events == ["push"]

        github.delete_hook_behind_back(adopted.id)  # deleting tolerates a hook already gone
        await sources.delete_source(runtime, admin, source.id)
        assert github.hooks_on("octo-org/webapp") == []
        assert github.hooks_on("octo-org/api") == []
