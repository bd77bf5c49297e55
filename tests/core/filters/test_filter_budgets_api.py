"""The filter endpoints on a real server: time budgets, what members may read (issues 13, 14)."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from hookgate.services import triggers as trigger_service

from tests.core.api.support import Contract, World, world
from tests.support import eventually

pytestmark = pytest.mark.anyio

CUSTOM = {
    "provider": "custom",
    "config": {"signature_header": "X-Signature", "algorithm": "sha256"},
}
WIDE = '(has-any "a" (' + " ".join(f'"v{i}"' for i in range(2000)) + "))"
# Every leaf scans the whole array, and there are as many leaves as the budget allows.
COSTLY = "(or " + " ".join(f'(has "a" {i + 1})' for i in range(200)) + ")"
HUGE = {"a": [0] * 300_000}


async def _send(w: World, source: dict[str, Any], payload: Any) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = await w.served.signed_headers(source["id"], body)
    return await w.served.client.post(source["url"], content=body, headers=headers)


async def test_the_member_reproducers_answer_at_once(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        member = w.clients["member"]
        tested = await member.post(
            "/filters/test",
            json={"filter": WIDE, "payload": {"a": [f"w{i}" for i in range(10_000)]}},
        )
        assert tested.status_code == 200
        assert tested.json()["matched"] is False
        wildcards = '(has "a' + ".*" * 16_000 + '" 1)'
        checked = (await member.post("/filters/check", json={"filter": wildcards})).json()
        assert checked["valid"] is False
        assert "the limit is 4 per path" in checked["error"]["message"]


async def test_work_over_the_budget_answers_filter_too_expensive(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        started = time.perf_counter()
        answer = await w.clients["member"].post(
            "/filters/test", json={"filter": COSTLY, "payload": HUGE}
        )
        took = time.perf_counter() - started
        assert answer.status_code == 422
        error = answer.json()["error"]
        assert error["code"] == "filter_too_expensive"
        assert "budget of 250 ms" in error["message"]
        assert took < 5  # unbounded, this filter takes tens of seconds
        assert Contract().problems("POST", "/filters/test", answer) == []


async def test_members_read_conditions_not_payload_values(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        admin = w.clients["admin"]
        source = (await admin.post("/sources", json={**CUSTOM, "name": "s"})).json()
        for actor in ("member", "admin"):
            await trigger_service.create_trigger(
                w.runtime,
                w.actors[actor],
                source_id=source["id"],
                agent_id="a",
                filter="(gt secret_number 99999999)",
                include_payload=False,
            )
        sent = await _send(w, source, {"secret_number": 31337})
        event_url = f"/events/{sent.json()['event_id']}"
        seen = {who: (await w.clients[who].get(event_url)).json() for who in ("member", "admin")}
        (mine,) = seen["member"]["outcomes"]
        assert mine["matched"] is False
        assert "31337" not in mine["explain"]
        assert '(gt "secret_number" 99999999) is false' in mine["explain"]
        assert "31337" in seen["admin"]["outcomes"][0]["explain"]
        dry = {
            who: (
                await w.clients[who].post(
                    "/filters/dry-run",
                    json={"filter": "(eq secret_number 1)", "source_id": source["id"]},
                )
            ).json()
            for who in ("member", "admin")
        }
        assert "31337" not in json.dumps(dry["member"])
        assert dry["member"]["non_matches"][0]["reasons"] == [
            'line 1, column 1: (eq "secret_number" 1) is false'
        ]
        assert "31337" in json.dumps(dry["admin"]["non_matches"])


async def test_a_member_reads_values_through_a_run_that_carries_the_payload(
    sqlite_url: str,
) -> None:
    async with world(sqlite_url) as w:
        admin, member = w.clients["admin"], w.clients["member"]
        source = (await admin.post("/sources", json={**CUSTOM, "name": "s"})).json()
        await trigger_service.create_trigger(
            w.runtime,
            w.actors["member"],
            source_id=source["id"],
            agent_id="a",
            filter='(and (gt n 1) (eq "kind" "x"))',
        )
        sent = await _send(w, source, {"n": 31337, "kind": "x"})
        event_url = f"/events/{sent.json()['event_id']}"

        async def has_run() -> bool:
            return len((await member.get(event_url)).json()["runs"]) == 1

        await eventually(has_run)
        seen = (await member.get(event_url)).json()
        assert seen["payload"] == {"n": 31337, "kind": "x"}
        assert "31337" in seen["outcomes"][0]["explain"]
