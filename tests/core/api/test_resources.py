"""The admin API's resources on a real server: secrets shown once, rotation with grace,
validation errors that name the field, triggers, payload visibility, filters, audit."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hookgate import FilterGenerationRequest, hookimpl
from hookgate.plugins import PluginManager
from hookgate.services import triggers as trigger_service

from tests.core.api.support import Contract, World, world
from tests.support import eventually, settings_for

pytestmark = pytest.mark.anyio

CUSTOM = {
    "provider": "custom",
    "config": {"signature_header": "X-Signature", "algorithm": "sha256"},
}


async def _send_signed(w: World, source_id: str, secret: str, payload: Any) -> httpx.Response:
    """POST a webhook signed with ``secret`` (whatever the source's current secret is)."""
    record = await w.runtime.sources.load(source_id)
    context = dataclasses.replace(record.context(), secrets=(secret,))
    body = json.dumps(payload).encode()
    hooks = w.runtime.plugins.provider("custom")
    headers = {
        **hooks.sign_payload(context, body, datetime.now(UTC)),
        "Content-Type": "application/json",
    }
    return await w.served.client.post(record.url, content=body, headers=headers)


async def test_the_secret_is_shown_at_creation_then_only_its_last_four(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        admin = w.clients["admin"]
        created = await admin.post("/sources", json={**CUSTOM, "name": "acme"})
        assert created.status_code == 201
        secret = created.json()["secret"]
        shown = (await admin.get(f"/sources/{created.json()['id']}")).json()
        assert "secret" not in shown
        assert shown["secret_hint"] == "…" + secret[-4:]
        listed = (await admin.get("/sources")).text
        assert secret not in listed
        assert secret[:-4] not in listed


async def test_rotation_keeps_the_old_secret_for_the_grace_period(database_url: str) -> None:
    async with world(database_url) as w:
        admin = w.clients["admin"]
        first = "first-secret-0123456789"
        source = (
            await admin.post("/sources", json={**CUSTOM, "name": "s", "secret": first})
        ).json()
        assert source["secret"] == first
        rotated = await admin.post(f"/sources/{source['id']}/rotate-secret", json={"grace": 2})
        assert rotated.status_code == 200
        second = rotated.json()["secret"]
        assert second != first
        assert rotated.json()["secret_hint"] == "…" + second[-4:]
        assert (await _send_signed(w, source["id"], first, {"n": 1})).status_code == 202
        assert (await _send_signed(w, source["id"], second, {"n": 2})).status_code == 202
        # grace 0: a leaked secret stops at once, with every older one
        third = await admin.post(f"/sources/{source['id']}/rotate-secret", json={"grace": 0})
        assert (await _send_signed(w, source["id"], first, {"n": 3})).status_code == 401
        assert (await _send_signed(w, source["id"], second, {"n": 4})).status_code == 401
        assert (
            await _send_signed(w, source["id"], third.json()["secret"], {"n": 5})
        ).status_code == 202


async def test_bad_input_is_refused_with_the_field_named(sqlite_url: str) -> None:
    async with world(sqlite_url, max_body_bytes=4096) as w:
        admin = w.clients["admin"]
        contract = Contract()
        missing = await admin.post("/sources", json={"provider": "custom"})
        typo = await admin.post("/sources", json={**CUSTOM, "name": "a", "nmae": "b"})
        short = await admin.post("/sources", json={**CUSTOM, "name": "a", "secret": "tiny-SECRET"})
        malformed = await admin.post("/sources", content=b"{not json")
        too_big = await admin.post("/sources", content=b"[" + b"1," * 4000 + b"1]")
        unknown = await admin.post("/sources", json={"provider": "nope", "name": "a"})
        assert (await admin.post("/sources", json={**CUSTOM, "name": "dup"})).status_code == 201
        dup = await admin.post("/sources", json={**CUSTOM, "name": "dup"})
        grace = await admin.post("/sources/src_x/rotate-secret", json={"grace": -1})
        for response in (missing, typo, short, malformed, too_big, unknown, dup, grace):
            assert contract.problems("POST", _template(response), response) == []
        assert missing.status_code == 422
        assert [d["field"] for d in missing.json()["error"]["details"]] == ["name"]
        assert typo.status_code == 422
        assert "nmae" in typo.json()["error"]["message"]
        assert short.status_code == 422
        assert "tiny-SECRET" not in short.text  # a rejected secret is never echoed
        assert (malformed.status_code, malformed.json()["error"]["code"]) == (400, "malformed_json")
        assert too_big.status_code == 413
        assert unknown.status_code == 422
        assert "unknown provider 'nope'" in unknown.json()["error"]["message"]
        assert (dup.status_code, dup.json()["error"]["code"]) == (409, "conflict")
        assert grace.json()["error"]["details"][0]["field"] == "grace"


async def test_unknown_routes_and_odd_ids_answer_json_errors(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        admin = w.clients["admin"]
        newline = await admin.get("/events/a%0Ab")  # the /api/v1 mount cannot even route it
        odd = await admin.get("/sources/%C3%A9t%C3%A9")
        nowhere = await admin.get("/nowhere")
        wrong_method = await admin.put("/sources")
    for response in (newline, odd, nowhere):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


def _template(response: httpx.Response) -> str:
    path = response.request.url.path.removeprefix("/api/v1")
    return "/sources/{id}/rotate-secret" if path.endswith("rotate-secret") else path


async def test_triggers_are_created_changed_disabled_and_deleted(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        admin, member = w.clients["admin"], w.clients["member"]
        source = (await admin.post("/sources", json={**CUSTOM, "name": "s"})).json()
        bad = await member.post(
            "/triggers", json={"source_id": source["id"], "agent": "a", "filter": '(eq "a"'}
        )
        assert bad.status_code == 422
        assert "line 1, column" in bad.json()["error"]["message"]
        created = await member.post(
            "/triggers",
            json={"source_id": source["id"], "agent": "a", "filter": "(eq action opened)"},
        )
        assert created.status_code == 201
        trigger = created.json()
        assert (trigger["agent"], trigger["filter"]) == ("a", '(eq "action" "opened")')
        url = f"/triggers/{trigger['id']}"
        changed = await member.patch(url, json={"filter": None, "status": "disabled"})
        assert (changed.json()["filter"], changed.json()["status"]) == (None, "disabled")
        assert (await member.patch(url, json={"agent": "b"})).json()["agent"] == "b"
        assert (await member.delete(url)).status_code == 204
        assert (await member.get(url)).status_code == 404


async def test_members_see_payloads_only_through_their_own_runs(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        admin, member = w.clients["admin"], w.clients["member"]
        source = (await admin.post("/sources", json={**CUSTOM, "name": "s"})).json()
        event_url = None
        answer = await _send_signed(w, source["id"], source["secret"], {"private": 1})
        event_url = f"/events/{answer.json()['event_id']}"
        assert (await member.get(event_url)).json()["payload"] is None  # no trigger: no payload
        await trigger_service.create_trigger(
            w.runtime,
            w.actors["member"],
            source_id=source["id"],
            agent_id="a",
            include_payload=False,
        )
        await admin.post(f"{event_url}/replay")

        async def has_run() -> bool:
            return len((await member.get(event_url)).json()["runs"]) == 1

        await eventually(has_run)
        assert (await member.get(event_url)).json()["payload"] is None  # its run has none
        assert (await admin.get(event_url)).json()["payload"] == {"private": 1}


async def test_filter_check_test_and_dry_run(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        client = w.clients["member"]
        typo = await client.post(
            "/filters/check",
            json={
                "filter": '(eq "actoin" "opened")',
                "provider": "github",
                "event_type": "issues",
                "strict": True,  # an undeclared field in an open schema is only a warning
            },
        )
        assert typo.json()["valid"] is False
        assert typo.json()["problems"][0]["suggestion"] == "action"
        broken = (await client.post("/filters/check", json={"filter": "(eq"})).json()
        assert (broken["valid"], broken["error"]["line"]) == (False, 1)
        tested = await client.post(
            "/filters/test", json={"filter": "(gt n 2)", "payload": {"n": 1}}
        )
        assert tested.json()["matched"] is False
        assert "expected > 2" in tested.json()["reasons"][0]["message"]
        source = (await w.clients["admin"].post("/sources", json={**CUSTOM, "name": "s"})).json()
        for n in range(3):
            await _send_signed(w, source["id"], source["secret"], {"n": n})
        dry = await client.post(
            "/filters/dry-run", json={"filter": "(gte n 1)", "source_id": source["id"]}
        )
        assert (dry.json()["checked"], dry.json()["matched"]) == (3, 2)
        assert Contract().problems("POST", "/filters/dry-run", dry) == []


async def test_admin_actions_are_audited_without_secret_values(database_url: str) -> None:
    async with world(database_url) as w:
        admin = w.clients["admin"]
        source = (await admin.post("/sources", json={**CUSTOM, "name": "s"})).json()
        sid = source["id"]
        rotated = (await admin.post(f"/sources/{sid}/rotate-secret", json={"grace": 1})).json()
        await admin.patch(f"/sources/{sid}", json={"name": "renamed"})
        await admin.delete(f"/sources/{sid}")
        entries = (await admin.get("/audit", params={"target": sid})).json()["items"]
        assert [e["action"] for e in entries] == [
            "source.deleted",
            "source.updated",
            "source.secret_rotated",
            "source.created",
        ]
        assert {e["actor"] for e in entries} == {w.actors["admin"].user_id}
        assert {e["actor_name"] for e in entries} == {"ada"}
        everything = (await admin.get("/audit", params={"limit": 1000})).text
        for secret in (source["secret"], rotated["secret"], w.keys["admin"], w.keys["member"]):
            assert secret not in everything
        only_keys = (await admin.get("/audit", params={"action": "key"})).json()["items"]
        assert {e["action"] for e in only_keys} == {"key.created", "key.revoked"}


class CannedGenerator:
    """A filter generator that answers the same filter, whatever it is asked."""

    name = "canned"

    async def generate(self, request: FilterGenerationRequest) -> str:
        return "(gte n 1)"


class CannedPlugin:
    @hookimpl
    def filter_generator(self) -> CannedGenerator:
        return CannedGenerator()


async def test_generate_writes_checks_and_dry_runs_a_filter(sqlite_url: str) -> None:
    settings = settings_for(sqlite_url)
    plugins = PluginManager(settings.provider_selection)
    plugins.register(CannedPlugin(), name="canned")
    async with world(sqlite_url, plugins=plugins) as w:
        source = (await w.clients["admin"].post("/sources", json={**CUSTOM, "name": "s"})).json()
        for n in range(3):
            await _send_signed(w, source["id"], source["secret"], {"n": n})
        generated = await w.clients["member"].post(
            "/filters/generate",
            json={"description": "n at least one", "source_id": source["id"]},
        )
        other = await w.clients["other"].post(
            "/filters/generate", json={"description": "x", "source_id": source["id"]}
        )
    assert generated.status_code == 200, generated.text
    assert Contract().problems("POST", "/filters/generate", generated) == []
    result = generated.json()
    assert (result["filter"], result["generator"]) == ('(gte "n" 1)', "canned")
    assert (result["dry_run"]["checked"], result["dry_run"]["matched"]) == (3, 2)
    assert other.status_code == 404
