"""The public flow through the admin API: connect, see the account, create registered sources."""

from __future__ import annotations

import httpx
import pytest
from hookgate.services import identity
from hookgate.services.common import Actor

from tests.core.api.support import Contract
from tests.core.oauth.support import TARGETS, Lab, lab

pytestmark = pytest.mark.anyio
CONTRACT = Contract()


async def _client(w: Lab, role: str) -> httpx.AsyncClient:
    user = await identity.create_user(w.runtime, workspace="acme", name=role, role=role)
    key = await identity.create_key(w.runtime, Actor.operator(user.workspace_id), user.id)
    headers = {"Authorization": f"Bearer {key.key}"}
    return httpx.AsyncClient(base_url=f"{w.base_url}/api/v1", headers=headers)


async def _connect(w: Lab, api: httpx.AsyncClient) -> str:
    started = (await api.post("/connections", json={"provider": "fake"})).json()
    assert (await w.authorize(started["authorize_url"])).status_code == 200
    return str(started["id"])


def _conforms(method: str, template: str, response: httpx.Response) -> None:
    assert CONTRACT.problems(method, template, response) == []


async def test_connect_then_create_a_registered_source(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w, await _client(w, "admin") as api:
        started = await api.post("/connections", json={"provider": "fake"})
        assert started.status_code == 201, started.text
        _conforms("POST", "/connections", started)
        connection = started.json()
        assert connection["status"] == "pending"
        done = await w.authorize(connection["authorize_url"])
        assert done.json()["connection"]["status"] == "active"

        shown = await api.get(f"/connections/{connection['id']}")
        _conforms("GET", "/connections/{id}", shown)
        assert (shown.json()["status"], shown.json()["account_name"]) == ("active", "Fake Account")
        account = await api.get(f"/connections/{connection['id']}/account")
        _conforms("GET", "/connections/{id}/account", account)
        assert account.json()["targets"] == TARGETS

        body = {
            "provider": "fake",
            "name": "orders",
            "connection_id": connection["id"],
            "targets": TARGETS,
            "events": ["item.created"],
        }
        created = await api.post("/sources", json=body)
        assert created.status_code == 201, created.text
        _conforms("POST", "/sources", created)
        source = created.json()
        assert source["registration_status"] == "active"
        assert source["targets"] == TARGETS
        assert {h.url for h in w.api.hooks.values()} == {source["url"]}
        listed = await api.get("/connections")
        assert listed.json()["items"][0]["sources"] == 1

        reconciled = await api.post(f"/sources/{source['id']}/reconcile")
        _conforms("POST", "/sources/{id}/reconcile", reconciled)
        assert reconciled.json()["registration_status"] == "active"
        in_use = await api.delete(f"/connections/{connection['id']}")
        assert in_use.status_code == 409
        assert (await api.delete(f"/sources/{source['id']}")).status_code == 204
        assert w.api.hooks == {}
        assert (await api.delete(f"/connections/{connection['id']}")).status_code == 204


async def test_registration_failures_leave_nothing_behind(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w, await _client(w, "admin") as api:
        body = {"provider": "fake", "connection_id": await _connect(w, api), "targets": TARGETS}
        w.api.fail_create_on("beta", 403, "no admin rights on beta")
        refused = await api.post("/sources", json={**body, "name": "one"})
        assert refused.status_code == 409
        _conforms("POST", "/sources", refused)
        error = refused.json()["error"]
        assert error["code"] == "provider_refused"
        assert "no admin rights on beta" in error["message"]
        w.api.fail_next(503, times=10, path="/api/hooks")
        failed = await api.post("/sources", json={**body, "name": "two"})
        assert failed.status_code == 502
        assert failed.json()["error"]["code"] == "provider_error"
        assert (await api.get("/sources")).json()["items"] == []
        assert w.api.hooks == {}
        unknown = await api.post("/sources", json={**body, "name": "x", "connection_id": "con_x"})
        assert unknown.status_code == 422


async def test_members_cannot_connect_and_unconfigured_providers_say_how(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch) as w, await _client(w, "member") as member:
        assert (await member.post("/connections", json={"provider": "fake"})).status_code == 403
        assert (await member.get("/connections")).status_code == 403
        monkeypatch.delenv("HOOKGATE_FAKE_CLIENT_SECRET")
        async with await _client(w, "admin") as api:
            answer = await api.post("/connections", json={"provider": "fake"})
        assert answer.status_code == 422
        assert answer.json()["error"]["code"] == "oauth_not_configured"
        assert "HOOKGATE_FAKE_CLIENT_SECRET" in answer.json()["error"]["message"]
