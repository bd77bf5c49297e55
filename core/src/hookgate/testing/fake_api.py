"""A fake provider API for tests: an OAuth 2 authorization server and a webhook API, as ASGI.

It behaves like the providers hookgate talks to, so core's OAuth flow and
reconcile loop can be tested end to end without a network::

    api = FakeProviderAPI(targets=[{"type": "project", "name": "alpha"}])
    async with running_server(api.app) as url:   # any ASGI server on loopback
        api.base_url = url
        ...

OAuth: ``GET /oauth/authorize`` (consent is automatic; PKCE S256 required by
default), ``POST /oauth/token`` (authorization code with the verifier; refresh
tokens rotate: each works once, and reusing a spent one ends the grant).
API (bearer token): ``GET /api/account``, ``GET|POST /api/hooks``,
``PATCH|DELETE /api/hooks/{id}``, ``POST /api/hooks/{id}/refresh``. Hooks
expire ``hook_ttl`` after creation or refresh (``None``: never).

Knobs: :meth:`fail_next` (429/5xx with ``Retry-After``), :meth:`slow_next`
(answers after a delay: client timeouts), :meth:`fail_create_on`,
:meth:`delete_hook_behind_back`, :meth:`revoke_grant`,
:meth:`expire_access_tokens`, ``deny_authorization``. Records:
``requests`` and ``token_requests``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FakeHook:
    id: str
    target: dict[str, Any]
    url: str
    events: list[str]
    secret: str
    active: bool = True
    expires_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:  # the secret is never shown, as real APIs mask it
        return {
            "id": self.id,
            "target": self.target,
            "url": self.url,
            "events": self.events,
            "active": self.active,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }


@dataclass
class Injected:
    status: int
    times: int
    retry_after: str | None = None
    delay: float = 0.0
    path: str = "/api/"
    method: str | None = None


@dataclass
class _Code:
    client_id: str
    redirect_uri: str
    challenge: str | None
    expires_at: datetime
    used: bool = False


@dataclass
class _Grant:
    revoked: bool = False
    access: dict[str, datetime] = field(default_factory=dict)


class FakeProviderAPI:
    """The fake's state, knobs and ASGI ``app``; ``base_url`` is where it is served."""

    def __init__(
        self,
        *,
        targets: list[dict[str, Any]] | None = None,
        client_id: str = "fake-client-id",
        client_secret: str = "fake-client-secret-0123456789",  # noqa: S107 - a test value
        access_token_ttl: int = 3600,
        hook_ttl: timedelta | None = None,
        require_pkce: bool = True,
    ) -> None:
        self.base_url = "http://fake.invalid"
        self.targets = targets or [{"type": "project", "name": "alpha"}]
        self.account = {"id": "acct-42", "name": "Fake Account"}
        self.client_id, self.client_secret = client_id, client_secret
        self.access_token_ttl = access_token_ttl
        self.hook_ttl = hook_ttl
        self.require_pkce = require_pkce
        self.deny_authorization = False
        self.hooks: dict[str, FakeHook] = {}
        self.requests: list[tuple[str, str]] = []
        self.token_requests: list[str] = []
        self._codes: dict[str, _Code] = {}
        self._grants: dict[str, _Grant] = {}
        self._refresh: dict[str, str] = {}  # live refresh token -> grant id
        self._spent: dict[str, str] = {}  # rotated-out refresh token -> grant id
        self._injected: list[Injected] = []
        self._create_failures: dict[str, tuple[int, str]] = {}
        self._ids = itertools.count(1)
        self.app = Starlette(routes=self._routes())

    # -- knobs ------------------------------------------------------------------

    def fail_next(
        self,
        status: int = 500,
        *,
        times: int = 1,
        retry_after: str | None = None,
        path: str = "/api/",
        method: str | None = None,
    ) -> None:
        """The next ``times`` requests under ``path`` (of ``method``) answer ``status``."""
        self._injected.append(Injected(status, times, retry_after, 0.0, path, method))

    def slow_next(self, delay: float, *, times: int = 1, path: str = "/api/") -> None:
        """The next ``times`` requests under ``path`` answer only after ``delay`` seconds."""
        self._injected.append(Injected(0, times, None, delay, path))

    def fail_create_on(self, target_name: str, status: int = 403, message: str = "") -> None:
        """Creating a hook on ``target_name`` is refused (no rights, a limit reached...)."""
        self._create_failures[target_name] = (status, message or "no admin rights on target")

    def add_hook(self, target: dict[str, Any], url: str, events: list[str]) -> FakeHook:
        """A hook that exists already (made by hand, or by an earlier hookgate)."""
        hook = FakeHook(str(next(self._ids)), dict(target), url, list(events), "")
        hook.expires_at = _now() + self.hook_ttl if self.hook_ttl else None
        self.hooks[hook.id] = hook
        return hook

    def issue_token(self) -> str:
        """An access token of a fresh grant, as if a user had just authorized hookgate."""
        grant_id = secrets.token_hex(8)
        self._grants[grant_id] = _Grant()
        token = secrets.token_urlsafe(24)
        self._grants[grant_id].access[token] = _now() + timedelta(seconds=self.access_token_ttl)
        return token

    def delete_hook_behind_back(self, hook_id: str) -> FakeHook:
        return self.hooks.pop(hook_id)

    def revoke_grant(self) -> None:
        """The user revoked hookgate's access: tokens answer 401, refreshes invalid_grant."""
        for grant in self._grants.values():
            grant.revoked = True

    def expire_access_tokens(self) -> None:
        for grant in self._grants.values():
            grant.access = dict.fromkeys(grant.access, _now() - timedelta(seconds=1))

    def hooks_on(self, name: str) -> list[FakeHook]:
        return [h for h in self.hooks.values() if h.target.get("name") == name]

    # -- plumbing -----------------------------------------------------------------

    def _routes(self) -> list[Route]:
        return [
            Route("/oauth/authorize", self._authorize),
            Route("/oauth/token", self._wrap(self._token), methods=["POST"]),
            Route("/api/account", self._wrap(self._account)),
            Route("/api/hooks", self._wrap(self._hooks), methods=["GET", "POST"]),
            Route("/api/hooks/{id}", self._wrap(self._hook), methods=["PATCH", "DELETE"]),
            Route("/api/hooks/{id}/refresh", self._wrap(self._refresh_hook), methods=["POST"]),
        ]

    def _take_injected(self, request: Request) -> Injected | None:
        for failure in self._injected:
            if request.url.path.startswith(failure.path) and failure.method in (
                None,
                request.method,
            ):
                failure.times -= 1
                if failure.times <= 0:
                    self._injected.remove(failure)
                return failure
        return None

    def _wrap(self, handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            self.requests.append((request.method, request.url.path))
            failure = self._take_injected(request)
            if failure is not None and failure.delay:
                await asyncio.sleep(failure.delay)
            elif failure is not None:
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
                return JSONResponse({"message": "injected failure"}, failure.status, headers)
            if request.url.path.startswith("/api/") and not self._bearer_ok(request):
                return JSONResponse({"error": "invalid_token"}, 401)
            response: Response = await handler(request)
            return response

        return endpoint

    def _bearer_ok(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        for grant in self._grants.values():
            expires = grant.access.get(token)
            if expires is not None:
                return not grant.revoked and expires > _now()
        return False

    # -- OAuth --------------------------------------------------------------------

    async def _authorize(self, request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != self.client_id or not q.get("redirect_uri"):
            return JSONResponse({"error": "unknown client"}, 400)
        back = q["redirect_uri"]
        state = q.get("state", "")
        challenge = q.get("code_challenge")
        if self.require_pkce and (not challenge or q.get("code_challenge_method") != "S256"):
            return _redirect(back, error="invalid_request", state=state)
        if self.deny_authorization:
            return _redirect(back, error="access_denied", state=state)
        code = secrets.token_urlsafe(16)
        self._codes[code] = _Code(self.client_id, back, challenge, _now() + timedelta(minutes=10))
        return _redirect(back, code=code, state=state)

    async def _token(self, request: Request) -> Response:
        form: dict[str, Any] = dict(parse_qsl((await request.body()).decode()))
        grant_type = str(form.get("grant_type", ""))
        self.token_requests.append(grant_type)
        client_id, client_secret = _client_auth(request, form)
        if client_id != self.client_id or not hmac.compare_digest(
            client_secret, self.client_secret
        ):
            return JSONResponse({"error": "invalid_client"}, 401)
        if grant_type == "authorization_code":
            return self._exchange(form)
        if grant_type == "refresh_token":
            return self._rotate(str(form.get("refresh_token", "")))
        return JSONResponse({"error": "unsupported_grant_type"}, 400)

    def _exchange(self, form: dict[str, Any]) -> Response:
        pending = self._codes.get(str(form.get("code", "")))
        if pending is None or pending.used or pending.expires_at < _now():
            return _invalid_grant("the code is unknown, used or expired")
        if form.get("redirect_uri") != pending.redirect_uri:
            return _invalid_grant("redirect_uri does not match the authorization request")
        if pending.challenge is not None and not _pkce_ok(pending.challenge, form):
            return _invalid_grant("PKCE verification failed")
        pending.used = True
        grant_id = secrets.token_hex(8)
        self._grants[grant_id] = _Grant()
        return self._issue(grant_id)

    def _rotate(self, refresh_token: str) -> Response:
        grant_id = self._refresh.pop(refresh_token, None)
        if grant_id is None:
            spent = self._spent.get(refresh_token)
            if spent is not None:  # reuse of a rotated token: treat the grant as stolen
                self._grants[spent].revoked = True
            return _invalid_grant("the refresh token is unknown or was already used")
        if self._grants[grant_id].revoked:
            return _invalid_grant("the grant was revoked")
        self._spent[refresh_token] = grant_id
        return self._issue(grant_id)

    def _issue(self, grant_id: str) -> Response:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self._grants[grant_id].access[access] = _now() + timedelta(seconds=self.access_token_ttl)
        self._refresh[refresh] = grant_id
        return JSONResponse(
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": self.access_token_ttl,
                "refresh_token": refresh,
                "scope": "account:read hooks:write",
            },
            headers={"Cache-Control": "no-store"},
        )

    # -- API ------------------------------------------------------------------------

    async def _account(self, request: Request) -> Response:
        return JSONResponse({**self.account, "targets": self.targets})

    async def _hooks(self, request: Request) -> Response:
        if request.method == "GET":
            q = request.query_params
            found = [
                h.as_json()
                for h in self.hooks.values()
                if h.target.get("type") == q.get("target_type")
                and h.target.get("name") == q.get("target_name")
            ]
            return JSONResponse(found)
        body = await request.json()
        target = body.get("target") or {}
        if target.get("name") in self._create_failures:
            status, message = self._create_failures[target["name"]]
            return JSONResponse({"message": message}, status)
        if not any(t["name"] == target.get("name") for t in self.targets):
            return JSONResponse({"message": f"no target {target.get('name')!r}"}, 404)
        hook = self.add_hook(target, body["url"], body.get("events") or [])
        hook.secret = str(body.get("secret", ""))
        return JSONResponse(hook.as_json(), 201)

    async def _hook(self, request: Request) -> Response:
        hook = self.hooks.get(request.path_params["id"])
        if hook is None:
            return JSONResponse({"message": "no such hook"}, 404)
        if request.method == "DELETE":
            del self.hooks[hook.id]
            return Response(status_code=204)
        body = await request.json()
        hook.url = body.get("url", hook.url)
        hook.events = list(body.get("events", hook.events))
        hook.secret = str(body.get("secret", hook.secret))
        hook.active = bool(body.get("active", hook.active))
        return JSONResponse(hook.as_json())

    async def _refresh_hook(self, request: Request) -> Response:
        hook = self.hooks.get(request.path_params["id"])
        if hook is None:
            return JSONResponse({"message": "no such hook"}, 404)
        hook.expires_at = _now() + self.hook_ttl if self.hook_ttl else None
        return JSONResponse(hook.as_json())


def _redirect(uri: str, **params: str) -> Response:
    return RedirectResponse(f"{uri}{'&' if '?' in uri else '?'}{urlencode(params)}", 302)


def _invalid_grant(description: str) -> Response:
    return JSONResponse({"error": "invalid_grant", "error_description": description}, 400)


def _client_auth(request: Request, form: dict[str, Any]) -> tuple[str, str]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        return client_id, secret
    return str(form.get("client_id", "")), str(form.get("client_secret", ""))


def _pkce_ok(challenge: str, form: dict[str, Any]) -> bool:
    verifier = str(form.get("code_verifier", ""))
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return bool(verifier) and hmac.compare_digest(digest.rstrip(b"=").decode(), challenge)


__all__ = ["FakeHook", "FakeProviderAPI"]
