"""One runtime's OAuth machinery: the token store, provider clients and protocol clients.

:func:`oauth_for` returns the manager of a runtime, made on first use and
kept as long as the runtime lives, so every task of a process shares one
token store (and its per-connection refresh locks) without global state.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Generator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx

from hookgate.errors import ConfigurationError
from hookgate.oauth.clients import OAuthProtocol, client_credentials, redirect_uri
from hookgate.oauth.http import ConnectionAuth, RetryTransport
from hookgate.oauth.tokens import TokenStore
from hookgate.types import OAuthClientSpec, OAuthToken
from hookgate.version import USER_AGENT

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

_MANAGERS: weakref.WeakKeyDictionary[Runtime, OAuthManager] = weakref.WeakKeyDictionary()


class OAuthManager:
    """Builds the httpx clients provider hooks get, and the authlib clients for grants.

    ``base_transport`` replaces the network transport under the retries (an
    embedding service's proxy transport, or ``httpx.ASGITransport`` onto a
    fake provider in tests); ``None`` is the network.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.tokens = TokenStore(self)
        self.base_transport: httpx.AsyncBaseTransport | None = None
        #: One reconcile per source at a time in this process (the scheduler claims across).
        self.reconcile_locks: dict[str, asyncio.Lock] = {}

    @property
    def refresh_lease(self) -> timedelta:
        """How long a refresher may hold a connection: every attempt of a token request."""
        settings = self.runtime.settings
        return timedelta(seconds=settings.provider_timeout * settings.provider_attempts + 5)

    def transport(self) -> RetryTransport:
        settings = self.runtime.settings
        return RetryTransport(
            self.base_transport or httpx.AsyncHTTPTransport(),
            attempts=settings.provider_attempts,
            max_wait=settings.provider_max_retry_wait,
        )

    def _client(self, auth: httpx.Auth) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            auth=auth,
            transport=self.transport(),
            timeout=httpx.Timeout(self.runtime.settings.provider_timeout),
            headers={"User-Agent": USER_AGENT},
        )

    def client(self, connection_id: str) -> httpx.AsyncClient:
        """A client sending the connection's token (refreshed as needed); close it after use."""
        return self._client(auth=ConnectionAuth(self.tokens, connection_id))

    def token_client(self, token: OAuthToken) -> httpx.AsyncClient:
        """A client sending ``token`` as is: a fresh grant, before it is stored."""
        return self._client(auth=_Bearer(token.access_token))

    def spec(self, provider: str, params: Mapping[str, Any] | None = None) -> OAuthClientSpec:
        try:
            spec = self.runtime.plugins.provider(provider).oauth_client(params)
        except ValueError as exc:  # parameters stored before a stricter provider release
            raise ConfigurationError(f"connection parameters for {provider}: {exc}") from None
        if spec is None:
            raise ConfigurationError(f"provider {provider!r} does not use OAuth")
        return spec

    def protocol(
        self,
        provider: str,
        *,
        with_redirect: bool = True,
        params: Mapping[str, Any] | None = None,
    ) -> OAuthProtocol:
        """authlib's client for the provider's OAuth app (authorize URL, code exchange, refresh).

        ``params`` are the connection's parameters (``OAuthConnection.params``).
        """
        return OAuthProtocol(
            self.spec(provider, params),
            client_credentials(provider),
            redirect_to=redirect_uri(self.runtime.settings, provider) if with_redirect else None,
            transport=self.transport(),
            timeout=self.runtime.settings.provider_timeout,
        )

    async def refresh_grant(
        self, provider: str, token: OAuthToken, params: Mapping[str, Any] | None = None
    ) -> OAuthToken:
        async with self.protocol(provider, with_redirect=False, params=params) as protocol:
            return await protocol.refresh(token)


class _Bearer(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


def oauth_for(runtime: Runtime) -> OAuthManager:
    """The runtime's manager (one per runtime)."""
    manager = _MANAGERS.get(runtime)
    if manager is None:
        manager = _MANAGERS[runtime] = OAuthManager(runtime)
    return manager


__all__ = ["OAuthManager", "oauth_for"]
