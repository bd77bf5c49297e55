"""hookgate inside another application: the lifespan helpers, the never-started answer,
mount prefixes in source URLs and `sources sign`, in-process plugins, the metrics listener."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from hookgate import (
    Delivery,
    DeliveryResult,
    ProviderContractError,
    Runtime,
    create_app,
    hookimpl,
    lifespan,
    running,
)
from hookgate.cli import main
from hookgate.services.common import default_actor
from hookgate.services.triggers import create_trigger
from starlette.applications import Starlette
from starlette.routing import Mount

from tests.conftest import TEST_SECRET_KEY
from tests.server import free_port, running_server
from tests.support import Served, custom_source, eventually, settings_for

pytestmark = pytest.mark.anyio


class Collect:
    name = "collect"

    def __init__(self) -> None:
        self.runs: list[Delivery] = []

    async def deliver(self, delivery: Delivery) -> DeliveryResult:
        self.runs.append(delivery)
        return DeliveryResult(conversation_id="c")


async def test_a_mount_whose_lifespan_never_ran_says_why_and_how_to_fix_it(
    sqlite_url: str,
) -> None:
    runtime = Runtime(settings_for(sqlite_url, providers="custom"))
    host = Starlette(routes=[Mount("/hookgate", app=create_app(runtime))])  # no lifespan
    async with running_server(host) as base, httpx.AsyncClient(base_url=base) as client:
        answer = await client.post("/hookgate/hooks/src_x/secret", content=b"{}")
        assert answer.status_code == 503
        assert answer.json()["error"] == "not_started"
        assert "hookgate.lifespan" in answer.json()["detail"]
        ready = await client.get("/hookgate/readyz")
        assert ready.status_code == 503
        assert ready.json()["status"] == "not_started"
        assert (await client.get("/hookgate/healthz")).status_code == 200
        assert (await client.get("/hookgate/api/v1/sources")).status_code == 503
    assert not await asyncio.to_thread(os.path.exists, sqlite_url.removeprefix("sqlite:///"))


async def test_lifespan_runs_the_hosts_own_inside_hookgates(sqlite_url: str) -> None:
    sink = Collect()
    runtime = Runtime(settings_for(sqlite_url, providers="custom", sink="collect"), register=[sink])
    hook = create_app(runtime)
    seen: list[bool] = []

    @contextlib.asynccontextmanager
    async def own(app: Starlette) -> AsyncIterator[None]:
        seen.append(runtime.started)  # hookgate's runtime is up before the host's code runs
        yield

    host = Starlette(routes=[Mount("/hg", app=hook)], lifespan=lifespan(hook, then=own))
    async with running_server(host) as base, httpx.AsyncClient(base_url=base) as client:
        assert seen == [True]
        assert (await client.get("/hg/readyz")).json() == {"status": "ready"}
        source = await custom_source(runtime)
        assert source.url is not None
        assert source.url.startswith("/hg/hooks/")
        served = Served(runtime, base, client, await default_actor(runtime))
        await create_trigger(runtime, served.actor, source_id=source.id, agent_id="a")
        answer = await served.send(source, {"action": "opened"})
        assert answer.status_code == 202, answer.text

        async def delivered() -> bool:
            return bool(sink.runs)

        await eventually(delivered)
    assert not runtime.started


async def test_running_is_an_async_context_for_the_hosts_lifespan(sqlite_url: str) -> None:
    runtime = Runtime(settings_for(sqlite_url, providers="custom"))
    hook = create_app(runtime, worker=False)
    async with running(hook):
        assert runtime.started
    assert not runtime.started


def test_source_urls_take_the_public_urls_path_else_the_mount_prefix(sqlite_url: str) -> None:
    with_path = Runtime(settings_for(sqlite_url, public_url="https://in.example/hookgate/"))
    with_path.root_path = "/ignored"
    assert with_path.source_url("src_1", "s") == "https://in.example/hookgate/hooks/src_1/s"
    bare = Runtime(settings_for(sqlite_url, public_url="https://in.example"))
    bare.root_path = "/hg"
    assert bare.source_url("src_1", "s") == "https://in.example/hg/hooks/src_1/s"
    relative = Runtime(settings_for(sqlite_url))
    relative.root_path = "/hg"
    assert relative.source_url("src_1", "s") == "/hg/hooks/src_1/s"


def test_register_offers_sink_objects_and_refuses_misspelt_hooks(sqlite_url: str) -> None:
    sink = Collect()
    runtime = Runtime(settings_for(sqlite_url), register=[sink])
    assert runtime.plugins.run_sinks(runtime.settings)["collect"] is sink

    class Typo:
        @hookimpl
        def authentcate(self) -> None: ...

    with pytest.raises(ProviderContractError, match="authentcate"):
        runtime.register(Typo())


@pytest.mark.slow
def test_sources_sign_uses_the_public_urls_mount_prefix(tmp_path: Path) -> None:
    port = free_port()
    database = tmp_path / "hookgate.db"
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("HOOKGATE_")}
    env.update(
        HOOKGATE_DATABASE_URL=f"sqlite:///{database}",
        HOOKGATE_SECRET_KEY=TEST_SECRET_KEY,
        HOOKGATE_PROVIDERS="custom",
        HOOKGATE_PUBLIC_URL=f"http://127.0.0.1:{port}/hookgate",
    )

    def cli(*args: str) -> dict[str, object]:
        result = CliRunner().invoke(main, [*args, "--json"], env=env)
        assert result.exit_code == 0, result.output
        loaded: dict[str, object] = json.loads(result.stdout)
        return loaded

    source = cli("sources", "create", "--provider", "custom", "--name", "s")
    payload = tmp_path / "p.json"
    payload.write_text('{"action": "opened"}')
    signed = cli("sources", "sign", str(source["id"]), str(payload))
    url = str(signed["url"])
    assert url.startswith(f"http://127.0.0.1:{port}/hookgate/hooks/{source['id']}/")

    async def deliver() -> int:
        runtime = Runtime(settings_for(f"sqlite:///{database}", providers="custom"))
        hook = create_app(runtime, worker=False)
        host = Starlette(routes=[Mount("/hookgate", app=hook)], lifespan=lifespan(hook))
        async with running_server(host, port=port), httpx.AsyncClient() as client:
            headers = signed["headers"]
            assert isinstance(headers, dict)
            answer = await client.post(url, content=payload.read_bytes(), headers=headers)
            return answer.status_code

    assert asyncio.run(deliver()) == 202


async def test_metrics_port_moves_metrics_and_openapi_off_the_public_port(
    sqlite_url: str,
) -> None:
    admin_port = free_port()
    runtime = Runtime(settings_for(sqlite_url, metrics_port=admin_port))
    async with running_server(create_app(runtime)) as base, httpx.AsyncClient() as client:
        assert (await client.get(f"{base}/metrics")).status_code == 404
        assert (await client.get(f"{base}/api/v1/openapi.json")).status_code == 404
        assert (await client.get(f"{base}/readyz")).status_code == 200
        admin = f"http://127.0.0.1:{admin_port}"
        metrics = await client.get(f"{admin}/metrics")
        assert metrics.status_code == 200
        assert "hookgate_events_received_total" in metrics.text
        assert "_created" not in metrics.text
        document = (await client.get(f"{admin}/openapi.json")).json()
        assert document["openapi"].startswith("3.")
    with pytest.raises(httpx.ConnectError):  # the listener stops with the app
        await httpx.AsyncClient().get(f"http://127.0.0.1:{admin_port}/metrics")
