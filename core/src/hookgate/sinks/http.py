"""The ``http`` sink: POST each run as JSON, signed the Standard Webhooks way.

``webhook-id`` is the run id, so every attempt of one run carries the same id
and a receiver can deduplicate. A JSON answer's ``conversation_id`` (a string)
is stored on the run. One attempt per ``deliver`` call; the dispatcher retries.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC
from types import TracebackType
from typing import Any

import httpx

from hookgate.config import Settings
from hookgate.errors import ConfigurationError
from hookgate.httputil import is_retryable_status, parse_retry_after
from hookgate.sinks.errors import SinkError
from hookgate.sinks.standard_webhooks import signature_headers, webhook_key
from hookgate.types import Delivery, DeliveryResult
from hookgate.version import USER_AGENT

#: How much of an error answer's body goes into the error message.
_ANSWER_EXCERPT = 200

_HOW_TO_SIGN = (
    "Set HOOKGATE_SINK_SECRET to a whsec_<base64> secret, for example the output of "
    "python -c \"import base64, os; print('whsec_' + base64.b64encode(os.urandom(32)).decode())\""
    ", and give the receiver the same value."
)


def display_url(url: httpx.URL) -> str:
    """``url`` without user info, query or fragment, which may carry credentials."""
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{url.host}{port}{url.path}"


def checked_url(url: str) -> httpx.URL:
    """``url`` parsed, or :class:`~hookgate.ConfigurationError` if it is not http(s)."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigurationError(
            "HOOKGATE_SINK_URL is not an absolute http:// or https:// URL: "
            "set it to the address that receives runs, e.g. https://agents.example/hookgate"
        )
    return parsed


def encode_delivery(delivery: Delivery) -> bytes:
    """The request body for ``delivery``: compact UTF-8 JSON.

    A naive ``created_at`` is taken as UTC (that is how hookgate stores times).
    A payload that cannot be JSON will never become JSON: not retryable.
    """
    created = delivery.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    document = {
        "run_id": delivery.run_id,
        "attempt": delivery.attempt,
        "trigger_id": delivery.trigger_id,
        "agent_id": delivery.agent_id,
        "source_id": delivery.source_id,
        "workspace_id": delivery.workspace_id,
        "event_id": delivery.event_id,
        "event_type": delivery.event_type,
        "payload": delivery.payload,
        "created_at": created.isoformat(),
    }
    try:
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SinkError(
            f"run {delivery.run_id}: the payload cannot be encoded as JSON ({exc})",
            retryable=False,
        ) from exc
    return text.encode()


def conversation_id_of(response: httpx.Response) -> str | None:
    """The answer's ``conversation_id`` when it is a JSON object holding a non-empty string."""
    if not response.content:
        return None
    try:
        answer: Any = response.json()
    except ValueError:  # not JSON (or not UTF-8): a plain acknowledgement
        return None
    value = answer.get("conversation_id") if isinstance(answer, dict) else None
    return value if isinstance(value, str) and value else None


def error_for_answer(response: httpx.Response, where: str) -> SinkError:
    """The :class:`SinkError` for a non-2xx answer, classified by status."""
    status = response.status_code
    if response.is_redirect:
        location = response.headers.get("location", "")
        target = display_url(response.url.join(location)) if location else "nowhere"
        return SinkError(
            f"{where} answered {status} redirecting to {target}: hookgate does not follow "
            "redirects with a signed body; set HOOKGATE_SINK_URL to the final address",
            retryable=False,
            status=status,
        )
    retryable = is_retryable_status(status)
    excerpt = response.text[:_ANSWER_EXCERPT].strip()
    detail = f": {excerpt}" if excerpt else ""
    return SinkError(
        f"{where} answered {status} {response.reason_phrase}{detail}"
        + ("" if retryable else " (the receiver refused the run; it will not be retried)"),
        retryable=retryable,
        retry_after=parse_retry_after(response.headers.get("retry-after")) if retryable else None,
        status=status,
    )


class HttpSink:
    """POSTs runs to one URL over one pooled ``httpx.AsyncClient``.

    :param url: where runs go (``HOOKGATE_SINK_URL``).
    :param secret: ``whsec_<base64>`` or any string (``HOOKGATE_SINK_SECRET``).
    :param timeout: seconds for each of connect, write, read and pool waits.
    :param clock: unix time source for ``webhook-timestamp``.

    Close it with :meth:`aclose` (or ``async with``) when the worker stops.
    """

    name: str = "http"

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = checked_url(url)
        self._where = display_url(self.url)
        self._key = webhook_key(secret)
        self._timeout = timeout
        self._clock = clock
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            headers={"user-agent": USER_AGENT, "content-type": "application/json"},
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpSink:
        """Build the sink from ``HOOKGATE_SINK_URL``, ``_SECRET`` and ``_TIMEOUT``."""
        if not settings.sink_url.strip():
            raise ConfigurationError(
                "HOOKGATE_SINK=http needs HOOKGATE_SINK_URL, which is not set: set it to the "
                "address that receives runs (e.g. https://agents.example/hookgate), "
                "or set HOOKGATE_SINK=log to print runs instead"
            )
        secret = settings.sink_secret.get_secret_value() if settings.sink_secret else ""
        if not secret:
            raise ConfigurationError(
                "HOOKGATE_SINK_SECRET is not set: the http sink signs every run so the "
                f"receiver can check it comes from hookgate. {_HOW_TO_SIGN}"
            )
        return cls(settings.sink_url, secret, timeout=settings.sink_timeout)

    async def deliver(self, delivery: Delivery) -> DeliveryResult:
        """POST ``delivery`` once; raise :class:`SinkError` when it did not arrive."""
        body = encode_delivery(delivery)
        headers = signature_headers(self._key, delivery.run_id, int(self._clock()), body)
        response = await self._post(body, headers)
        if not response.is_success:
            raise error_for_answer(response, self._where)
        return DeliveryResult(
            conversation_id=conversation_id_of(response),
            detail=f"{self._where} answered {response.status_code}",
        )

    async def _post(self, body: bytes, headers: dict[str, str]) -> httpx.Response:
        if self._client.is_closed:
            # Closing happens at shutdown; the run is not at fault, so another try must follow.
            raise SinkError("the http sink is closed (shutting down)", retryable=True)
        try:
            return await self._client.post(self.url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise SinkError(
                f"{self._where} did not answer within {self._timeout:g} s "
                f"({type(exc).__name__}); raise HOOKGATE_SINK_TIMEOUT if it is just slow",
                retryable=True,
            ) from exc
        except httpx.TransportError as exc:
            raise SinkError(
                f"cannot reach {self._where}: {type(exc).__name__}: {exc}",
                retryable=True,
            ) from exc

    async def aclose(self) -> None:
        """Close the pooled connections. Deliveries after this fail as retryable."""
        await self._client.aclose()

    async def __aenter__(self) -> HttpSink:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"HttpSink({self._where!r})"


__all__ = [
    "HttpSink",
    "checked_url",
    "conversation_id_of",
    "display_url",
    "encode_delivery",
    "error_for_answer",
]
