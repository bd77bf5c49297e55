"""The fake Atlassian's HTTP endpoints, as documented (provider-api-facts §1–2)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from hookgate_jira.fake.model import FakeGrant, Recorded

if TYPE_CHECKING:
    from hookgate_jira.fake.server import FakeAtlassian


def _error(status: int, *messages: str) -> JSONResponse:
    return JSONResponse({"errorMessages": list(messages), "errors": {}}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    """JSON (what Atlassian documents) or a form (what authlib posts): both are accepted."""
    if request.headers.get("content-type", "").startswith("application/json"):
        data = await request.json()
        return data if isinstance(data, dict) else {}
    return dict(parse_qsl((await request.body()).decode()))


def build_app(fake: FakeAtlassian) -> Starlette:
    def grant_of(request: Request) -> FakeGrant | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return fake.grant_for(token) if scheme.lower() == "bearer" else None

    async def api(request: Request, handler: Any) -> Response:
        body = await request.json() if await request.body() else None
        fake.requests.append(Recorded(request.method, request.url.path, body))
        if fake.next_failure is not None:
            status, wait = fake.next_failure
            fake.next_failure = None
            headers = {"Retry-After": wait} if wait else {}
            return JSONResponse({"message": "Rate limit exceeded."}, status, headers=headers)
        grant = grant_of(request)
        if grant is None:
            return JSONResponse({"code": 401, "message": "Unauthorized"}, status_code=401)
        return await handler(request, grant, body)  # type: ignore[no-any-return]

    # -- auth.atlassian.com -------------------------------------------------------

    async def authorize(request: Request) -> Response:
        q = request.query_params
        app = fake.apps.get(q.get("client_id", ""))
        if app is None or q.get("redirect_uri") != app.redirect_uri:
            return _error(400, "unknown client_id or redirect_uri does not match the app")
        if q.get("audience") != "api.atlassian.com" or q.get("response_type") != "code":
            return _error(400, "audience=api.atlassian.com and response_type=code are required")
        code = secrets.token_urlsafe(12)
        fake.codes[code] = FakeGrant(app.client_id, fake.account_id, q.get("scope", ""), None)
        query = urlencode({"code": code, "state": q.get("state", "")})
        return RedirectResponse(f"{app.redirect_uri}?{query}", status_code=302)

    async def token(request: Request) -> Response:
        fake.token_requests += 1
        data = await _body(request)
        app = fake.apps.get(str(data.get("client_id", "")))
        if app is None or data.get("client_secret") != app.client_secret:
            return JSONResponse(
                {"error": "access_denied", "error_description": "Unauthorized"}, 401
            )
        if data.get("grant_type") == "authorization_code":
            grant = fake.codes.pop(str(data.get("code", "")), None)
            if grant is None or data.get("redirect_uri") != app.redirect_uri:
                return JSONResponse({"error": "invalid_grant"}, 403)
            fake.grants.append(grant)
            return JSONResponse(_token_set(fake, grant))
        if data.get("grant_type") == "refresh_token":
            return _refresh(fake, str(data.get("refresh_token", "")))
        return JSONResponse({"error": "unsupported_grant_type"}, 400)

    # -- api.atlassian.com ----------------------------------------------------------

    async def me(request: Request, grant: FakeGrant, body: Any) -> Response:
        return JSONResponse(
            {"account_id": grant.account_id, "name": fake.user_name, "email": "ada@acme.test"}
        )

    async def resources(request: Request, grant: FakeGrant, body: Any) -> Response:
        return JSONResponse(
            [
                {
                    "id": s.cloud_id,
                    "name": s.name,
                    "url": s.url,
                    "scopes": list(s.scopes),
                    "avatarUrl": f"{s.url}/avatar.png",
                }
                for s in fake.sites
            ]
        )

    def page(request: Request, values: list[Any]) -> JSONResponse:
        start = int(request.query_params.get("startAt", 0))
        size = min(int(request.query_params.get("maxResults", 50)), fake.page_size)
        chunk = values[start : start + size]
        return JSONResponse(
            {
                "startAt": start,
                "maxResults": size,
                "total": len(values),
                "isLast": start + size >= len(values),
                "values": chunk,
            }
        )

    def site_of(request: Request) -> Any:
        return next((s for s in fake.sites if s.cloud_id == request.path_params["cloud"]), None)

    async def projects(request: Request, grant: FakeGrant, body: Any) -> Response:
        site = site_of(request)
        return _error(404, "Site not found") if site is None else page(request, site.projects)

    async def webhooks(request: Request, grant: FakeGrant, body: Any) -> Response:
        site = site_of(request)
        if site is None:
            return _error(404, "Site not found")
        if request.method == "GET":
            mine = [
                w.as_json() for w in fake.on_site(site.cloud_id) if w.client_id == grant.client_id
            ]
            return page(request, mine)
        if request.method == "POST":
            return register(site.cloud_id, grant, body)
        ids = (body or {}).get("webhookIds")
        if not isinstance(ids, list) or not ids:
            return _error(400, "webhookIds must not be empty")
        for i in ids:  # other apps' ids are ignored silently
            hook = fake.webhooks.get(int(i))
            if hook is not None and hook.client_id == grant.client_id:
                del fake.webhooks[hook.id]
        return Response(status_code=202)

    def register(cloud_id: str, grant: FakeGrant, body: Any) -> Response:
        if not isinstance(body, dict) or set(body) - {"url", "webhooks"} or not body.get("url"):
            return _error(400, "The request body must be {url, webhooks}.")
        entries = body.get("webhooks")
        if not isinstance(entries, list) or not entries:
            return _error(400, "webhooks must not be empty")
        results = [fake.register(cloud_id, grant, str(body["url"]), e) for e in entries]
        return JSONResponse({"webhookRegistrationResult": results})  # 200 even with errors

    async def refresh(request: Request, grant: FakeGrant, body: Any) -> Response:
        ids = (body or {}).get("webhookIds")
        if not isinstance(ids, list) or not ids:
            return _error(400, "webhookIds must not be empty")
        expires = fake.now() + _lifetime()
        for i in ids:  # unknown ids are ignored
            hook = fake.webhooks.get(int(i))
            if hook is not None and hook.client_id == grant.client_id:
                hook.expires_at = expires
        return JSONResponse({"expirationDate": int(expires.timestamp() * 1000)})

    def guarded(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            return await api(request, handler)

        return endpoint

    site = "/ex/jira/{cloud}/rest/api/3"
    return Starlette(
        routes=[
            Route("/authorize", authorize),
            Route("/oauth/token", token, methods=["POST"]),
            Route("/me", guarded(me)),
            Route("/oauth/token/accessible-resources", guarded(resources)),
            Route(f"{site}/project/search", guarded(projects)),
            Route(f"{site}/webhook", guarded(webhooks), methods=["GET", "POST", "DELETE"]),
            Route(f"{site}/webhook/refresh", guarded(refresh), methods=["PUT"]),
        ]
    )


def _lifetime() -> Any:
    from hookgate_jira.fake.server import LIFETIME

    return LIFETIME


def _token_set(fake: FakeAtlassian, grant: FakeGrant) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "access_token": fake._access(grant, fake.access_lifetime),
        "expires_in": fake.access_lifetime,
        "token_type": "Bearer",
        "scope": grant.scope,
    }
    if "offline_access" in grant.scope.split():
        grant.refresh_token = "fake-rt-" + secrets.token_urlsafe(16)
        answer["refresh_token"] = grant.refresh_token
    return answer


def _refresh(fake: FakeAtlassian, refresh_token: str) -> Response:
    """Rotating refresh tokens: each use returns a new one; reusing an old one kills the grant."""
    for grant in fake.grants:
        if grant.refresh_token == refresh_token and not grant.revoked:
            grant.used_refresh_tokens.add(refresh_token)
            return JSONResponse(_token_set(fake, grant))
        if refresh_token in grant.used_refresh_tokens:
            grant.revoked = True
    return JSONResponse(
        {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}, 403
    )


__all__ = ["build_app"]
