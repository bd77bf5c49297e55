"""The apps of docs/embedding.md, each run by a real uvicorn server in a subprocess:
mounted under ``/hookgate``, they take a signed webhook and their in-process sink gets the run."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET_KEY
from tests.server import free_port

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture(params=["starlette_app", "fastapi_app"])
def host(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The example app served by uvicorn on loopback; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKGATE_")}
    env.update(
        HOOKGATE_DATABASE_URL=f"sqlite:///{tmp_path / 'hookgate.db'}",
        HOOKGATE_SECRET_KEY=TEST_SECRET_KEY,
    )
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(EXAMPLES)]
    command += [f"{request.param}:app", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, cwd=tmp_path, stderr=subprocess.PIPE)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=20)
        # uvicorn shuts down cleanly, then re-raises the SIGTERM it caught.
        assert server.returncode in (0, -signal.SIGTERM), stderr.decode()


async def ready(client: httpx.AsyncClient) -> None:
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        try:
            if (await client.get("/hookgate/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert asyncio.get_running_loop().time() < deadline, "the example never became ready"
        await asyncio.sleep(0.05)


async def test_a_signed_webhook_reaches_the_hosts_in_process_sink(host: str) -> None:
    session = {"X-Session": "session-alice"}  # the host's own auth, via the authenticate hook
    async with httpx.AsyncClient(base_url=host, timeout=10) as client:
        await ready(client)
        created = await client.post(
            "/hookgate/api/v1/sources",
            headers=session,
            json={
                "provider": "custom",
                "name": "shop",
                "config": {"signature_header": "X-Signature", "algorithm": "sha256"},
            },
        )
        assert created.status_code == 201, created.text
        source = created.json()
        # The URL hookgate shows carries the mount prefix (learned from the ASGI root_path).
        assert source["url"].startswith(f"/hookgate/hooks/{source['id']}/")
        trigger = await client.post(
            "/hookgate/api/v1/triggers",
            headers=session,
            json={"source_id": source["id"], "agent": "triage", "filter": '(eq "action" "opened")'},
        )
        assert trigger.status_code == 201, trigger.text

        body = json.dumps({"action": "opened", "number": 7}).encode()
        signature = hmac.new(source["secret"].encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Signature": f"sha256={signature}"}
        answer = await client.post(source["url"], content=body, headers=headers)
        assert answer.status_code == 202, answer.text

        deadline = asyncio.get_running_loop().time() + 20
        while not (runs := (await client.get("/agent-runs")).json()):
            assert asyncio.get_running_loop().time() < deadline, "no run reached the sink"
            await asyncio.sleep(0.05)
        assert runs[0]["agent"] == "triage"
        assert runs[0]["payload"] == {"action": "opened", "number": 7}

        refused = await client.get("/hookgate/api/v1/sources", headers={"X-Session": "forged"})
        assert refused.status_code == 401
        assert "sign in again" in refused.text
