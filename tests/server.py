"""Run an ASGI app on a real uvicorn server on a free loopback port, inside a test, or a
real ``hookgate serve`` as a subprocess."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from tests.conftest import TEST_SECRET_KEY

HOOKGATE = str(Path(sys.executable).with_name("hookgate"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.asynccontextmanager
async def running_server(app: Any, port: int | None = None, **config: Any) -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 (``port``, or a free one) until the block ends; yields
    the base URL."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **config)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()  # surfaces the startup error
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextlib.contextmanager
def hookgate_serve(
    database_url: str, *args: str, output: Path | None = None, **settings: str
) -> Iterator[str]:
    """``hookgate serve ARGS`` on a free port with ``HOOKGATE_<NAME>`` = each of
    ``settings`` (and none of the caller's); yields its base URL. Wait with :func:`ready`."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKGATE_")}
    env.update(
        HOOKGATE_DATABASE_URL=database_url,
        HOOKGATE_SECRET_KEY=TEST_SECRET_KEY,
        HOOKGATE_PORT=str(port),
        **{f"HOOKGATE_{name.upper()}": value for name, value in settings.items()},
    )
    with (output or Path(os.devnull)).open("w") as out:
        process = subprocess.Popen([HOOKGATE, "serve", *args], env=env, stdout=out, stderr=out)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=30)


async def ready(base_url: str, timeout: float = 90, path: str = "/healthz") -> None:
    """Wait until ``base_url`` answers ``path`` with 200 (imports alone took 15 s on a
    loaded 2-core machine)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(f"{base_url}{path}")).status_code == 200:
                    return
            await asyncio.sleep(0.05)
    raise AssertionError(f"hookgate serve did not answer at {base_url} within {timeout} s")
