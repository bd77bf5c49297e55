"""Logs of a real ``hookgate serve`` process: one JSON line per request with its request id,
and no secret anywhere, after every route was driven with known secret values."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hookgate import Runtime
from hookgate.plugins import PluginManager
from hookgate.services import identity
from hookgate.services.common import Actor
from hookgate.types import SourceContext

from tests.core.api.support import Contract, world
from tests.server import hookgate_serve, ready
from tests.support import settings_for

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

SIGNING_SECRET = "KNOWN-signing-secret-0f4c2d9e"
WRONG_KEY = "hgk_KNOWN-wrong-key-7a1b3c5d"


async def _keys(database: str) -> dict[str, str]:
    """An admin key, a member key and a revoked key, made before the server starts."""
    async with Runtime(settings_for(database)) as runtime:
        made: dict[str, str] = {}
        for name, role in (("ada", "admin"), ("max", "member")):
            user = await identity.create_user(runtime, workspace="acme", name=name, role=role)
            operator = Actor.operator(user.workspace_id)
            made[role] = str((await identity.create_key(runtime, operator, user.id)).key)
        revoked = await identity.create_key(runtime, operator, user.id)
        await identity.revoke_key(runtime, operator, revoked.id)
        made["revoked"] = str(revoked.key)
        return made


def _signed(source: dict[str, Any], secret: str, body: bytes) -> dict[str, str]:
    context = SourceContext(
        id=source["id"],
        provider="custom",
        name=source["name"],
        url=source["url"],
        secrets=(secret,),
        config=source["config"],
    )
    hooks = PluginManager().provider("custom")
    return {
        **hooks.sign_payload(context, body, datetime.now(UTC)),
        "Content-Type": "application/json",
    }


class Driver:
    """Calls routes, remembering which operations ran and every request id."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.operations: set[tuple[str, str]] = set()
        self.request_ids: list[str] = []

    async def call(self, method: str, template: str, url: str, **kwargs: Any) -> httpx.Response:
        response = await self.client.request(method, f"/api/v1{url}", **kwargs)
        assert response.status_code != 500, response.text  # 503: no filter generator here
        self.operations.add((method, template))
        self.request_ids.append(response.headers["x-request-id"])
        return response


async def _drive(d: Driver, keys: dict[str, str]) -> list[str]:
    """Every route once with known secrets; returns every secret value that went over the wire."""
    admin = {"Authorization": f"Bearer {keys['admin']}"}
    member = {"Authorization": f"Bearer {keys['member']}"}
    body = {
        "provider": "custom",
        "name": "acme",
        "config": {"signature_header": "X-Signature", "algorithm": "sha256"},
        "secret": SIGNING_SECRET,
    }
    source = (await d.call("POST", "/sources", "/sources", headers=admin, json=body)).json()
    sid, payload = source["id"], json.dumps({"action": "opened"}).encode()
    signed = _signed(source, SIGNING_SECRET, payload)
    webhook = await d.client.post(source["url"], content=payload, headers=signed)
    forged = _signed(source, "KNOWN-forged-secret-123456", payload)
    assert (await d.client.post(source["url"], content=payload, headers=forged)).status_code == 401
    event = webhook.json()["event_id"]
    rotated = await d.call(
        "POST",
        "/sources/{id}/rotate-secret",
        f"/sources/{sid}/rotate-secret",
        headers=admin,
        json={"grace": 1},
    )
    trigger = (
        await d.call(
            "POST", "/triggers", "/triggers", headers=member, json={"source_id": sid, "agent": "a"}
        )
    ).json()
    for method, template, url, headers, kwargs in [
        ("GET", "/sources", "/sources", member, {}),
        ("GET", "/sources/{id}", f"/sources/{sid}", admin, {}),
        ("PATCH", "/sources/{id}", f"/sources/{sid}", admin, {"json": {"name": "renamed"}}),
        ("GET", "/sources/{id}/events", f"/sources/{sid}/events", member, {}),
        ("GET", "/triggers", "/triggers", member, {}),
        ("GET", "/triggers/{id}", f"/triggers/{trigger['id']}", member, {}),
        (
            "PATCH",
            "/triggers/{id}",
            f"/triggers/{trigger['id']}",
            member,
            {"json": {"filter": '(eq "action" "opened")'}},
        ),
        ("POST", "/events/{id}/replay", f"/events/{event}/replay", admin, {}),
        ("GET", "/events/{id}", f"/events/{event}", member, {}),
        ("GET", "/runs", "/runs", member, {}),
        ("GET", "/runs/{id}", "/runs/run_unknown", member, {}),
        ("POST", "/runs/{id}/replay", "/runs/run_unknown/replay", member, {}),
        ("POST", "/filters/check", "/filters/check", member, {"json": {"filter": "(eq a"}}),
        (
            "POST",
            "/filters/test",
            "/filters/test",
            member,
            {"json": {"filter": "(eq a 1)", "payload": {"a": SIGNING_SECRET}}},
        ),
        (
            "POST",
            "/filters/dry-run",
            "/filters/dry-run",
            member,
            {"json": {"filter": "(eq a 1)", "source_id": sid}},
        ),
        (
            "POST",
            "/filters/generate",
            "/filters/generate",
            member,
            {"json": {"description": "opened", "provider": "custom"}},
        ),
        ("GET", "/providers", "/providers", member, {}),
        ("GET", "/providers/{id}", "/providers/custom", member, {}),
        ("GET", "/audit", "/audit", admin, {}),
        ("GET", "/audit", "/audit", {"Authorization": f"Bearer {keys['revoked']}"}, {}),
        # The custom provider has no OAuth: these answer errors, and are logged like others.
        ("POST", "/connections", "/connections", admin, {"json": {"provider": "custom"}}),
        ("GET", "/connections", "/connections", admin, {}),
        ("GET", "/connections/{id}", "/connections/con_unknown", admin, {}),
        ("GET", "/connections/{id}/account", "/connections/con_unknown/account", admin, {}),
        (
            "POST",
            "/connections/{id}/reauthorize",
            "/connections/con_unknown/reauthorize",
            admin,
            {},
        ),
        ("DELETE", "/connections/{id}", "/connections/con_unknown", admin, {}),
        ("POST", "/sources/{id}/reconcile", f"/sources/{sid}/reconcile", admin, {}),
        ("GET", "/sources", "/sources", {"Authorization": f"Bearer {WRONG_KEY}"}, {}),
        ("GET", "/openapi.json", "/openapi.json", {}, {}),
        ("DELETE", "/triggers/{id}", f"/triggers/{trigger['id']}", member, {}),
        ("DELETE", "/sources/{id}", f"/sources/{sid}", admin, {}),
    ]:
        await d.call(method, template, url, headers=headers, **kwargs)
    url_secret = source["url"].rsplit("/", 1)[-1]
    signatures = [v for h in (signed, forged) for k, v in h.items() if k != "Content-Type"]
    return [
        SIGNING_SECRET,
        rotated.json()["secret"],
        url_secret,
        *keys.values(),
        WRONG_KEY,
        *signatures,
    ]


async def test_logs_are_json_lines_with_request_ids_and_no_secrets(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'hookgate.db'}"
    keys = await _keys(database)
    log_file = tmp_path / "serve.log"
    # DEBUG, the strictest: whatever any logger would say.
    with hookgate_serve(database, output=log_file, log_level="DEBUG") as base:
        await ready(base)
        async with httpx.AsyncClient(base_url=base) as client:
            driver = Driver(client)
            secrets = await _drive(driver, keys)
    assert driver.operations == Contract().operations()
    text = log_file.read_text()
    assert len(secrets) >= 9
    # a signature like "sha256=<hex>" leaks just as much without its prefix
    leaked = [s for s in secrets if s in text or s.split("=", 1)[-1] in text]
    assert leaked == []
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    requests = [r for r in records if r.get("logger") == "hookgate.request"]
    assert sorted(r["request_id"] for r in requests if r["path"].startswith("/api/v1")) == sorted(
        driver.request_ids
    )
    # The path as requested: the /api/v1 mount does not show twice.
    assert [r for r in requests if "/api/v1/api/v1" in r["path"]] == []
    assert any(r["message"] == "GET /api/v1/sources 200" for r in requests)
    hooks = [r["path"] for r in requests if r["path"].startswith("/hooks/")]
    assert hooks == [f"/hooks/{hooks[0].split('/')[2]}/***"] * 2
    assert all(not line.strip() or line.startswith("{") for line in text.splitlines())


async def test_a_given_request_id_is_kept_and_a_bad_one_replaced(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        client = w.clients["member"]
        kept = await client.get("/providers", headers={"X-Request-Id": "trace-42"})
        replaced = await client.get("/providers", headers={"X-Request-Id": "bad id!"})
    assert kept.headers["x-request-id"] == "trace-42"
    assert len(replaced.headers["x-request-id"]) == 32
