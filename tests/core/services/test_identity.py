"""Tenants and identity: users, roles and API keys through the services and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hookgate import AuthenticationError, Runtime
from hookgate.cli import main
from hookgate.services import identity
from hookgate.services.audit import list_audit
from hookgate.services.common import Actor, Conflict, Forbidden, Invalid, NotFound
from hookgate.store.models import ApiKey
from sqlalchemy import select

from tests.conftest import TEST_SECRET_KEY
from tests.support import settings_for

pytestmark = pytest.mark.anyio


async def test_users_keys_and_roles(database_url: str) -> None:
    async with Runtime(settings_for(database_url)) as rt:
        ada = await identity.create_user(rt, workspace="acme", name="ada", role="admin")
        max_ = await identity.create_user(rt, workspace="acme", name="max", role="member")
        assert ada.workspace_id == max_.workspace_id
        with pytest.raises(Conflict, match="already has a user named 'ada'"):
            await identity.create_user(rt, workspace="acme", name="ada", role="member")
        with pytest.raises(Invalid, match="role must be one of admin, member"):
            await identity.create_user(rt, workspace="acme", name="eve", role="owner")
        admin = Actor(ada.workspace_id, ada.id, "admin", "ada")
        member = Actor(max_.workspace_id, max_.id, "member", "max")
        key = await identity.create_key(rt, admin, max_.id, name="laptop")
        assert key.key is not None
        assert key.key.startswith("hgk_")
        assert len(key.key) > 40
        assert (await identity.authenticate_key(rt, key.key)) == member
        with pytest.raises(Forbidden):
            await identity.create_key(rt, member, max_.id)
        promoted = await identity.set_role(rt, admin, max_.id, "admin")
        assert promoted.role == "admin"
        assert (await identity.authenticate_key(rt, key.key)).role == "admin"
        await identity.revoke_key(rt, admin, key.id)
        await identity.revoke_key(rt, admin, key.id)  # again: a no-op, audited once
        with pytest.raises(AuthenticationError, match="revoked"):
            await identity.authenticate_key(rt, key.key)
        entries = await list_audit(rt, admin)
        assert [e.action for e in entries][:3] == [
            "key.revoked",
            "user.role_changed",
            "key.created",
        ]
        assert entries[1].detail == {"before": "member", "after": "admin"}
        assert all(key.key not in json.dumps(e.detail) for e in entries)
        async with rt.db.session() as session:
            stored = await session.scalar(select(ApiKey).where(ApiKey.id == key.id))
        assert stored is not None
        assert stored.key_hash == identity.hash_key(key.key)


async def test_nothing_crosses_workspaces(sqlite_url: str) -> None:
    async with Runtime(settings_for(sqlite_url)) as rt:
        ada = await identity.create_user(rt, workspace="acme", name="ada", role="admin")
        gus = await identity.create_user(rt, workspace="globex", name="gus", role="admin")
        globex = Actor(gus.workspace_id, gus.id, "admin", "gus")
        with pytest.raises(NotFound):
            await identity.create_key(rt, globex, ada.id)
        with pytest.raises(NotFound):
            await identity.set_role(rt, globex, ada.id, "member")
        key = await identity.create_key(rt, Actor.operator(ada.workspace_id), ada.id)
        with pytest.raises(NotFound):
            await identity.revoke_key(rt, globex, key.id)
        assert await identity.list_keys(rt, globex) == []
        assert await list_audit(rt, globex) != []
        assert all(e.target != ada.id for e in await list_audit(rt, globex))


def test_cli_bootstraps_an_installation(tmp_path: Path) -> None:
    env = {
        "HOOKGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'hookgate.db'}",
        "HOOKGATE_SECRET_KEY": TEST_SECRET_KEY,
    }
    runner = CliRunner(env=env)

    def run(*args: str) -> str:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    user = json.loads(
        run("users", "create", "--workspace", "acme", "--name", "ada", "--role", "admin", "--json")
    )
    assert (user["workspace"], user["name"], user["role"]) == ("acme", "ada", "admin")
    key = json.loads(run("keys", "create", "--user", user["id"], "--json"))
    assert key["key"].startswith("hgk_")
    by_name = json.loads(run("keys", "create", "--user", "ada", "--workspace", "acme", "--json"))
    listed = run("keys", "list", "--workspace", "acme", "--json")
    assert key["key"] not in listed
    assert {k["id"] for k in json.loads(listed)} == {key["id"], by_name["id"]}
    run("keys", "revoke", key["id"])
    run("users", "set-role", "ada", "--workspace", "acme", "--role", "member")
    audit = json.loads(run("audit", "list", "--workspace", "acme", "--json"))
    assert [e["action"] for e in audit][:2] == ["user.role_changed", "key.revoked"]
    assert {e["actor"] for e in audit} == {f"cli:{audit[0]['actor'].split(':', 1)[1]}"}
    assert key["key"] not in json.dumps(audit)
    again = runner.invoke(
        main, ["users", "create", "--workspace", "acme", "--name", "ada", "--role", "admin"]
    )
    assert again.exit_code == 1
    assert "already has a user named 'ada'" in again.output
