"""``/oauth/{provider}/start`` and ``/oauth/{provider}/callback``: a connection in a browser.

``start`` authenticates the caller like the admin API (an embedding
service's ``authenticate`` hook, else an API key), makes a new connection, or
re-authorizes ``?connection=ID``, and redirects to the provider. ``callback``
is where the provider sends the browser back; its ``state`` is the only
credential it carries (see :mod:`hookgate.oauth.state`). Both answer a small
HTML page to a browser and JSON to a client that asks for it
(``Accept: application/json``).
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from hookgate.errors import AuthenticationError
from hookgate.services import connections as service
from hookgate.services.common import ServiceError

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

log = logging.getLogger("hookgate.oauth")

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>{title}</h1><p>{message}</p></body></html>
"""


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _answer(
    request: Request, status: int, title: str, message: str, data: dict[str, Any]
) -> Response:
    if _wants_json(request):
        return JSONResponse(data, status, headers={"Cache-Control": "no-store"})
    body = PAGE.format(title=html.escape(title), message=html.escape(message))
    return HTMLResponse(body, status, headers={"Cache-Control": "no-store"})


def _error(request: Request, status: int, code: str, message: str, details: Any = None) -> Response:
    data = {"error": {"code": code, "message": message, "details": details}}
    return _answer(request, status, "Connection failed", message, data)


def routes(runtime: Runtime) -> list[Route]:
    """The two routes, for :func:`hookgate.create_app` to mount."""

    async def start(request: Request) -> Response:
        from hookgate.api.auth import authenticate  # the API package imports the app's parts

        provider = request.path_params["provider"]
        try:
            actor = await authenticate(runtime, request)
            existing = request.query_params.get("connection")
            if existing:
                view = await service.reauthorize(runtime, actor, existing, provider=provider)
            else:
                view = await service.create_connection(runtime, actor, provider)
        except AuthenticationError as exc:
            return _error(request, 401, "unauthorized", str(exc))
        except ServiceError as exc:
            return _error(request, exc.status, exc.code, str(exc), exc.details)
        assert view.authorize_url is not None
        return RedirectResponse(view.authorize_url, 302, headers={"Cache-Control": "no-store"})

    async def callback(request: Request) -> Response:
        provider = request.path_params["provider"]
        query = request.query_params
        state = query.get("state")
        if not state:
            message = "the provider's answer has no state: open the authorize URL hookgate gave you"
            return _error(request, 400, "invalid_state", message, {"reason": "missing"})
        try:
            view = await service.complete_authorization(
                runtime,
                provider,
                state=state,
                code=query.get("code"),
                error=query.get("error"),
                error_description=query.get("error_description"),
            )
        except ServiceError as exc:
            return _error(request, exc.status, exc.code, str(exc), exc.details)
        message = (
            f"hookgate is connected to {provider} as {view.account_name}. Connection {view.id} "
            "is active: you can close this window and create sources with it."
        )
        return _answer(request, 200, "Connected", message, {"connection": view.as_dict()})

    return [
        Route("/oauth/{provider}/start", start, methods=["GET"]),
        Route("/oauth/{provider}/callback", callback, methods=["GET"]),
    ]


__all__ = ["routes"]
