"""The ASGI application: :func:`create_app`.

Serve it with any ASGI server; its lifespan starts the runtime (migrations, the
event writer), unless ``worker=False`` an in-process dispatch worker, and with
``HOOKGATE_METRICS_PORT`` the metrics listener (:mod:`hookgate.admin`). Mounted
inside another app, its lifespan must be run from the host's
(:func:`hookgate.lifespan`); until it has run, every path but the probes
answers 503 ``not_started`` naming that fix.
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

from hookgate.admin import PRIVATE_PATHS, AdminListener, admin_app
from hookgate.api import create_api, outer_http_error
from hookgate.api.oauth import routes as oauth_routes
from hookgate.dispatch.worker import Worker
from hookgate.ingest import Answer, Ingest, ingest_path, send_answer
from hookgate.logs import RequestLog, begin_request, end_request
from hookgate.runtime import Runtime, freeze_startup_heap

#: What a never-started app answers: the cause and the fix.
NOT_STARTED = (
    "hookgate's runtime was never started: a mounted app's lifespan does not run. "
    "Run it from your application's lifespan: lifespan=hookgate.lifespan(hookgate_app), "
    "or `async with hookgate.running(hookgate_app):` inside yours (docs/embedding.md)"
)


class HookgateApp(Starlette):
    """Starlette, with webhook deliveries sent straight to the ingest endpoint.

    ``POST /hooks/{source_id}/{url_secret}`` skips the middleware stack and the
    router: :class:`~hookgate.ingest.Ingest` gives itself a request id, logs
    its line and answers its own errors. Everything else is plain Starlette.
    Paths are matched below the mount prefix (the ASGI ``root_path``), which
    the runtime remembers for the source URLs it shows.
    """

    def __init__(self, *, ingest: Ingest, private: frozenset[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ingest = ingest
        self.runtime = ingest.runtime
        self.private = private

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        root, path = scope.get("root_path", ""), scope["path"]
        if root and path.startswith(root):
            path = path[len(root) :]  # Starlette's Mount keeps the prefix in "path"
        self.runtime.root_path = root
        if not self.runtime.started and path not in ("/healthz", "/readyz"):
            await _answer(scope, send, Answer(503, {"error": "not_started", "detail": NOT_STARTED}))
            return
        if path in self.private:
            await _answer(scope, send, Answer(404, {"error": "not_found", "detail": "not here"}))
            return
        params = ingest_path(path)
        if params is not None and scope["method"] == "POST":
            if path is not scope["path"]:
                scope = {**scope, "path": path}
            scope["app"] = self
            scope["path_params"] = {"source_id": params[0], "url_secret": params[1]}
            await self.ingest(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


async def _answer(scope: Scope, send: Send, answer: Answer) -> None:
    """An answer from outside the router, with a request id and its log line."""
    given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
    info, token = begin_request(given)
    try:
        await send_answer(send, answer, info.request_id)
    finally:
        path = scope.get("root_path", "") + scope["path"]
        end_request(token, info, method=scope["method"], path=path, status=answer.status, seconds=0)


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
    separate = rt.settings.metrics_port is not None
    state: dict[str, Worker | None] = {"worker": None}

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "providers": rt.plugins.enabled})

    async def readyz(request: Request) -> Response:
        if not rt.started:
            return JSONResponse({"status": "not_started", "detail": NOT_STARTED}, 503)
        try:
            await rt.db.ping()
        except Exception as exc:
            return JSONResponse({"status": "unavailable", "detail": type(exc).__name__}, 503)
        return JSONResponse({"status": "ready"})

    async def metrics(request: Request) -> Response:
        dispatch = state["worker"]
        if dispatch is not None:
            await dispatch.update_queue_depth()
        return Response(rt.metrics.render(), media_type="text/plain; version=0.0.4")

    listener = None
    if separate:
        private = admin_app(metrics=metrics, healthz=healthz, readyz=readyz)
        assert rt.settings.metrics_port is not None
        listener = AdminListener(private, rt.settings.metrics_host, rt.settings.metrics_port)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await rt.start()
        dispatch = Worker(rt) if worker else None
        try:
            if dispatch is not None:
                await dispatch.start()
            app.state.worker = state["worker"] = dispatch
            if listener is not None:
                await listener.start()
            if freeze_heap:
                freeze_startup_heap()
            yield
        finally:
            if listener is not None:
                await listener.stop()
            if dispatch is not None:
                await dispatch.stop()
            await rt.stop()

    ingest = Ingest(rt)
    app = HookgateApp(
        ingest=ingest,
        private=PRIVATE_PATHS if separate else frozenset(),
        routes=[
            Route("/hooks/{source_id}/{url_secret}", ingest, methods=["POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *([] if separate else [Route("/metrics", metrics)]),
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
