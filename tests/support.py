"""Helpers shared by runtime tests: settings on a test database, a verifying sink receiver."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from hookgate import Runtime, create_app
from hookgate.config import Settings, load_settings
from hookgate.services.common import Actor, default_actor
from hookgate.services.sources import SourceView, create_source
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.conftest import TEST_SECRET_KEY
from tests.server import running_server

SINK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def settings_for(database_url: str, **overrides: Any) -> Settings:
    """Settings for a test runtime on ``database_url`` with a fixed encryption key."""
    values: dict[str, Any] = {
        "database_url": database_url,
        "secret_key": TEST_SECRET_KEY,
        "providers": "",
    }
    values.update(overrides)
    return load_settings(**values)


class Receiver:
    """An agent platform stand-in: verifies Standard Webhooks signatures, counts run ids."""

    def __init__(self, secret: str = SINK_SECRET, fail_first: int = 0, status: int = 200) -> None:
        self.webhook = Webhook(secret)
        self.deliveries: Counter[str] = Counter()
        self.bodies: dict[str, dict[str, Any]] = {}
        self.rejected = 0
        self.fail_first = fail_first
        self.status = status
        self.arrived = asyncio.Event()
        self.app = Starlette(routes=[Route("/runs", self.receive, methods=["POST"])])

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        try:
            run = self.webhook.verify(body, dict(request.headers))
        except Exception:
            self.rejected += 1
            return JSONResponse({"error": "bad signature"}, 401)
        if self.fail_first > 0:
            self.fail_first -= 1
            return JSONResponse({"error": "try later"}, 503)
        if self.status != 200:
            return JSONResponse({"error": "refused"}, self.status)
        self.deliveries[run["run_id"]] += 1
        self.bodies[run["run_id"]] = run
        self.arrived.set()
        return JSONResponse({"conversation_id": f"conv-{run['run_id']}"})

    async def wait_for(self, count: int, timeout: float = 15.0) -> None:
        async def enough() -> None:
            while len(self.deliveries) < count:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(enough(), timeout)


async def custom_source(
    runtime: Runtime, name: str = "acme", *, actor: Actor | None = None, **options: Any
) -> SourceView:
    """A custom source signing with HMAC-SHA256 in ``X-Signature``, made by ``actor``
    (the default admin when omitted)."""
    config = {"signature_header": "X-Signature", "algorithm": "sha256"}
    return await create_source(
        runtime,
        actor or await default_actor(runtime),
        provider="custom",
        name=name,
        config=config,
        **options,
    )


@dataclass
class Served:
    """A hookgate server on loopback with its runtime, an HTTP client and the admin actor."""

    runtime: Runtime
    base_url: str
    client: httpx.AsyncClient
    actor: Actor

    async def custom_source(self, name: str = "acme", **options: Any) -> SourceView:
        return await custom_source(self.runtime, name, actor=self.actor, **options)

    async def signed_headers(self, source_id: str, body: bytes) -> dict[str, str]:
        record = await self.runtime.sources.load(source_id)
        assert record is not None
        hooks = self.runtime.plugins.provider(record.provider)
        headers = hooks.sign_payload(record.context(), body, datetime.now(UTC))
        return {"Content-Type": "application/json", **headers}

    async def send(self, source: SourceView, payload: Any, **headers: str) -> httpx.Response:
        body = json.dumps(payload).encode()
        signed = await self.signed_headers(source.id, body)
        return await self.client.post(source.url, content=body, headers={**signed, **headers})


@contextlib.asynccontextmanager
async def serving(settings: Settings, *, worker: bool = True) -> AsyncIterator[Served]:
    """Run hookgate (ingest, and dispatch unless ``worker=False``) on a loopback port."""
    runtime = Runtime(settings)
    app = create_app(runtime, worker=worker)
    async with running_server(app) as base_url, httpx.AsyncClient(base_url=base_url) as client:
        yield Served(runtime, base_url, client, await default_actor(runtime))


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15.0) -> None:
    """Wait until ``check()`` is true; fail with a clear message after ``timeout``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not reached within {timeout} s")
        await asyncio.sleep(0.05)
