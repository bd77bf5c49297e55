"""The fake GitHub's state and the knobs tests turn."""

from __future__ import annotations

import itertools
import secrets
import time
from typing import Any, Literal

import httpx
from hookgate.testing.fake_oauth import FakeClient
from starlette.applications import Starlette
from starlette.requests import Request

from hookgate_github.fake.model import (
    Delivery,
    FakeHook,
    FakeOrg,
    FakeRepo,
    FakeToken,
    Injected,
    PendingCode,
    Recorded,
    TargetType,
)
from hookgate_github.fake.routes import build_app

#: The scopes hookgate asks for; what a token gets unless a test says otherwise.
DEFAULT_SCOPES = ("admin:org_hook", "admin:repo_hook", "read:org", "repo")
RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"


class FakeGitHub:
    """A fake GitHub (web OAuth pages and REST API) as one ASGI app: ``FakeGitHub().app``.

    ``host`` names it; the REST API is at ``https://api.{host}`` like github.com,
    or at ``https://{host}{api_prefix}`` like GitHub Enterprise Server when
    ``api_prefix`` is given (e.g. ``"/api/v3"``). ``page_size`` caps list pages
    so pagination shows with few items. The signed-in user is ``login``.
    """

    def __init__(
        self,
        *,
        host: str = "github.test",
        api_prefix: str = "",
        login: str = "octocat",
        user_id: int = 583231,
        page_size: int | None = None,
        client_id: str = "Iv1.fakeclientid",
        client_secret: str = "fake-client-secret-0123456789",  # noqa: S107 - test fixture
        callback_url: str = "https://hookgate.test/oauth/github/callback",
    ) -> None:
        self.api_prefix = api_prefix.rstrip("/")
        self.web_url = f"https://{host}"
        self.api_url = f"{self.web_url}{self.api_prefix}" if api_prefix else f"https://api.{host}"
        self.login = login
        self.user_id = user_id
        self.page_size = page_size
        self.client_id = client_id
        self.repos: dict[str, FakeRepo] = {}
        self.orgs: dict[str, FakeOrg] = {}
        self.hooks: dict[int, FakeHook] = {}
        self.apps: dict[str, FakeClient] = {}
        self.tokens: dict[str, FakeToken] = {}
        self.codes: dict[str, PendingCode] = {}
        self.injected: list[Injected] = []
        self.requests: list[Recorded] = []
        self.deliveries: list[Delivery] = []
        #: The signed-in user clicks "Cancel" instead of "Authorize" on the consent page.
        self.deny_authorization = False
        self.remaining = 5000
        self._ids = itertools.count(100_001)
        self.register_app(client_id, client_secret, callback_url)
        self.app: Starlette = build_app(self)

    # -- setting the scene ------------------------------------------------------

    def register_app(self, client_id: str, client_secret: str, callback_url: str) -> FakeClient:
        self.apps[client_id] = FakeClient(client_id, client_secret, callback_url)
        return self.apps[client_id]

    def add_repo(
        self, full_name: str, *, admin: bool = True, private: bool = False, visible: bool = True
    ) -> FakeRepo:
        repo = FakeRepo(full_name, next(self._ids), private, admin, visible)
        self.repos[full_name.lower()] = repo
        return repo

    def add_org(
        self,
        login: str,
        *,
        role: Literal["admin", "member"] = "admin",
        restricts_oauth_apps: bool = False,
    ) -> FakeOrg:
        org = FakeOrg(login, next(self._ids), role, restricts_oauth_apps)
        self.orgs[login.lower()] = org
        return org

    def add_hook(
        self,
        target_type: TargetType,
        target: str,
        url: str,
        *,
        events: tuple[str, ...] = ("push",),
        secret: str | None = None,
        active: bool = True,
        created_by_app: str | None = None,
    ) -> FakeHook:
        """A hook that already exists (by default made by hand in GitHub's settings)."""
        config = {"url": url, "content_type": "json", "insecure_ssl": "0"}
        if secret:
            config["secret"] = secret
        hook = FakeHook(
            next(self._ids), target_type, target, config, list(events), active, created_by_app
        )
        self.hooks[hook.id] = hook
        return hook

    def issue_token(
        self, scopes: tuple[str, ...] = DEFAULT_SCOPES, *, client_id: str | None = None
    ) -> str:
        """A token for the signed-in user; ``client_id`` makes it an OAuth app's token."""
        value = "gho_" + secrets.token_urlsafe(27)
        self.tokens[value] = FakeToken(value, tuple(scopes), client_id)
        return value

    def revoke(self, token: str) -> None:
        """The user revoked the grant: the token now gets 401 Bad credentials."""
        self.tokens[token].revoked = True

    # -- changes behind hookgate's back -------------------------------------------

    def delete_hook_behind_back(self, hook_id: int | str) -> FakeHook:
        return self.hooks.pop(int(hook_id))

    def edit_hook_behind_back(self, hook_id: int | str, **changes: Any) -> FakeHook:
        """Change ``events``, ``active`` or config keys (``url``, ``content_type``, ...)."""
        hook = self.hooks[int(hook_id)]
        for key, value in changes.items():
            if key in ("events", "active"):
                setattr(hook, key, list(value) if key == "events" else bool(value))
            else:
                hook.config[key] = str(value)
        return hook

    # -- failures -----------------------------------------------------------------

    def rate_limit(
        self,
        *,
        kind: Literal["primary", "secondary"] = "primary",
        status: Literal[403, 429] = 403,
        wait: int | None = 60,
        times: int = 1,
    ) -> None:
        """The next ``times`` API requests hit a rate limit, as GitHub documents them.

        ``primary``: ``X-RateLimit-Remaining: 0`` and ``X-RateLimit-Reset`` in
        ``wait`` seconds. ``secondary``: ``Retry-After: wait`` (no header when
        ``wait`` is None, where GitHub advises waiting a minute).
        """
        if kind == "primary":
            reset = int(time.time()) + (wait or 60)
            headers = {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": str(reset),
                "x-ratelimit-used": "5000",
                "x-ratelimit-resource": "core",
            }
            message = f"API rate limit exceeded for user ID {self.user_id}."
        else:
            headers = {"retry-after": str(wait)} if wait is not None else {}
            message = (
                "You have exceeded a secondary rate limit. Please wait a few minutes before "
                "you try again."
            )
        body = {"message": message, "documentation_url": RATE_LIMIT_DOCS, "status": str(status)}
        self.injected.append(Injected(status, body, headers, times))

    def fail_next(self, status: int = 502, *, times: int = 1, message: str = "Oops") -> None:
        """The next ``times`` API requests fail with ``status`` (a GitHub outage)."""
        self.injected.append(Injected(status, {"message": message}, {}, times))

    def take_injected(self) -> Injected | None:
        if not self.injected:
            return None
        failure = self.injected[0]
        failure.times -= 1
        if failure.times <= 0:
            self.injected.pop(0)
        return failure

    # -- looking -------------------------------------------------------------------

    def hooks_on(self, target: str) -> list[FakeHook]:
        return [h for h in self.hooks.values() if h.target.lower() == target.lower()]

    def authenticate(self, authorization: str | None) -> FakeToken | None:
        scheme, _, value = (authorization or "").partition(" ")
        token = self.tokens.get(value.strip()) if scheme.lower() in ("bearer", "token") else None
        return None if token is None or token.revoked else token

    def record(self, request: Request, body: bytes) -> None:
        headers = {k: v for k, v in request.headers.items() if k != "authorization"}
        query = dict(request.query_params)
        self.requests.append(Recorded(request.method, request.url.path, query, headers, body))

    def settings_env(self) -> dict[str, str]:
        """``HOOKGATE_GITHUB_*`` variables pointing hookgate at this fake."""
        app = self.apps[self.client_id]
        return {
            "HOOKGATE_GITHUB_WEB_URL": self.web_url,
            "HOOKGATE_GITHUB_API_URL": self.api_url,
            "HOOKGATE_GITHUB_CLIENT_ID": app.client_id,
            "HOOKGATE_GITHUB_CLIENT_SECRET": app.client_secret,
        }

    def client(self, token: str | None = None, **options: Any) -> httpx.AsyncClient:
        """An httpx client whose requests reach this fake (authenticated with ``token``)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        transport = httpx.ASGITransport(app=self.app)
        return httpx.AsyncClient(transport=transport, headers=headers, **options)

    async def send(self, delivery: Delivery, client: httpx.AsyncClient) -> httpx.Response:
        """Deliver a recorded webhook (e.g. a new hook's ping) the way GitHub would."""
        return await client.post(delivery.url, content=delivery.body, headers=delivery.headers)


__all__ = ["DEFAULT_SCOPES", "FakeGitHub"]
