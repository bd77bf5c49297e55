"""The ASGI application: :func:`create_app`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from hookgate.runtime import Runtime


def create_app(runtime: Runtime | None = None) -> Starlette:
    """Build the ASGI app for ``runtime`` (a new one from the environment if omitted)."""
    rt = runtime if runtime is not None else Runtime()

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "providers": rt.plugins.enabled})

    app = Starlette(routes=[Route("/healthz", healthz)])
    app.state.runtime = rt
    return app
