"""The built-in run sinks against a real receiver on loopback.

The receiver checks every request with the independent ``standardwebhooks``
package, so a signing mistake in hookgate fails these tests.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from hookgate import ConfigurationError, Delivery, RunSink
from hookgate.config import Settings
from hookgate.plugins import PluginManager
from hookgate.sinks import HttpSink, LogSink, SinkError, select_sink
from hookgate.sinks.errors import parse_retry_after
from pydantic import SecretStr
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.server import free_port, running_server

WHSEC = "whsec_" + base64.b64encode(os.urandom(32)).decode()
RAW_SECRET = "correct horse battery staple"
CREATED = datetime(2025, 3, 1, 12, 30, tzinfo=UTC)


def settings(**values: Any) -> Settings:
    """Settings with every sink value explicit, so the environment cannot leak in."""
    base: dict[str, Any] = {"sink": "log", "sink_url": "", "sink_secret": None, "sink_timeout": 5}
    base.update(values)
    if isinstance(base["sink_secret"], str):
        base["sink_secret"] = SecretStr(base["sink_secret"])
    return Settings(**base)


def delivery(run_id: str = "run_1", *, attempt: int = 1, payload: Any = None) -> Delivery:
    return Delivery(
        run_id=run_id,
        attempt=attempt,
        trigger_id="trg_1",
        agent_id="agent_7",
        source_id="src_1",
        workspace_id="ws_1",
        event_id="evt_1",
        event_type="pull_request.opened",
        payload={"action": "opened", "number": 42} if payload is None else payload,
        created_at=CREATED,
    )


# -- the receiver -------------------------------------------------------------------------


@dataclass
class Receiver:
    """A run receiver that verifies like a real one and remembers what it accepted."""

    secret: str | bytes
    ids: list[str] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def _verified(self, request: Request) -> dict[str, Any] | Response:
        body = await request.body()
        try:
            document = Webhook(self.secret).verify(body, dict(request.headers))
        except WebhookVerificationError as exc:
            self.rejected.append(str(exc))
            return PlainTextResponse(f"bad signature: {exc}", status_code=400)
        assert request.headers["content-type"] == "application/json"
        self.ids.append(request.headers["webhook-id"])
        self.bodies.append(document)
        assert request.client is not None
        self.ports.append(request.client.port)
        return dict(document)

    async def runs(self, request: Request) -> Response:
        found = await self._verified(request)
        if isinstance(found, Response):
            return found
        return JSONResponse({"conversation_id": f"conv-{found['run_id']}"})

    async def status(self, request: Request) -> Response:
        found = await self._verified(request)
        if isinstance(found, Response):
            return found
        code = int(request.path_params["code"])
        headers = {}
        if "retry_after" in request.query_params:
            headers["Retry-After"] = request.query_params["retry_after"]
        if 300 <= code < 400:
            headers["Location"] = "/runs?token=very-private"
        return PlainTextResponse(f"answer {code}", status_code=code, headers=headers)

    async def slow(self, request: Request) -> Response:
        await self._verified(request)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.release.wait(), 10)
        return JSONResponse({"conversation_id": "too-late"})

    async def plain(self, request: Request) -> Response:
        await self._verified(request)
        return PlainTextResponse("accepted", status_code=202)

    async def odd(self, request: Request) -> Response:
        await self._verified(request)
        return JSONResponse({"conversation_id": 42})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/runs", self.runs, methods=["POST"]),
                Route("/status/{code:int}", self.status, methods=["POST"]),
                Route("/slow", self.slow, methods=["POST"]),
                Route("/plain", self.plain, methods=["POST"]),
                Route("/odd", self.odd, methods=["POST"]),
            ]
        )


@contextlib.asynccontextmanager
async def receiving(secret: str | bytes = WHSEC) -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver(secret)
    try:
        async with running_server(receiver.app()) as base_url:
            yield receiver, base_url
    finally:
        receiver.release.set()


@contextlib.asynccontextmanager
async def http_sink(url: str, secret: str = WHSEC, **options: Any) -> AsyncIterator[HttpSink]:
    values = {"sink": "http", "sink_url": url, "sink_secret": secret, **options}
    async with HttpSink.from_settings(settings(**values)) as sink:
        yield sink


# -- http sink: what arrives --------------------------------------------------------------


@pytest.mark.anyio
async def test_http_sink_posts_the_run_signed_with_a_whsec_secret() -> None:
    async with receiving() as (receiver, base), http_sink(f"{base}/runs") as sink:
        result = await sink.deliver(delivery("run_abc"))
    assert result.conversation_id == "conv-run_abc"
    assert receiver.ids == ["run_abc"]
    assert receiver.bodies == [
        {
            "run_id": "run_abc",
            "attempt": 1,
            "trigger_id": "trg_1",
            "agent_id": "agent_7",
            "source_id": "src_1",
            "workspace_id": "ws_1",
            "event_id": "evt_1",
            "event_type": "pull_request.opened",
            "payload": {"action": "opened", "number": 42},
            "created_at": "2025-03-01T12:30:00+00:00",
        }
    ]


@pytest.mark.anyio
async def test_a_raw_secret_signs_with_its_utf8_bytes() -> None:
    async with (
        receiving(RAW_SECRET.encode()) as (receiver, base),
        http_sink(f"{base}/runs", RAW_SECRET) as sink,
    ):
        await sink.deliver(delivery("run_raw"))
    assert receiver.ids == ["run_raw"]


@pytest.mark.anyio
async def test_a_whsec_secret_is_not_used_as_raw_bytes() -> None:
    # A receiver holding the whsec_ text's raw bytes must refuse: the key is the decoded base64.
    async with (
        receiving(WHSEC.encode()) as (receiver, base),
        http_sink(f"{base}/runs") as sink,
    ):
        with pytest.raises(SinkError) as caught:
            await sink.deliver(delivery())
    assert receiver.rejected == ["No matching signature found"]
    assert caught.value.status == 400
    assert not caught.value.retryable


@pytest.mark.anyio
async def test_retries_of_one_run_share_the_webhook_id() -> None:
    async with receiving() as (receiver, base), http_sink(f"{base}/runs") as sink:
        await sink.deliver(delivery("run_1", attempt=1))
        await sink.deliver(delivery("run_1", attempt=2))
        await sink.deliver(delivery("run_2"))
    assert receiver.ids == ["run_1", "run_1", "run_2"]
    assert [b["attempt"] for b in receiver.bodies] == [1, 2, 1]


@pytest.mark.anyio
async def test_payload_null_when_the_trigger_excludes_it() -> None:
    bare = dataclasses.replace(delivery(), payload=None)
    async with receiving() as (receiver, base), http_sink(f"{base}/runs") as sink:
        await sink.deliver(bare)
    assert receiver.bodies[0]["payload"] is None


@pytest.mark.anyio
async def test_naive_created_at_is_sent_as_utc() -> None:
    naive = dataclasses.replace(delivery(), created_at=datetime(2025, 1, 2))
    async with receiving() as (receiver, base), http_sink(f"{base}/runs") as sink:
        await sink.deliver(naive)
    assert receiver.bodies[0]["created_at"] == "2025-01-02T00:00:00+00:00"


@pytest.mark.anyio
async def test_one_pooled_connection_serves_consecutive_runs() -> None:
    async with receiving() as (receiver, base), http_sink(f"{base}/runs") as sink:
        for n in range(4):
            await sink.deliver(delivery(f"run_{n}"))
        await asyncio.gather(*(sink.deliver(delivery(f"par_{n}")) for n in range(5)))
    assert len(set(receiver.ports[:4])) == 1
    assert sorted(receiver.ids[4:]) == [f"par_{n}" for n in range(5)]


@pytest.mark.anyio
async def test_answers_without_a_string_conversation_id_give_none() -> None:
    async with receiving() as (_, base):
        async with http_sink(f"{base}/plain") as sink:
            plain = await sink.deliver(delivery())
        async with http_sink(f"{base}/odd") as sink:
            odd = await sink.deliver(delivery())
    assert (plain.conversation_id, odd.conversation_id) == (None, None)
    assert "202" in plain.detail


@pytest.mark.anyio
async def test_a_stale_clock_is_refused_by_the_receiver() -> None:
    # Proves the timestamp header is signed and checked: 10 minutes off is outside tolerance.
    async with receiving() as (receiver, base):
        sink = HttpSink(f"{base}/runs", WHSEC, clock=lambda: time.time() - 600)
        async with sink:
            with pytest.raises(SinkError, match="answered 400"):
                await sink.deliver(delivery())
    assert receiver.rejected == ["Message timestamp too old"]


# -- http sink: failures and their classification -----------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("code", [500, 502, 503, 408, 409, 425, 429])
async def test_retryable_statuses(code: int) -> None:
    async with receiving() as (_, base), http_sink(f"{base}/status/{code}") as sink:
        with pytest.raises(SinkError) as caught:
            await sink.deliver(delivery())
    assert caught.value.retryable
    assert caught.value.status == code
    assert caught.value.retry_after is None
    assert f"answer {code}" in str(caught.value)


@pytest.mark.anyio
@pytest.mark.parametrize("code", [400, 401, 403, 404, 410, 413, 422])
async def test_permanent_statuses(code: int) -> None:
    async with receiving() as (_, base), http_sink(f"{base}/status/{code}") as sink:
        with pytest.raises(SinkError) as caught:
            await sink.deliver(delivery())
    assert not caught.value.retryable
    assert caught.value.status == code
    assert "will not be retried" in str(caught.value)


@pytest.mark.anyio
async def test_429_honours_retry_after_seconds() -> None:
    async with receiving() as (_, base), http_sink(f"{base}/status/429?retry_after=7") as sink:
        with pytest.raises(SinkError) as caught:
            await sink.deliver(delivery())
    assert caught.value.retryable
    assert caught.value.retry_after == 7.0


@pytest.mark.anyio
async def test_503_honours_retry_after_as_a_date() -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=100), usegmt=True)
    url = f"/status/503?retry_after={when}"
    async with receiving() as (_, base), http_sink(base + url) as sink:
        with pytest.raises(SinkError) as caught:
            await sink.deliver(delivery())
    assert caught.value.retry_after is not None
    assert 95 <= caught.value.retry_after <= 101


def test_retry_after_parsing() -> None:
    now = 1_700_000_000.0
    past = format_datetime(datetime.fromtimestamp(now - 60, UTC), usegmt=True)
    assert parse_retry_after("120", now=now) == 120.0
    assert parse_retry_after(past, now=now) == 0.0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after("nan", now=now) is None
    assert parse_retry_after(None) is None


@pytest.mark.anyio
async def test_redirects_are_not_followed_and_not_retried() -> None:
    async with receiving() as (receiver, base), http_sink(f"{base}/status/307") as sink:
        with pytest.raises(SinkError) as caught:
            await sink.deliver(delivery())
    assert not caught.value.retryable
    assert "HOOKGATE_SINK_URL" in str(caught.value)
    assert "very-private" not in str(caught.value)
    assert len(receiver.ids) == 1  # the redirect target never received the run


@pytest.mark.anyio
async def test_a_timeout_is_retryable() -> None:
    async with (
        receiving() as (receiver, base),
        http_sink(f"{base}/slow", sink_timeout=0.2) as sink,
    ):
        started = time.monotonic()
        with pytest.raises(SinkError, match="HOOKGATE_SINK_TIMEOUT") as caught:
            await sink.deliver(delivery())
        elapsed = time.monotonic() - started
        receiver.release.set()
    assert caught.value.retryable
    assert caught.value.status is None
    assert elapsed < 2


@pytest.mark.anyio
async def test_connection_refused_is_retryable() -> None:
    async with http_sink(f"http://127.0.0.1:{free_port()}/runs") as sink:
        with pytest.raises(SinkError, match="cannot reach") as caught:
            await sink.deliver(delivery())
    assert caught.value.retryable


@pytest.mark.anyio
async def test_a_closed_sink_fails_retryably() -> None:
    async with receiving() as (receiver, base):
        sink = HttpSink(f"{base}/runs", WHSEC)
        await sink.aclose()
        with pytest.raises(SinkError, match="closed") as caught:
            await sink.deliver(delivery())
    assert caught.value.retryable
    assert receiver.ids == []


@pytest.mark.anyio
async def test_a_payload_that_is_not_json_is_permanent() -> None:
    async with http_sink("http://127.0.0.1:9/runs") as sink:
        with pytest.raises(SinkError, match="cannot be encoded as JSON") as caught:
            await sink.deliver(delivery(payload={"when": datetime.now(UTC)}))
    assert not caught.value.retryable


@pytest.mark.anyio
async def test_errors_never_show_the_secret_or_url_credentials() -> None:
    async with receiving() as (_, base):
        url = base.replace("http://", "http://user:hunter2@") + "/status/400?token=tok-123"
        async with http_sink(url) as sink:
            with pytest.raises(SinkError) as caught:
                await sink.deliver(delivery())
    text = f"{caught.value} {sink!r}"
    for secret in ("hunter2", "tok-123", WHSEC, WHSEC[6:]):
        assert secret not in text
    assert "/status/400" in text


# -- http sink: configuration -------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "names"),
    [
        ({"sink_url": ""}, "HOOKGATE_SINK_URL"),
        ({"sink_url": "   "}, "HOOKGATE_SINK_URL"),
        ({"sink_url": "ftp://example.com/x"}, "HOOKGATE_SINK_URL"),
        ({"sink_url": "/relative/path"}, "HOOKGATE_SINK_URL"),
        ({"sink_secret": None}, "HOOKGATE_SINK_SECRET"),
        ({"sink_secret": "whsec_!!not-base64!!"}, "HOOKGATE_SINK_SECRET"),
        ({"sink_secret": "whsec_"}, "HOOKGATE_SINK_SECRET"),
    ],
)
def test_http_sink_configuration_errors_name_the_variable(
    values: dict[str, Any], names: str
) -> None:
    chosen = {"sink": "http", "sink_url": "https://agents.example/runs", "sink_secret": WHSEC}
    with pytest.raises(ConfigurationError, match=names) as caught:
        HttpSink.from_settings(settings(**{**chosen, **values}))
    assert "!!not-base64!!" not in str(caught.value)


def test_unpadded_whsec_secrets_are_accepted() -> None:
    # The reference libraries accept unpadded base64; a secret copied without '=' must work.
    key = os.urandom(31)
    secret = "whsec_" + base64.b64encode(key).decode().rstrip("=")
    sink = HttpSink("https://agents.example/runs", secret)
    assert sink._key == key


# -- the hook and select_sink -------------------------------------------------------------


@pytest.mark.anyio
async def test_builtin_plugin_offers_both_sinks_when_the_url_is_set() -> None:
    configured = settings(sink_url="https://agents.example/runs", sink_secret=WHSEC)
    sinks = PluginManager(entry_points=False).run_sinks(configured)
    assert sorted(sinks) == ["http", "log"]
    assert isinstance(sinks["log"], LogSink)
    http = sinks["http"]
    assert isinstance(http, HttpSink)
    assert select_sink(sinks, configured) is sinks["log"]
    assert select_sink(sinks, settings(sink="http")) is http
    await http.aclose()


def test_without_a_url_only_log_is_offered() -> None:
    sinks = PluginManager(entry_points=False).run_sinks(settings())
    assert list(sinks) == ["log"]


def test_a_half_configured_http_sink_does_not_stop_the_log_sink(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sinks = PluginManager(entry_points=False).run_sinks(settings(sink_url="https://a.example/"))
    assert list(sinks) == ["log"]
    assert "HOOKGATE_SINK_SECRET" in caplog.text


def test_choosing_http_without_a_url_is_a_start_up_error() -> None:
    with pytest.raises(ConfigurationError, match="HOOKGATE_SINK_URL"):
        PluginManager(entry_points=False).run_sinks(settings(sink="http"))


def test_select_sink_explains_a_missing_http_sink() -> None:
    sinks: dict[str, RunSink] = {"log": LogSink()}
    with pytest.raises(ConfigurationError, match="available: log") as caught:
        select_sink(sinks, settings(sink="http"))
    assert "HOOKGATE_SINK_URL" in str(caught.value)


def test_select_sink_lists_what_is_available() -> None:
    sinks: dict[str, RunSink] = {"log": LogSink(), "agents": LogSink()}
    with pytest.raises(ConfigurationError) as caught:
        select_sink(sinks, settings(sink="agnets"))
    message = str(caught.value)
    assert "HOOKGATE_SINK='agnets'" in message
    assert "available: agents, log" in message
    assert "install and enable the plugin" in message


# -- log sink -----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_log_sink_prints_one_json_line_without_the_payload(
    capsys: pytest.CaptureFixture[str],
) -> None:
    payload = {"body": "private text ✓", "token": "gh-token-123"}
    result = await LogSink().deliver(delivery("run_9", attempt=3, payload=payload))
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert json.loads(out) == {
        "sink": "log",
        "run_id": "run_9",
        "attempt": 3,
        "trigger_id": "trg_1",
        "agent_id": "agent_7",
        "source_id": "src_1",
        "workspace_id": "ws_1",
        "event_type": "pull_request.opened",
        "event_id": "evt_1",
        "payload_bytes": len(
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        ),
    }
    assert "private text" not in out
    assert "gh-token-123" not in out
    assert result.conversation_id is None


@pytest.mark.slow
def test_log_sink_flushes_each_line() -> None:
    # os._exit skips interpreter shutdown, so only a flushed line reaches the pipe.
    code = textwrap.dedent(
        """
        import asyncio, os
        from datetime import UTC, datetime
        from hookgate import Delivery
        from hookgate.sinks import LogSink

        run = Delivery("run_f", 1, "t", "a", "s", "w", "e", "x.y", None, datetime.now(UTC))
        asyncio.run(LogSink().deliver(run))
        os._exit(0)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    line = json.loads(done.stdout)
    assert (line["run_id"], line["payload_bytes"]) == ("run_f", None)
