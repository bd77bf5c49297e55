"""``hookgate serve`` and ``hookgate worker``."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys

import click
import uvicorn

from hookgate.app import create_app
from hookgate.cli.preflight import bound_socket, check_metrics_port, checked_runtime, start_logging
from hookgate.dispatch.worker import Worker
from hookgate.http_guard import guarded_protocol
from hookgate.runtime import freeze_startup_heap

#: Seconds a thread may hold the GIL while another waits (Python's default is 0.005).
SWITCH_INTERVAL = 0.001


@click.command()
@click.option("--host", default=None, help="Interface to bind (HOOKGATE_HOST, default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (HOOKGATE_PORT, default 8000).")
@click.option("--no-worker", is_flag=True, help="Ingest only; run `hookgate worker` elsewhere.")
def serve(host: str | None, port: int | None, no_worker: bool) -> None:
    """Serve webhooks (and, by default, dispatch them in this process)."""
    runtime = checked_runtime()
    host = host or runtime.settings.host
    port = port if port is not None else runtime.settings.port
    # Bound here, not by uvicorn, so a port in use is one line naming --port (exit 2).
    sock = bound_socket(host, port)
    check_metrics_port(runtime)
    start_logging(runtime, listen=f"http://{host}:{sock.getsockname()[1]}", worker=not no_worker)
    app = create_app(runtime, worker=not no_worker, freeze_heap=True)
    # Filter work for the API runs on threads beside the event loop (services/filter_budget):
    # a CPU-bound thread keeps the GIL for up to the switch interval each time the loop
    # wants it back, so 1 ms instead of 5 ms bounds what it adds to another tenant's ingest.
    sys.setswitchinterval(SWITCH_INTERVAL)
    # hookgate logs each request itself, as JSON and without the webhook URL secret that
    # uvicorn's access log would print; log_config=None leaves uvicorn's own records to it.
    # The protocol adds a header deadline, a header size cap and a connection cap (http_guard).
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        http=guarded_protocol(runtime.settings),
    )
    uvicorn.Server(config).run(sockets=[sock])


@click.command()
def worker() -> None:
    """Dispatch stored events and deliver runs (no HTTP)."""
    checked = checked_runtime()
    start_logging(checked)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with checked as runtime:
            dispatch = Worker(runtime)
            await dispatch.start()
            freeze_startup_heap()
            click.echo("hookgate worker running; Ctrl-C stops it")
            try:
                await stop.wait()
            finally:
                await dispatch.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
