"""``hookgate connections`` and ``hookgate sources reconcile`` as a terminal admin uses them."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hookgate import Runtime
from hookgate.cli import _common, main
from hookgate.config import load_settings

from tests.conftest import TEST_SECRET_KEY
from tests.core.oauth.support import Lab, fake_plugins, lab

pytestmark = pytest.mark.anyio


async def _run(w: Lab, *args: str) -> Result:
    env = {
        "HOOKGATE_DATABASE_URL": w.runtime.settings.database_url,
        "HOOKGATE_SECRET_KEY": TEST_SECRET_KEY,
        "HOOKGATE_PUBLIC_URL": w.base_url,
    }
    return await asyncio.to_thread(CliRunner().invoke, main, list(args), env=env)


async def _json(w: Lab, *args: str) -> Any:
    result = await _run(w, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def test_connect_register_and_reconcile_from_a_terminal(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(sqlite_url, monkeypatch) as w:
        # The CLI's runtime knows the fake provider (it is no installed distribution).
        monkeypatch.setattr(
            _common, "Runtime", lambda: Runtime(load_settings(), plugins=fake_plugins(w.api))
        )
        human = await _run(w, "connections", "create", "--provider", "fake")
        assert "Open this URL in a browser" in human.stdout
        started = await _json(w, "connections", "create", "--provider", "fake")
        done = await w.authorize(started["authorize_url"])
        assert done.status_code == 200
        shown = await _json(w, "connections", "show", started["id"])
        assert shown["status"] == "active"
        account = await _json(w, "connections", "account", started["id"])
        assert [t["name"] for t in account["targets"]] == ["alpha", "beta"]

        source = await _json(
            w,
            *("sources", "create", "--provider", "fake", "--name", "cli"),
            *("--connection", started["id"], "--target", "project:alpha"),
        )
        assert source["registration_status"] == "active"
        (hook,) = w.api.hooks_on("alpha")
        w.api.delete_hook_behind_back(hook.id)
        repaired = await _run(w, "sources", "reconcile", source["id"])
        assert repaired.exit_code == 0, repaired.output
        assert "registration  active" in repaired.stdout
        assert len(w.api.hooks_on("alpha")) == 1

        w.api.revoke_grant()
        broken = await _run(w, "sources", "reconcile", source["id"])
        assert broken.exit_code == 1
        assert "needs_reauth" in broken.stdout
        listed = await _json(w, "connections", "list")
        assert [c["status"] for c in listed] == ["needs_reauth", "pending"]
        bad = await _run(
            w, "sources", "create", "--provider", "fake", "--name", "x", "--target", "x"
        )
        assert bad.exit_code == 2
        assert "TYPE:NAME" in bad.output
