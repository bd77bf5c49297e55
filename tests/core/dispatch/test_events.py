"""Dispatch isolates events: a poison event gets a final status with the reason and the
rest of its claimed batch (other tenants' events included) commits."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from hookgate.dispatch.events import EventDispatcher
from hookgate.dispatch.queue import claim_events
from hookgate.services.common import ensure_user
from hookgate.services.source_schemas import attach_schema
from hookgate.services.triggers import create_trigger
from hookgate.store.models import Event
from sqlalchemy import select, update

from tests.support import Served, custom_source, serving, settings_for

pytestmark = pytest.mark.anyio

# Each array level matches both branches, each of which recurses: 2^depth checks.
RECURSIVE = {
    "$defs": {
        "node": {
            "anyOf": [
                {"type": "array", "items": {"$ref": "#/$defs/node"}, "minItems": 2},
                {"type": "array", "items": {"$ref": "#/$defs/node"}},
            ]
        }
    },
    "type": "object",
    "properties": {"tree": {"$ref": "#/$defs/node"}},
}


def nested(depth: int) -> list[Any]:
    root: list[Any] = []
    level = root
    for _ in range(depth):
        child: list[Any] = []
        level.append(child)
        level = child
    return root


async def statuses(served: Served, ids: list[str]) -> dict[str, tuple[str, str | None]]:
    async with served.runtime.db.session() as session:
        rows = await session.execute(
            select(Event.id, Event.status, Event.detail).where(Event.id.in_(ids))
        )
        return {row[0]: (row[1], row[2]) for row in rows}


async def other_tenant(served: Served) -> Any:
    async with served.runtime.db.session() as session, session.begin():
        return await ensure_user(session, "other", "olga", "admin")


@pytest.mark.parametrize("policy", ["enforce", "record"])
async def test_a_costly_schema_is_bounded_and_follows_the_policy(
    database_url: str, policy: str
) -> None:
    async with serving(settings_for(database_url), worker=False) as served:
        poisoned = await served.custom_source("poisoned", schema_policy=policy)
        await attach_schema(served.runtime, served.actor, poisoned.id, "webhook", RECURSIVE)
        olga = await other_tenant(served)
        healthy = await custom_source(served.runtime, "healthy", actor=olga)
        await create_trigger(served.runtime, olga, source_id=healthy.id, agent_id="a")
        await create_trigger(served.runtime, served.actor, source_id=poisoned.id, agent_id="b")
        ids = []
        for n in range(3):
            ids.append((await served.send(healthy, {"n": n})).json())
        bad = await served.send(poisoned, {"tree": nested(40)})
        ids.append(bad.json())
        ids.append((await served.send(healthy, {"n": 3})).json())
        event_ids = [i["event_id"] for i in ids]

        events = await claim_events(served.runtime.db, 100, timedelta(seconds=30))
        assert {e.id for e in events} == set(event_ids)  # one batch
        started = time.monotonic()
        created = await EventDispatcher(served.runtime).dispatch_all(events)
        assert time.monotonic() - started < 20  # 2^40 checks unbounded

        found = await statuses(served, event_ids)
        status, detail = found[bad.json()["event_id"]]
        assert "validation stopped" in (detail or "")
        if policy == "enforce":
            assert status == "schema_invalid"
            assert created == 4  # the healthy source's four runs
        else:
            assert status == "done"
            assert created == 5  # the poisoned event still ran its trigger
        others = [found[i] for i in event_ids if i != bad.json()["event_id"]]
        assert all(s == "done" for s, _ in others)


async def test_an_event_that_breaks_dispatch_is_failed_and_its_batch_commits(
    database_url: str,
) -> None:
    async with serving(settings_for(database_url), worker=False) as served:
        olga = await other_tenant(served)
        healthy = await custom_source(served.runtime, "healthy", actor=olga)
        await create_trigger(served.runtime, olga, source_id=healthy.id, agent_id="a")
        poisoned = await served.custom_source("poisoned")
        first = (await served.send(healthy, {"n": 1})).json()["event_id"]
        bad = (await served.send(poisoned, {"n": 2})).json()["event_id"]
        last = (await served.send(healthy, {"n": 3})).json()["event_id"]
        # A body stored before ingest bounded nesting: parsing it exhausts the stack.
        deep = b"[" * 200_000 + b"]" * 200_000
        async with served.runtime.db.session() as session, session.begin():
            await session.execute(update(Event).where(Event.id == bad).values(body=deep))

        events = await claim_events(served.runtime.db, 100, timedelta(seconds=30))
        assert len(events) == 3
        created = await EventDispatcher(served.runtime).dispatch_all(events)

        found = await statuses(served, [first, bad, last])
        assert created == 2
        assert found[first][0] == found[last][0] == "done"
        status, detail = found[bad]
        assert status in {"failed", "malformed"}  # never left "processing"
        assert detail
        if status == "failed":
            assert detail.startswith("dispatch failed: RecursionError")
        # Nothing is left for a later lease to fail on again.
        assert await claim_events(served.runtime.db, 100, timedelta(seconds=0)) == []
