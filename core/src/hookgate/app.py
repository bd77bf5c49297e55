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

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from hookgate.api import create_api, outer_http_error
from hookgate.dispatch.worker import Worker
from hookgate.ingest import Ingest
from hookgate.logs import RequestLog
from hookgate.oauth.routes import routes as oauth_routes
from hookgate.runtime import Runtime


def create_app(runtime: Runtime | None = None, *, worker: bool = True) -> Starlette:
    """Build the ASGI app for ``runtime`` (a new one from the environment if omitted).

    :param worker: also run dispatch in this process (the embedded default);
        ``False`` for ingest-only nodes next to ``hookgate worker`` processes.
    """
    rt = runtime if runtime is not None else Runtime()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await rt.start()
        dispatch = Worker(rt) if worker else None
        if dispatch is not None:
            await dispatch.start()
        app.state.worker = dispatch
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

    app = Starlette(
        routes=[
            Route("/hooks/{source_id}/{url_secret}", Ingest(rt).endpoint, methods=["POST"]),
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
