"""The ASGI application: :func:`create_app`.

Mount it in any ASGI server; its lifespan starts the runtime (migrations, the
event writer) and, unless ``worker=False``, an in-process dispatch worker.
The admin API is mounted at ``/api/v1``, the OAuth start and callback pages at
``/oauth/{provider}/...``; every request gets a request id and
one JSON log line (:class:`hookgate.logs.RequestLog`).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from hookgate.api import create_api, outer_http_error
from hookgate.api.oauth import routes as oauth_routes
from hookgate.dispatch.worker import Worker
from hookgate.ingest import Ingest, ingest_path
from hookgate.logs import RequestLog
from hookgate.runtime import Runtime, freeze_startup_heap


class HookgateApp(Starlette):
    """Starlette, with webhook deliveries sent straight to the ingest endpoint.

    ``POST /hooks/{source_id}/{url_secret}`` skips the middleware stack and the
    router: :class:`~hookgate.ingest.Ingest` gives itself a request id, logs
    its line and answers its own errors. Everything else is plain Starlette.
    """

    def __init__(self, *, ingest: Ingest, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ingest = ingest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        params = ingest_path(scope["path"]) if scope["type"] == "http" else None
        if params is not None and scope["method"] == "POST":
            scope["app"] = self
            scope["path_params"] = {"source_id": params[0], "url_secret": params[1]}
            await self.ingest(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(
    runtime: Runtime | None = None, *, worker: bool = True, freeze_heap: bool = False
) -> Starlette:
    """Build the ASGI app for ``runtime`` (a new one from the environment if omitted).

    :param worker: also run dispatch in this process (the embedded default);
        ``False`` for ingest-only nodes next to ``hookgate worker`` processes.
    :param freeze_heap: once started, :func:`~hookgate.runtime.freeze_startup_heap`
        (``hookgate serve`` does; leave it off when embedding).
    """
    rt = runtime if runtime is not None else Runtime()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await rt.start()
        dispatch = Worker(rt) if worker else None
        if dispatch is not None:
            await dispatch.start()
        app.state.worker = dispatch
        if freeze_heap:
            freeze_startup_heap()
        try:
            yield
        finally:
            if dispatch is not None:
                await dispatch.stop()
            await rt.stop()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "providers": rt.plugins.enabled})

    async def readyz(request: Request) -> Response:
        try:
            await rt.db.ping()
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "detail": type(exc).__name__}, 503)
        return JSONResponse({"status": "ready"})

    async def metrics(request: Request) -> Response:
        dispatch = request.app.state.worker
        if dispatch is not None:
            await dispatch.update_queue_depth()
        return Response(rt.metrics.render(), media_type="text/plain; version=0.0.4")

    ingest = Ingest(rt)
    app = HookgateApp(
        ingest=ingest,
        routes=[
            Route("/hooks/{source_id}/{url_secret}", ingest, methods=["POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics),
            *oauth_routes(rt),
            Mount("/api/v1", app=create_api(rt)),
        ],
        middleware=[Middleware(RequestLog, enabled=rt.settings.log_requests)],
        # A path the /api/v1 mount cannot take (a newline in an id) still gets a JSON error.
        exception_handlers={HTTPException: outer_http_error},
        lifespan=lifespan,
    )
    app.state.runtime = rt
    app.state.worker = None
    return app
