"""``hookgate serve``: run the HTTP server."""

from __future__ import annotations

import click
import uvicorn

from hookgate.app import create_app
from hookgate.runtime import Runtime


@click.command()
@click.option("--host", default=None, help="Interface to bind (HOOKGATE_HOST, default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (HOOKGATE_PORT, default 8000).")
def serve(host: str | None, port: int | None) -> None:
    """Serve webhooks and the admin API."""
    runtime = Runtime()
    app = create_app(runtime)
    uvicorn.run(
        app,
        host=host or runtime.settings.host,
        port=port if port is not None else runtime.settings.port,
        log_level="info",
    )
