"""The fake's routes, and what every REST call goes through first.

Like GitHub, every API request is recorded, may hit an injected failure (rate
limit, 5xx), must carry a valid token (else 401 ``Bad credentials``) and a
supported ``X-GitHub-Api-Version`` when it sends one; answers carry
``X-OAuth-Scopes`` and the ``X-RateLimit-*`` headers.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from hookgate_github.fake import hooks, oauth, rest
from hookgate_github.fake.model import FakeToken
from hookgate_github.fake.responses import error

if TYPE_CHECKING:
    from hookgate_github.fake.server import FakeGitHub

SUPPORTED_VERSIONS = frozenset({"2022-11-28", "2026-03-10"})
Handler = Callable[["FakeGitHub", Request, FakeToken], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def api(gh: FakeGitHub, handler: Handler) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        gh.record(request, await request.body())
        version = request.headers.get("x-github-api-version")
        if version is not None and version not in SUPPORTED_VERSIONS:
            return error(400, f"API version {version} is not supported.")
        if (failure := gh.take_injected()) is not None:
            return JSONResponse(failure.body, failure.status, headers=failure.headers)
        token = gh.authenticate(request.headers.get("authorization"))
        if token is None:
            return error(401, "Bad credentials")
        response = await handler(gh, request, token)
        gh.remaining = max(gh.remaining - 1, 1)
        response.headers.update(
            {
                "x-oauth-scopes": ", ".join(token.scopes),
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": str(gh.remaining),
                "x-ratelimit-reset": str(int(time.time()) + 3600),
                "x-github-api-version-selected": version or "2022-11-28",
            }
        )
        return response

    return endpoint


def _api_routes(gh: FakeGitHub) -> list[BaseRoute]:
    item = ["GET", "PATCH", "DELETE"]
    return [
        Route("/user", api(gh, rest.user)),
        Route("/user/orgs", api(gh, rest.user_orgs)),
        Route("/user/memberships/orgs", api(gh, rest.memberships)),
        Route("/user/repos", api(gh, rest.user_repos)),
        Route("/repos/{owner}/{repo}/hooks", api(gh, hooks.collection), methods=["GET", "POST"]),
        Route("/repos/{owner}/{repo}/hooks/{hook_id:int}", api(gh, hooks.item), methods=item),
        Route("/orgs/{org}/hooks", api(gh, hooks.collection), methods=["GET", "POST"]),
        Route("/orgs/{org}/hooks/{hook_id:int}", api(gh, hooks.item), methods=item),
    ]


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return error(status, "Not Found" if status == 404 else "Method Not Allowed")


def build_app(gh: FakeGitHub) -> Starlette:
    web: list[BaseRoute] = [
        Route("/login/oauth/authorize", oauth.authorizer(gh)),
        Route("/login/oauth/access_token", oauth.token_endpoint(gh), methods=["POST"]),
    ]
    rest_api = _api_routes(gh)
    routes = [*web, Mount(gh.api_prefix, routes=rest_api)] if gh.api_prefix else web + rest_api
    return Starlette(routes=routes, exception_handlers={404: _http_error, 405: _http_error})


__all__ = ["SUPPORTED_VERSIONS", "api", "build_app"]
