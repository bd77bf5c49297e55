"""The metrics listener: ``/metrics`` and the OpenAPI document away from the public port.

With ``HOOKGATE_METRICS_PORT`` set, the app's lifespan starts a second uvicorn
server on ``HOOKGATE_METRICS_HOST`` (loopback by default) answering

- ``/metrics``: the Prometheus counters (event volumes per provider, rejection
  reasons, queue depth: nothing secret, but a map of the installation);
- ``/openapi.json`` (also at ``/api/v1/openapi.json``): the admin API's document;
- ``/healthz`` and ``/readyz``, for probes that should not go through the public port;

and the public app stops serving ``/metrics`` and ``/api/v1/openapi.json`` (404).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hookgate.api import openapi_document
from hookgate.startup import listen_socket

Endpoint = Callable[[Request], Awaitable[Response]]

#: Paths the public app leaves to the metrics listener when there is one.
PRIVATE_PATHS = frozenset({"/metrics", "/api/v1/openapi.json"})


def admin_app(*, metrics: Endpoint, healthz: Endpoint, readyz: Endpoint) -> Starlette:
    """The metrics listener's app (no lifespan: the public app owns the runtime)."""
    document = openapi_document()

    async def openapi(request: Request) -> Response:
        return JSONResponse(document)

    return Starlette(
        routes=[
            Route("/metrics", metrics),
            Route("/openapi.json", openapi),
            Route("/api/v1/openapi.json", openapi),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ]
    )


class AdminListener:
    """A uvicorn server for :func:`admin_app`, started and stopped by the app's lifespan."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        self.host, self.port = host, port
        config = uvicorn.Config(app, lifespan="off", log_config=None, access_log=False)
        self.server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listen, or raise :class:`~hookgate.startup.StartupError` naming the setting."""
        sock = listen_socket(self.host, self.port, "HOOKGATE_METRICS_PORT")
        # _serve, not serve: serve() takes over SIGINT/SIGTERM, which belong to the
        # process's main server (or the embedding application).
        self._task = asyncio.create_task(self.server._serve([sock]), name="metrics-listener")
        while not self.server.started:
            if self._task.done():
                self._task.result()  # raises what stopped it
                raise RuntimeError("the metrics listener stopped while starting")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._task is None:
            return
        self.server.should_exit = True
        await self._task
        self._task = None


__all__ = ["PRIVATE_PATHS", "AdminListener", "admin_app"]
