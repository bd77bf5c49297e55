"""Several workers on one PostgreSQL queue: every run is delivered, none twice."""

from __future__ import annotations

import asyncio

import pytest
from hookgate import Runtime
from hookgate.dispatch.worker import Worker
from hookgate.services.events import list_runs
from hookgate.services.triggers import create_trigger

from tests.server import running_server
from tests.support import SINK_SECRET, Receiver, eventually, serving, settings_for

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


async def test_two_workers_never_deliver_a_run_twice(postgres_url: str) -> None:
    receiver = Receiver()
    async with running_server(receiver.app) as sink_base:
        settings = settings_for(
            postgres_url, sink="http", sink_url=f"{sink_base}/runs", sink_secret=SINK_SECRET
        )
        async with serving(settings, worker=False) as served:
            source = await served.custom_source()
            await create_trigger(served.runtime, served.actor, source_id=source.id, agent_id="a")
            await create_trigger(served.runtime, served.actor, source_id=source.id, agent_id="b")
            # A full queue first, so both workers compete for the same rows.
            answers = await asyncio.gather(*(served.send(source, {"i": i}) for i in range(150)))
            assert all(a.status_code == 202 for a in answers)
            workers = []
            for _ in range(2):
                runtime = Runtime(settings)
                await runtime.start()
                workers.append((runtime, Worker(runtime, batch=10)))
            await asyncio.gather(*(worker.start() for _, worker in workers))
            try:
                await receiver.wait_for(300, timeout=60)

                async def recorded() -> bool:
                    runs = await list_runs(
                        served.runtime, served.actor, status="delivered", limit=1000
                    )
                    return len(runs) == 300

                await eventually(recorded)
                processed = [w.events.processed for _, w in workers]
            finally:
                for runtime, worker in workers:
                    await worker.stop()
                    await runtime.stop()
            runs = await list_runs(served.runtime, served.actor, limit=1000)
    assert len(runs) == 300
    assert all(r.status == "delivered" for r in runs)
    assert set(receiver.deliveries.values()) == {1}, "a run was delivered twice"
    assert all(count > 0 for count in processed), f"one worker did all the work: {processed}"
