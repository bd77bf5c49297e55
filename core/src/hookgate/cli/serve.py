"""``hookgate serve`` and ``hookgate worker``."""

from __future__ import annotations

import asyncio
import contextlib
import signal

import click
import uvicorn

from hookgate.app import create_app
from hookgate.dispatch.worker import Worker
from hookgate.http_guard import guarded_protocol
from hookgate.logs import configure_logging
from hookgate.runtime import Runtime, freeze_startup_heap


@click.command()
@click.option("--host", default=None, help="Interface to bind (HOOKGATE_HOST, default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (HOOKGATE_PORT, default 8000).")
@click.option("--no-worker", is_flag=True, help="Ingest only; run `hookgate worker` elsewhere.")
def serve(host: str | None, port: int | None, no_worker: bool) -> None:
    """Serve webhooks (and, by default, dispatch them in this process)."""
    runtime = Runtime()
    configure_logging(runtime.settings.log_level)
    app = create_app(runtime, worker=not no_worker, freeze_heap=True)
    # hookgate logs each request itself, as JSON and without the webhook URL secret that
    # uvicorn's access log would print; log_config=None leaves uvicorn's own records to it.
    # The protocol adds a header deadline, a header size cap and a connection cap (http_guard).
    uvicorn.run(
        app,
        host=host or runtime.settings.host,
        port=port if port is not None else runtime.settings.port,
        log_config=None,
        access_log=False,
        http=guarded_protocol(runtime.settings),
    )


@click.command()
def worker() -> None:
    """Dispatch stored events and deliver runs (no HTTP)."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with Runtime() as runtime:
            configure_logging(runtime.settings.log_level)
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
