"""The ASGI app on a real uvicorn server on loopback."""

from __future__ import annotations

import httpx
import pytest
from hookgate import Runtime, create_app
from hookgate.config import load_settings

from tests.server import running_server


@pytest.mark.anyio
async def test_healthz_on_a_real_server() -> None:
    app = create_app(Runtime(load_settings(providers="custom,github")))
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "providers": ["custom", "github"]}
