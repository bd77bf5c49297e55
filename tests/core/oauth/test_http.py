"""Retries of provider calls: what is retried, how long we wait, what is never repeated."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from hookgate.errors import ProviderAPIError
from hookgate.oauth.http import RetryTransport, retry_after
from hookgate.registration import Reconciler
from hookgate.services import connections

from tests.core.oauth.support import lab

pytestmark = pytest.mark.anyio

Answer = Callable[[httpx.Request], httpx.Response]


class Script:
    """A transport answering from a list; records requests and the waits asked for."""

    def __init__(self, *answers: int | type[Exception], retry: str | None = None) -> None:
        self.answers = list(answers)
        self.retry = retry
        self.seen: list[str] = []
        self.waits: list[float] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request.method)
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, type):
            raise answer("scripted", request=request)
        headers = {"Retry-After": self.retry} if self.retry and answer != 200 else {}
        return httpx.Response(answer, headers=headers, json={})

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    def client(self, **options: float) -> httpx.AsyncClient:
        inner = httpx.MockTransport(self.handler)
        transport = RetryTransport(inner, attempts=3, sleep=self.sleep, **options)
        return httpx.AsyncClient(transport=transport)


async def test_retry_after_seconds_is_honoured() -> None:
    script = Script(429, 429, retry="7")
    async with script.client() as client:
        assert (await client.post("http://p/hooks", json={})).status_code == 200
    assert script.seen == ["POST"] * 3
    assert script.waits == [7.0, 7.0]


async def test_retry_after_date_is_honoured() -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    assert 28 <= (retry_after(format_datetime(when, usegmt=True)) or 0) <= 30
    assert retry_after("soon") is None


async def test_a_wait_longer_than_allowed_is_not_waited_for() -> None:
    script = Script(429, retry="3600")
    async with script.client(max_wait=60) as client:
        answer = await client.get("http://p/hooks")
    assert answer.status_code == 429  # handed to the provider hook, which reports it
    assert script.waits == []


async def test_server_errors_retry_idempotent_methods_only() -> None:
    get = Script(500, 502)
    async with get.client() as client:
        assert (await client.get("http://p/hooks")).status_code == 200
    assert len(get.seen) == 3
    assert len(get.waits) == 2
    assert all(w <= 1 for w in get.waits)
    post = Script(500)
    async with post.client() as client:  # a POST may have created the hook: not repeated
        assert (await client.post("http://p/hooks")).status_code == 500
    assert post.seen == ["POST"]
    unavailable = Script(503)
    async with unavailable.client() as client:  # 503: the provider did not act on it
        assert (await client.post("http://p/hooks")).status_code == 200


async def test_timeouts_retry_unless_a_post_may_have_landed() -> None:
    get = Script(httpx.ReadTimeout)
    async with get.client() as client:
        assert (await client.get("http://p/hooks")).status_code == 200
    post = Script(httpx.ReadTimeout)
    async with post.client() as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.post("http://p/hooks")
    assert post.seen == ["POST"]
    refused = Script(httpx.ConnectError)  # never sent: safe for every method
    async with refused.client() as client:
        assert (await client.post("http://p/hooks")).status_code == 200


async def test_a_provider_error_with_retry_after_is_retried() -> None:
    calls: list[float] = []

    async def flaky() -> str:
        calls.append(time.monotonic())
        if len(calls) == 1:
            error = ProviderAPIError("rate limited", status=403, retryable=True)
            error.retry_after = 0.2  # type: ignore[attr-defined] - as GitHub's error carries it
            raise error
        return "ok"

    reconciler = Reconciler.__new__(Reconciler)
    reconciler.attempts, reconciler.max_wait = 3, 60.0
    assert await reconciler.call(flaky) == "ok"
    assert calls[1] - calls[0] >= 0.2


async def test_provider_calls_retry_on_loopback(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with lab(database_url, monkeypatch, provider_timeout=0.5) as w:
        connection = await w.connect()
        w.api.fail_next(429, retry_after="1", path="/api/account")
        started = time.monotonic()
        account = await connections.connection_account(w.runtime, w.actor, connection.id)
        assert account.account_id == "acct-42"
        assert time.monotonic() - started >= 1.0  # waited as asked
        w.api.slow_next(1.0, path="/api/account")  # longer than provider_timeout
        await connections.connection_account(w.runtime, w.actor, connection.id)
        calls = [r for r in w.api.requests if r[1] == "/api/account"]
        assert len(calls) == 5  # callback, 429 + retry, timeout + retry
