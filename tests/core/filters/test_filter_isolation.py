"""A member's expensive filter requests do not hold up another workspace's ingest (issue 14).

End to end: a real ``hookgate serve`` process on SQLite; one client streams
signed deliveries to a source of workspace globex and times each, while a
member of workspace acme sends the filter requests that used to stall the
server for seconds. Request bodies are encoded before the clock starts, so the
test process only waits on sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
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

from tests.conftest import TEST_SECRET_KEY
from tests.server import free_port
from tests.support import settings_for

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

HOOKGATE = str(Path(sys.executable).with_name("hookgate"))
CUSTOM = {
    "provider": "custom",
    "config": {"signature_header": "X-Signature", "algorithm": "sha256"},
}
# The member reproducers: 2,000 values over 10,000 items (13.5 s of event loop before)
# and a path of 16,000 wildcards (16.7 s). COSTLY is at the size budget and every leaf
# scans its array item by item (false == 0 to Python, not to the language): seconds
# unbounded, so it must end with filter_too_expensive.
WIDE = '(has-any "a" (' + " ".join(f'"v{i}"' for i in range(2000)) + "))"
WILDCARDS = '(has "a' + ".*" * 16_000 + '" 1)'
COSTLY = "(and " + " ".join('(has "a" 0)' for _ in range(200)) + ")"


@contextlib.contextmanager
def hookgate_serve(database: str, port: int, logs: Path) -> Iterator[str]:
    env = {
        **os.environ,
        "HOOKGATE_DATABASE_URL": database,
        "HOOKGATE_SECRET_KEY": TEST_SECRET_KEY,
        "HOOKGATE_PORT": str(port),
    }
    with logs.open("w") as out:
        process = subprocess.Popen([HOOKGATE, "serve"], env=env, stdout=out, stderr=out)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=20)


async def _ready(base: str) -> None:
    deadline = time.monotonic() + 60  # a loaded machine starts a process slowly
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(f"{base}/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    raise AssertionError("hookgate serve did not start")


async def _keys(database: str) -> dict[str, str]:
    """A member key of workspace acme and an admin key of workspace globex."""
    async with Runtime(settings_for(database)) as runtime:
        made: dict[str, str] = {}
        for workspace, name, role in (("acme", "max", "member"), ("globex", "gus", "admin")):
            user = await identity.create_user(runtime, workspace=workspace, name=name, role=role)
            operator = Actor.operator(user.workspace_id)
            made[workspace] = str((await identity.create_key(runtime, operator, user.id)).key)
        return made


def _signer(source: dict[str, Any]) -> Any:
    context = SourceContext(
        id=source["id"],
        provider="custom",
        name=source["name"],
        url=source["url"],
        secrets=(source["secret"],),
        config=source["config"],
    )
    hooks = PluginManager().provider("custom")

    def signed(body: bytes) -> dict[str, str]:
        headers = hooks.sign_payload(context, body, datetime.now(UTC))
        return {**headers, "Content-Type": "application/json"}

    return signed


def _requests() -> list[tuple[str, bytes]]:
    items = {"a": [f"w{i}" for i in range(10_000)]}
    costly = {"a": [False] * 50_000 + [0]}
    bodies = [
        ("/filters/test", {"filter": WIDE, "payload": items}),
        ("/filters/check", {"filter": WILDCARDS}),
        ("/filters/test", {"filter": COSTLY, "payload": costly}),
    ]
    return [(path, json.dumps(body).encode()) for path, body in bodies] * 3


def _deliveries(source: dict[str, Any], tag: str) -> list[tuple[bytes, dict[str, str]]]:
    signed = _signer(source)
    bodies = [json.dumps({"stream": tag, "n": n}).encode() for n in range(2000)]  # unique
    return [(body, signed(body)) for body in bodies]


async def _stream(
    base: str,
    url: str,
    deliveries: list[tuple[bytes, dict[str, str]]],
    done: asyncio.Event,
) -> list[float]:
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base) as client:
        for body, headers in deliveries:
            if done.is_set():
                break
            started = time.perf_counter()
            answer = await client.post(url, content=body, headers=headers)
            latencies.append(time.perf_counter() - started)
            assert answer.status_code == 202, answer.text
            await asyncio.sleep(0.005)
    return latencies


async def test_expensive_filter_requests_do_not_hold_up_another_workspaces_ingest(
    tmp_path: Path,
) -> None:
    database = f"sqlite:///{tmp_path / 'hookgate.db'}"
    keys = await _keys(database)
    with hookgate_serve(database, free_port(), tmp_path / "serve.log") as base:
        await _ready(base)
        globex = httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {keys['globex']}"}
        )
        member = httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {keys['acme']}"}, timeout=60
        )
        async with globex, member:
            made = await globex.post("/api/v1/sources", json={**CUSTOM, "name": "s"})
            source = made.json()
            bodies = _requests()
            warm = {"Content-Type": "application/json"}  # the first call starts the filter threads
            await member.post(f"/api/v1{bodies[0][0]}", content=bodies[0][1], headers=warm)
            done = asyncio.Event()
            url, during = source["url"], _deliveries(source, "during")
            baseline = await _stream(base, url, _deliveries(source, "before"), _after(done, 1.0))
            done = asyncio.Event()
            stream = asyncio.create_task(_stream(base, url, during, done))
            answers = []
            for path, body in bodies:
                started = time.perf_counter()
                answer = await member.post(
                    f"/api/v1{path}",
                    content=body,
                    headers={"Content-Type": "application/json"},
                )
                answers.append((answer.status_code, time.perf_counter() - started))
            done.set()
            latencies = await stream
    statuses = [status for status, _ in answers]
    assert statuses == [200, 200, 422] * 3, answers  # COSTLY ran out of its budget
    served = _server_times(tmp_path / "serve.log")
    quick = [ms for path, status, ms in served if status == 200]
    assert len(quick) == 7, served  # the warm-up, then WIDE and WILDCARDS three times each
    # Server time, as the issue measured it: under 50 ms on an idle machine; the bound
    # leaves room for a loaded one (before: 13.5 s and 16.7 s).
    assert max(quick[1:]) < 250, served
    assert len(latencies) >= 20
    slow = sorted(latencies)[-5:]
    report = (
        f"baseline median {statistics.median(baseline) * 1000:.1f} ms, during: median "
        f"{statistics.median(latencies) * 1000:.1f} ms, slowest "
        f"{[round(x * 1000) for x in slow]} ms; "
        f"filter requests {[(s, round(t * 1000)) for s, t in answers]}"
    )
    print(report)
    # Before, one such request held every delivery for seconds. What the filter work may
    # add to another tenant's deliveries is bounded by 50 ms at the 90th percentile
    # (a loaded 2-core machine adds noise of its own, measured by the baseline).
    assert _p90(latencies) < _p90(baseline) + 0.05, report
    assert max(latencies) < 0.5, report


def _p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def _server_times(log: Path) -> list[tuple[str, int, float]]:
    """(path, status, server milliseconds) of each filter request, from the request log."""
    found = []
    for line in log.read_text().splitlines():
        entry = json.loads(line) if line.startswith("{") else {}
        if "/filters/" in str(entry.get("path", "")):
            found.append((entry["path"], entry["status"], entry["duration_ms"]))
    return found


def _after(event: asyncio.Event, seconds: float) -> asyncio.Event:
    asyncio.get_running_loop().call_later(seconds, event.set)
    return event
