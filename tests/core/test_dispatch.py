"""Dispatch end to end: signed events in, runs delivered to a real HTTP receiver that
verifies the Standard Webhooks signature; filters, limits, retries, replay."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hookgate.config import Settings
from hookgate.services.events import get_event, list_events, list_runs, replay_event, replay_run
from hookgate.services.triggers import create_trigger, get_trigger
from hookgate.store.models import Trigger
from sqlalchemy import update

from tests.server import running_server
from tests.support import SINK_SECRET, Receiver, Served, eventually, serving, settings_for

pytestmark = pytest.mark.anyio


@contextlib.asynccontextmanager
async def pipeline(
    database_url: str, receiver: Receiver | None = None, **overrides: Any
) -> AsyncIterator[tuple[Served, Receiver]]:
    """hookgate with an in-process worker, delivering to a verifying receiver."""
    receiver = receiver or Receiver()
    async with running_server(receiver.app) as sink_base:
        settings: Settings = settings_for(
            database_url,
            sink="http",
            sink_url=f"{sink_base}/runs",
            sink_secret=SINK_SECRET,
            **overrides,
        )
        async with serving(settings) as served:
            yield served, receiver


async def test_matching_events_become_runs_delivered_once(database_url: str) -> None:
    async with pipeline(database_url) as (served, receiver):
        source = await served.custom_source()
        opened = await create_trigger(
            served.runtime,
            served.actor,
            source_id=source.id,
            agent_id="triage",
            filter='(eq "action" "opened")',
        )
        everything = await create_trigger(
            served.runtime,
            served.actor,
            source_id=source.id,
            agent_id="audit",
            include_payload=False,
        )
        await served.send(source, {"action": "opened", "number": 7})
        await served.send(source, {"action": "closed", "number": 8})
        await receiver.wait_for(3)

        bodies = list(receiver.bodies.values())
        triage = [b for b in bodies if b["trigger_id"] == opened.id]
        assert [b["payload"] for b in triage] == [{"action": "opened", "number": 7}]
        assert triage[0]["agent_id"] == "triage"
        audit = [b for b in bodies if b["trigger_id"] == everything.id]
        assert len(audit) == 2
        assert all(b["payload"] is None for b in audit)  # include_payload=False

        async def all_delivered() -> bool:
            runs = await list_runs(served.runtime, served.actor)
            return len(runs) == 3 and all(r.status == "delivered" for r in runs)

        await eventually(all_delivered)
        runs = await list_runs(served.runtime, served.actor)
        assert {r.conversation_id for r in runs} == {f"conv-{r.id}" for r in runs}
        assert set(receiver.deliveries.values()) == {1}
        assert receiver.rejected == 0


async def test_redelivered_events_make_no_duplicate_runs(database_url: str) -> None:
    async with pipeline(database_url) as (served, receiver):
        source = await served.custom_source()
        await create_trigger(served.runtime, served.actor, source_id=source.id, agent_id="a")
        for i in range(5):
            await served.send(source, {"i": i})
            await served.send(source, {"i": i})
        await receiver.wait_for(5)
        await eventually(lambda: _runs_count(served, 5))
        assert set(receiver.deliveries.values()) == {1}


async def _runs_count(served: Served, expected: int) -> bool:
    runs = await list_runs(served.runtime, served.actor)
    return len(runs) == expected and all(r.status == "delivered" for r in runs)


async def test_event_type_and_explain_are_visible_per_trigger(sqlite_url: str) -> None:
    async with pipeline(sqlite_url) as (served, _):
        source = await served.custom_source()
        big = await create_trigger(
            served.runtime,
            served.actor,
            source_id=source.id,
            agent_id="big",
            filter='(gt "changed_files" 20)',
        )
        answer = await served.send(source, {"changed_files": 3})
        event_id = answer.json()["event_id"]

        async def dispatched() -> bool:
            return (await get_event(served.runtime, served.actor, event_id)).status == "done"

        await eventually(dispatched)
        event = await get_event(served.runtime, served.actor, event_id)
        (outcome,) = event.outcomes
        assert outcome["trigger_id"] == big.id
        assert outcome["matched"] is False
        assert '"changed_files" is 3' in outcome["explain"]
        assert event.runs == []


async def test_failing_sink_is_retried_then_the_run_is_dead(sqlite_url: str) -> None:
    receiver = Receiver(fail_first=1)
    async with pipeline(sqlite_url, receiver, max_attempts=3, retry_initial_wait=0.2) as (
        served,
        _,
    ):
        source = await served.custom_source()
        await create_trigger(served.runtime, served.actor, source_id=source.id, agent_id="a")
        await served.send(source, {"n": 1})
        await receiver.wait_for(1)  # first attempt got 503, the retry went through
        await eventually(lambda: _runs_count(served, 1))
        (run,) = await list_runs(served.runtime, served.actor)
        assert run.attempts == 2

    refusing = Receiver(status=400)  # a permanent refusal: dead at once, not retried
    async with pipeline(sqlite_url.replace(".db", "2.db"), refusing) as (served, _):
        source = await served.custom_source()
        await create_trigger(served.runtime, served.actor, source_id=source.id, agent_id="a")
        await served.send(source, {"n": 1})

        async def dead() -> bool:
            runs = await list_runs(served.runtime, served.actor, status="dead")
            return len(runs) == 1

        await eventually(dead)
        (run,) = await list_runs(served.runtime, served.actor)
        assert run.attempts == 1
        assert "400" in (run.last_error or "")


async def test_rate_limited_runs_are_kept_and_can_be_replayed(sqlite_url: str) -> None:
    async with pipeline(sqlite_url) as (served, receiver):
        source = await served.custom_source()
        trigger = await create_trigger(
            served.runtime, served.actor, source_id=source.id, agent_id="a", runs_per_day=2
        )
        for i in range(4):
            await served.send(source, {"i": i})

        async def settled() -> bool:
            runs = await list_runs(served.runtime, served.actor, trigger_id=trigger.id)
            statuses = sorted(r.status for r in runs)
            return statuses == ["delivered", "delivered", "rate_limited", "rate_limited"]

        await eventually(settled)
        limited = await list_runs(served.runtime, served.actor, status="rate_limited")
        assert "2 runs per 24 hours" in (limited[0].last_error or "")
        await replay_run(served.runtime, served.actor, limited[0].id)
        await receiver.wait_for(3)


async def test_event_replay_matches_todays_triggers(sqlite_url: str) -> None:
    async with pipeline(sqlite_url) as (served, receiver):
        source = await served.custom_source()
        answer = await served.send(source, {"action": "opened"})
        event_id = answer.json()["event_id"]

        async def done() -> bool:
            return (await get_event(served.runtime, served.actor, event_id)).status == "done"

        await eventually(done)
        assert receiver.deliveries == {}
        await create_trigger(
            served.runtime,
            served.actor,
            source_id=source.id,
            agent_id="late",
            filter='(eq "action" "opened")',
        )
        await replay_event(served.runtime, served.actor, event_id)
        await receiver.wait_for(1)


async def test_a_filter_that_no_longer_compiles_marks_the_trigger_not_the_worker(
    sqlite_url: str,
) -> None:
    async with pipeline(sqlite_url) as (served, receiver):
        source = await served.custom_source()
        broken = await create_trigger(
            served.runtime,
            served.actor,
            source_id=source.id,
            agent_id="broken",
            filter='(eq "a" 1)',
        )
        healthy = await create_trigger(
            served.runtime, served.actor, source_id=source.id, agent_id="healthy"
        )
        async with served.runtime.db.session() as session, session.begin():
            await session.execute(
                update(Trigger).where(Trigger.id == broken.id).values(filter='(eq "a" 1')
            )
        await served.send(source, {"a": 1})
        await receiver.wait_for(1)
        assert next(iter(receiver.bodies.values()))["trigger_id"] == healthy.id
        view = await get_trigger(served.runtime, served.actor, broken.id)
        assert view.status == "invalid_filter"
        assert "line 1" in (view.status_reason or "")


async def test_unsubscribed_event_types_are_recorded_not_dispatched(sqlite_url: str) -> None:
    async with pipeline(sqlite_url) as (served, receiver):
        source = await served.custom_source(events=["order.paid"])
        await create_trigger(served.runtime, served.actor, source_id=source.id, agent_id="a")
        await served.send(source, {"n": 1})  # event type "webhook": not subscribed

        async def recorded() -> bool:
            events = await list_events(served.runtime, served.actor)
            return [e.status for e in events] == ["unsubscribed"]

        await eventually(recorded)
        assert receiver.deliveries == {}
