"""Authentication: API keys (hashed, revocable, last-used time) and the ``authenticate`` hook
through which an embedding service replaces them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hookgate import AuthenticationError, Headers, Principal, Runtime, create_app, hookimpl
from hookgate.plugins import PluginManager
from hookgate.services import identity
from hookgate.services.common import Actor
from hookgate.store.models import ApiKey, User
from sqlalchemy import select

from tests.core.api.support import world
from tests.server import running_server
from tests.support import settings_for

pytestmark = pytest.mark.anyio


async def test_keys_are_stored_hashed_used_and_revoked(database_url: str) -> None:
    async with world(database_url) as w:
        member = w.clients["member"]
        assert (await member.get("/sources")).status_code == 200
        async with w.runtime.db.session() as session:
            rows = list(await session.scalars(select(ApiKey)))
        assert all(w.keys["member"] not in (r.key_hash, r.name) for r in rows)
        used = [r for r in rows if r.key_hash == identity.hash_key(w.keys["member"])]
        assert len(used) == 1
        assert used[0].last_used_at is not None
        await identity.revoke_key(w.runtime, w.actors["admin"], used[0].id)
        refused = await member.get("/sources")
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == "Bearer"
        assert "revoked" in refused.json()["error"]["message"]


async def test_missing_or_malformed_credentials_say_how_to_authenticate(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        client = w.clients["anonymous"]
        nothing = await client.get("/sources")
        basic = await client.get("/sources", headers={"Authorization": "Basic YTpi"})
        unknown = await client.get("/sources", headers={"Authorization": "Bearer hgk_nope"})
    assert "Authorization: Bearer" in nothing.json()["error"]["message"]
    assert "must be `Bearer <key>`" in basic.json()["error"]["message"]
    assert "unknown API key" in unknown.json()["error"]["message"]
    assert {r.status_code for r in (nothing, basic, unknown)} == {401}


class EmbeddingAuth:
    """An embedding service's identity: ``X-Embed-User: <workspace>/<user>/<role>``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    @hookimpl
    def authenticate(self, headers: Headers, method: str, path: str) -> Principal | None:
        self.calls.append((method, path))
        if "x-embed-refuse" in headers:
            raise AuthenticationError("the embedding service refused this session")
        value = headers.get("x-embed-user")
        if value is None:
            return None  # hookgate's own API keys decide
        workspace, user, role = value.split("/")
        return Principal(workspace, user, "admin" if role == "admin" else "member")


async def test_the_authenticate_hook_replaces_api_keys(database_url: str) -> None:
    settings = settings_for(database_url)
    plugins = PluginManager(settings.provider_selection)
    auth = EmbeddingAuth()
    plugins.register(auth, name="embedding-auth")
    runtime = Runtime(settings, plugins=plugins)
    async with (
        running_server(create_app(runtime)) as base,
        httpx.AsyncClient(base_url=f"{base}/api/v1") as client,
    ):
        admin = {"X-Embed-User": "ws_embed/u_alice/admin"}
        member = {"X-Embed-User": "ws_embed/u_bob/member"}
        created = await client.post("/sources", headers=admin, json=_custom("s"))
        assert created.status_code == 201
        refused = await client.post("/sources", headers=member, json=_custom("t"))
        assert refused.status_code == 403
        trigger = await client.post(
            "/triggers", headers=member, json={"source_id": created.json()["id"], "agent": "a"}
        )
        assert trigger.status_code == 201
        assert trigger.json()["owner_id"] == "u_bob"
        denied = await client.get("/sources", headers={**admin, "X-Embed-Refuse": "1"})
        assert denied.status_code == 401
        assert "refused this session" in denied.json()["error"]["message"]
        # without the embedding headers, API keys still work
        key = await _key(runtime)
        with_key = await client.get("/sources", headers={"Authorization": f"Bearer {key}"})
        assert with_key.status_code == 200
        assert ("POST", "/api/v1/sources") in auth.calls
        async with runtime.db.session() as session:
            users = {u.id: u.role for u in await session.scalars(select(User))}
        assert users["u_alice"] == "admin"
        assert users["u_bob"] == "member"


def _custom(name: str) -> dict[str, Any]:
    return {
        "provider": "custom",
        "name": name,
        "config": {"signature_header": "X-Sig", "algorithm": "sha1"},
    }


async def _key(runtime: Runtime) -> str:
    user = await identity.create_user(runtime, workspace="keys", name="k", role="member")
    key = await identity.create_key(runtime, Actor.operator(user.workspace_id), user.id)
    assert key.key is not None
    return key.key
