"""The ASGI app on a real uvicorn server on loopback: health, readiness, metrics."""

from __future__ import annotations

import httpx
import pytest
from hookgate import Runtime, create_app

from tests.server import running_server
from tests.support import settings_for


@pytest.mark.anyio
async def test_health_readiness_and_metrics_on_a_real_server(database_url: str) -> None:
    app = create_app(Runtime(settings_for(database_url, providers="custom,github")))
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        health = await client.get("/healthz")
        ready = await client.get("/readyz")
        metrics = await client.get("/metrics")
    assert health.json() == {"status": "ok", "providers": ["custom", "github"]}
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}
    assert "hookgate_queue_depth" in metrics.text
