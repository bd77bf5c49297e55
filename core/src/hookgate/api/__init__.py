"""The admin REST API, mounted at ``/api/v1`` by :func:`hookgate.create_app`.

One module per resource holds its pydantic models and its operations;
:mod:`hookgate.api.router` turns operations into endpoints and
:mod:`hookgate.api.openapi` into the OpenAPI document at
``/api/v1/openapi.json``. The rules themselves are in :mod:`hookgate.services`,
shared with the CLI. ``docs/api.md`` describes the API for its users.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from hookgate.api import audit, connections, events, filters, providers, sources, triggers
from hookgate.api.errors import ApiError
from hookgate.api.openapi import document
from hookgate.api.router import Operation, endpoint
from hookgate.version import __version__

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

#: Every operation of the API, in the order the OpenAPI document lists them.
OPERATIONS: list[Operation] = [
    *sources.OPERATIONS,
    *triggers.OPERATIONS,
    *events.OPERATIONS,
    *filters.OPERATIONS,
    *providers.OPERATIONS,
    *connections.OPERATIONS,
    *audit.OPERATIONS,
]


def openapi_document() -> dict[str, object]:
    return document(OPERATIONS, version=__version__)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405:
        message = f"{request.method} is not allowed here"
        return ApiError(405, "method_not_allowed", message, headers=exc.headers).response()
    return ApiError(exc.status_code, "not_found", f"no API route {request.url.path}").response()


async def outer_http_error(request: Request, exc: Exception) -> Response:
    """The app's 404/405: JSON under ``/api/``, Starlette's plain text elsewhere."""
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/api/"):
        return await _http_error(request, exc)
    return PlainTextResponse(exc.detail, exc.status_code, headers=exc.headers)


def create_api(runtime: Runtime) -> Starlette:
    """The ``/api/v1`` ASGI app of ``runtime`` (mount it; it has no lifespan of its own)."""
    routes = [Route(op.path, endpoint(runtime, op), methods=[op.method]) for op in OPERATIONS]
    doc = openapi_document()

    async def openapi(request: Request) -> Response:
        return JSONResponse(doc)

    routes.append(Route("/openapi.json", openapi, methods=["GET"]))
    return Starlette(routes=routes, exception_handlers={HTTPException: _http_error})


__all__ = ["OPERATIONS", "create_api", "openapi_document", "outer_http_error"]
