"""``/oauth/{provider}/start`` and ``/oauth/{provider}/callback``: a connection in a browser.

``start?state=...`` (the ``authorize_url`` the API and CLI hand out) binds the
authorization to the browser that opens it with a short-lived cookie
(HttpOnly, SameSite=Lax, for ``/oauth/{provider}/`` only) and redirects to the
provider. ``start`` without a state authenticates the caller like the admin
API (an embedding service's ``authenticate`` hook, else an API key), makes a
new connection, or re-authorizes ``?connection=ID``, and continues the same
way. ``callback`` is where the provider sends the browser back: with the
cookie it exchanges the code and shows the provider account and the
workspace; the page's form (``POST callback``, CSRF token and cookie) makes
the connection active. Pages are HTML for a browser and JSON for a client
that asks for it (``Accept: application/json``).
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from hookgate.api.auth import authenticate
from hookgate.errors import AuthenticationError
from hookgate.services import authorization as flow
from hookgate.services import connections as service
from hookgate.services.authorization import PendingConfirmation
from hookgate.services.common import ServiceError

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

log = logging.getLogger("hookgate.oauth")

#: A confirmation form is two short fields; anything longer is not ours.
MAX_FORM_BYTES = 8192
NO_STORE = {"Cache-Control": "no-store"}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
<h1>{title}</h1><p>{message}</p>{form}</body></html>
"""

FORM = """<form method="post" action="{action}">
<input type="hidden" name="state" value="{state}"><input type="hidden" name="csrf" value="{csrf}">
<button type="submit">Connect</button></form>
<p>If you did not start this, close this window: nothing is connected until you confirm.</p>
"""


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _answer(
    request: Request,
    status: int,
    title: str,
    message: str,
    data: dict[str, Any],
    form: str = "",
) -> Response:
    if _wants_json(request):
        return JSONResponse(data, status, headers=NO_STORE)
    body = PAGE.format(title=html.escape(title), message=html.escape(message), form=form)
    return HTMLResponse(body, status, headers=NO_STORE)


def _error(request: Request, status: int, code: str, message: str, details: Any = None) -> Response:
    data = {"error": {"code": code, "message": message, "details": details}}
    return _answer(request, status, "Connection failed", message, data)


def _service_error(request: Request, exc: ServiceError) -> Response:
    return _error(request, exc.status, exc.code, str(exc), exc.details)


def _confirmation(request: Request, pending: PendingConfirmation) -> Response:
    action = str(request.url.replace(query=""))
    message = (
        f"Connect the {pending.provider} account {pending.account.name} to the hookgate "
        f"workspace {pending.workspace}? Sources of {pending.workspace} will register "
        f"webhooks with this account's access (connection {pending.connection_id})."
    )
    form = FORM.format(
        action=html.escape(action), state=html.escape(pending.state), csrf=pending.csrf
    )
    data = {
        "confirm": {"url": action, "state": pending.state, "csrf": pending.csrf},
        "connection_id": pending.connection_id,
        "account": pending.account.model_dump(mode="json"),
        "workspace": pending.workspace,
    }
    return _answer(request, 200, f"Connect {pending.provider}?", message, data, form)


async def _form(request: Request) -> dict[str, str]:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return {}
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=8)
    return {key: values[0] for key, values in fields.items()}


def routes(runtime: Runtime) -> list[Route]:
    """The routes, for :func:`hookgate.create_app` to mount."""
    secure = runtime.settings.public_url.startswith("https://")

    async def open_state(request: Request, provider: str, state: str) -> Response:
        try:
            opened = await flow.open_authorization(runtime, provider, state)
        except ServiceError as exc:
            return _service_error(request, exc)
        response = RedirectResponse(opened.authorize_url, 302, headers=NO_STORE)
        response.set_cookie(
            opened.cookie,
            opened.browser,
            max_age=runtime.settings.oauth_state_ttl,
            path=f"/oauth/{provider}/",
            secure=secure,
            httponly=True,
            samesite="lax",
        )
        return response

    async def start(request: Request) -> Response:
        provider = request.path_params["provider"]
        state = request.query_params.get("state")
        if state:
            return await open_state(request, provider, state)
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
            return _service_error(request, exc)
        assert view.authorize_url is not None  # the start URL with the new state
        return RedirectResponse(view.authorize_url, 302, headers=NO_STORE)

    async def callback(request: Request) -> Response:
        provider = request.path_params["provider"]
        query = request.query_params
        state = query.get("state")
        if not state:
            message = "the provider's answer has no state: open the authorize URL hookgate gave you"
            return _error(request, 400, "invalid_state", message, {"reason": "missing"})
        try:
            pending = await flow.complete_authorization(
                runtime,
                provider,
                state=state,
                browser=request.cookies.get(flow.cookie_for(runtime, provider, state)),
                code=query.get("code"),
                error=query.get("error"),
                error_description=query.get("error_description"),
            )
        except ServiceError as exc:
            return _service_error(request, exc)
        return _confirmation(request, pending)

    async def confirm(request: Request) -> Response:
        provider = request.path_params["provider"]
        form = await _form(request)
        state = form.get("state", "")
        try:
            cookie = flow.cookie_for(runtime, provider, state)
            view = await flow.confirm_authorization(
                runtime,
                provider,
                state=state,
                browser=request.cookies.get(cookie),
                csrf=form.get("csrf", ""),
            )
        except ServiceError as exc:
            return _service_error(request, exc)
        message = (
            f"hookgate is connected to {provider} as {view.account_name}. Connection {view.id} "
            "is active: you can close this window and create sources with it."
        )
        response = _answer(request, 200, "Connected", message, {"connection": view.as_dict()})
        response.delete_cookie(cookie, path=f"/oauth/{provider}/")
        return response

    return [
        Route("/oauth/{provider}/start", start, methods=["GET"]),
        Route("/oauth/{provider}/callback", callback, methods=["GET"]),
        Route("/oauth/{provider}/callback", confirm, methods=["POST"]),
    ]


__all__ = ["routes"]
