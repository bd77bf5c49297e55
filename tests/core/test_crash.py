"""Durability: a server killed with SIGKILL under load loses nothing it answered 202 for.

The server runs as a real ``hookgate serve`` subprocess; a verifying receiver in
this process plays the agent platform and counts deliveries by run id.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from hookgate import Runtime
from hookgate.services.common import default_actor
from hookgate.services.sources import create_source
from hookgate.services.triggers import create_trigger
from hookgate.store.models import Event, Run
from sqlalchemy import select

from tests.conftest import TEST_SECRET_KEY
from tests.server import free_port, ready, running_server
from tests.support import SINK_SECRET, Receiver, eventually, settings_for

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

HOOKGATE = str(Path(sys.executable).with_name("hookgate"))


def start_server(database_url: str, port: int, sink_url: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKGATE_")}
    env.update(
        HOOKGATE_DATABASE_URL=database_url,
        HOOKGATE_SECRET_KEY=TEST_SECRET_KEY,
        HOOKGATE_SINK="http",
        HOOKGATE_SINK_URL=sink_url,
        HOOKGATE_SINK_SECRET=SINK_SECRET,
        # Short leases so work the killed server held is taken over quickly.
        HOOKGATE_CLAIM_LEASE="1",
        HOOKGATE_SINK_TIMEOUT="2",
    )
    return subprocess.Popen(
        [HOOKGATE, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_healthy(base: str) -> None:
    await ready(base, path="/readyz")


async def send_until_killed(
    url: str,
    secret_header: dict[int, dict[str, str]],
    bodies: list[bytes],
    accepted: dict[int, str],
) -> None:
    async with httpx.AsyncClient(timeout=5) as client:

        async def one(i: int) -> None:
            try:
                answer = await client.post(url, content=bodies[i], headers=secret_header[i])
            except httpx.TransportError:
                return  # the server died mid-request: the sender would retry later
            if answer.status_code == 202:
                accepted[i] = answer.json()["event_id"]

        for start in range(0, len(bodies), 20):
            await asyncio.gather(*(one(i) for i in range(start, min(start + 20, len(bodies)))))


async def test_sigkill_under_load_loses_no_accepted_event(database_url: str) -> None:
    receiver = Receiver()
    settings = settings_for(database_url)
    async with Runtime(settings) as runtime:
        actor = await default_actor(runtime)
        source = await create_source(
            runtime,
            actor,
            provider="custom",
            name="crash",
            config={"signature_header": "X-Signature"},
        )
        await create_trigger(runtime, actor, source_id=source.id, agent_id="agent")
        record = await runtime.sources.load(source.id)
        assert record is not None
        hooks = runtime.plugins.provider("custom")
        bodies = [json.dumps({"i": i, "pad": "x" * 200}).encode() for i in range(400)]
        headers = {
            i: {
                "Content-Type": "application/json",
                **hooks.sign_payload(record.context(), body, datetime.now(UTC)),
            }
            for i, body in enumerate(bodies)
        }

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    accepted: dict[int, str] = {}
    async with running_server(receiver.app) as sink_base:
        server = start_server(database_url, port, f"{sink_base}/runs")
        try:
            await wait_healthy(base)
            sender = asyncio.create_task(
                send_until_killed(base + source.url, headers, bodies, accepted)
            )
            await asyncio.sleep(random.uniform(0.3, 1.2))
            server.send_signal(signal.SIGKILL)
            server.wait()
            await sender
        finally:
            server.kill()
        assert accepted, "the load did not reach the server before the kill"

        server = start_server(database_url, port, f"{sink_base}/runs")
        try:
            await wait_healthy(base)

            # Events stored whose answer the kill cut off are delivered too, so wait for
            # the accepted ones by event id, not for a count of deliveries.
            async def all_accepted_delivered() -> bool:
                delivered = {body["event_id"] for body in receiver.bodies.values()}
                return set(accepted.values()) <= delivered

            await eventually(all_accepted_delivered, timeout=60)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)

    async with Runtime(settings) as runtime, runtime.db.session() as session:
        stored = set(await session.scalars(select(Event.id)))
        runs = list(await session.execute(select(Run.id, Run.event_id)))
    assert set(accepted.values()) <= stored
    runs_per_event: dict[str, list[str]] = {}
    for run_id, event_id in runs:
        runs_per_event.setdefault(event_id, []).append(run_id)
    for event_id in accepted.values():
        (run_id,) = runs_per_event[event_id]
        assert receiver.deliveries[run_id] >= 1
    assert set(receiver.deliveries) <= {run_id for run_id, _ in runs}
