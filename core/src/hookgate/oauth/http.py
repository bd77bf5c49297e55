"""The httpx clients provider hooks receive: timeouts, retries, and the connection's token.

:class:`RetryTransport` retries what is worth retrying, with tenacity:
``429`` and ``503`` (the provider did not act on the request) and connection
failures for every method; other ``5xx`` answers and read timeouts only for
methods that may be repeated (not ``POST``: a hook might have been created
already, and a rotated refresh token works once). A ``Retry-After`` header
(seconds or an HTTP date) is honoured when it is at most
``HOOKGATE_PROVIDER_MAX_RETRY_WAIT`` seconds; a longer one ends the call at
once with the provider's answer, and the scheduled reconcile comes back later.

:class:`ConnectionAuth` sends the connection's access token, refreshes it
first when it is about to expire, and once more after a ``401``; a second
``401`` (or a ``401`` without a refresh token) marks the connection
``needs_reauth``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TYPE_CHECKING

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from hookgate.httputil import retry_after  # re-exported: it used to live here

if TYPE_CHECKING:
    from hookgate.oauth.tokens import TokenStore

#: Answers retried for every method: the provider says it did not act on the request.
RETRY_ALWAYS = frozenset({429, 503})
#: Answers retried for methods that may be repeated.
RETRY_IDEMPOTENT = frozenset({500, 502, 504})
NOT_REPEATABLE = frozenset({"POST"})
REVOKED = (
    "the provider refused the access token (HTTP 401): the grant was revoked or expired; "
    "authorize the connection again (hookgate connections reauthorize ID)"
)


class RetryableStatus(Exception):
    """An answer worth retrying; carries the answer to hand back when retries run out."""

    def __init__(self, response: httpx.Response, wait: float | None) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response
        self.wait = wait


def backoff(attempt: int) -> float:
    """Exponential backoff with full jitter: up to 0.5 s, 1 s, 2 s, ... capped at 10 s."""
    return random.uniform(0, min(10.0, 0.5 * 2 ** (attempt - 1)))  # noqa: S311 - not crypto


class RetryTransport(httpx.AsyncBaseTransport):
    """Wraps a transport with retries on 429, 5xx and timeouts (see the module doc)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        *,
        attempts: int = 3,
        max_wait: float = 60.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.inner = inner
        self.attempts = attempts
        self.max_wait = max_wait
        self.sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        repeatable = request.method not in NOT_REPEATABLE
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception(lambda exc: self._should_retry(exc, repeatable)),
            sleep=self.sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(request, repeatable)
        except RetryableStatus as exc:
            return exc.response
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    async def _attempt(self, request: httpx.Request, repeatable: bool) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        status = response.status_code
        if status in RETRY_ALWAYS or (repeatable and status in RETRY_IDEMPOTENT):
            await response.aread()
            await response.aclose()
            raise RetryableStatus(response, retry_after(response.headers.get("retry-after")))
        return response

    def _should_retry(self, exc: BaseException, repeatable: bool) -> bool:
        if isinstance(exc, RetryableStatus):
            return exc.wait is None or exc.wait <= self.max_wait
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            return True  # the request was never sent
        # The request may have been acted on: repeat it only when that is harmless.
        return repeatable and isinstance(exc, httpx.TimeoutException | httpx.RemoteProtocolError)

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RetryableStatus) and exc.wait is not None:
            return exc.wait
        return backoff(state.attempt_number)


class ConnectionAuth(httpx.Auth):
    """Bearer auth with the connection's token; refresh before expiry and once after a 401."""

    def __init__(self, tokens: TokenStore, connection_id: str) -> None:
        self.tokens = tokens
        self.connection_id = connection_id

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token, version = await self.tokens.current(self.connection_id)
        request.headers["Authorization"] = f"Bearer {token.access_token}"
        response = yield request
        if response.status_code != 401:
            return
        if token.refresh_token:
            await response.aread()
            token, version = await self.tokens.refresh(self.connection_id, version)
            request.headers["Authorization"] = f"Bearer {token.access_token}"
            response = yield request
            if response.status_code != 401:
                return
        await self.tokens.mark_needs_reauth(self.connection_id, REVOKED)


__all__ = [
    "ConnectionAuth",
    "RetryTransport",
    "backoff",
    "retry_after",
]
