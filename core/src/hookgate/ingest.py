"""The ingest path: ``POST /hooks/{source_id}/{url_secret}``.

Find the source (cached) → constant-time URL-secret check → read the body
under a size cap → the provider verifies the signature over the raw bytes →
the provider names the event → store it durably (group commit) → answer.
Nothing here calls a provider API or an agent.

=====  =====================================================================
202    stored; ``{"event_id": ...}``
200    a redelivery of a stored delivery (``"duplicate": true``), a handshake,
       or an event the provider says to ignore
400    malformed body (stored as ``malformed`` when the signature was valid:
       :mod:`hookgate.payloads` says what JSON is accepted), or an identity no
       store can hold (``invalid_identity``, :mod:`hookgate.event_limits`)
401    bad URL secret or signature (reason in ``X-Hookgate-Reason``)
404    unknown source
413    body over ``HOOKGATE_MAX_BODY_BYTES`` (the rest is drained first: :mod:`hookgate.body`)
415    a content type other than JSON or a form with a ``payload`` field
503    the store could not be written; the sender should retry
=====  =====================================================================

The endpoint is a raw ASGI app that :func:`hookgate.app.create_app` calls
ahead of the Starlette middleware stack: it is the one path taken thousands
of times a second, so it builds no ``Request``/``Response`` objects and does
its own request id, access log line and error answer.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson
from starlette.types import Receive, Scope, Send

from hookgate.body import BodyTooLarge, ClientGone, receive_body
from hookgate.errors import ProviderContractError
from hookgate.event_limits import identity_problem
from hookgate.logs import RateLimitedLog, begin_request, end_request
from hookgate.metrics import Labelled
from hookgate.payloads import accepted_media_type, media_type
from hookgate.source_cache import SourceRecord
from hookgate.store.models import new_id, utcnow
from hookgate.types import EventIdentity, EventNotice, Headers, SourceContext, WebhookRequest

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

log = logging.getLogger("hookgate.ingest")
_rejections = RateLimitedLog(log, per_seconds=10.0)


class Answer(NamedTuple):
    """What the ingest endpoint answers: a status and a JSON document."""

    status: int
    document: dict[str, Any]
    reason: str | None = None  # sent as X-Hookgate-Reason on rejections


def dedup_key(identity: EventIdentity, body: bytes, received: float, window: int) -> str:
    if identity.delivery_id:
        return identity.delivery_id  # at most DELIVERY_ID_MAX: checked before the store
    # Without a delivery id, identical bodies within one window are one event.
    return f"sha256:{hashlib.sha256(body).hexdigest()}:{int(received // window)}"


def ingest_path(path: str) -> tuple[str, str] | None:
    """``(source_id, url_secret)`` of a ``/hooks/{source_id}/{url_secret}`` path."""
    parts = path.split("/")
    if len(parts) == 4 and parts[1] == "hooks" and parts[2] and parts[3]:
        return parts[2], parts[3]
    return None


def reason_header(detail: str) -> bytes:
    """``detail`` as a header value: one line, ASCII, at most 200 characters."""
    return " ".join(detail[:200].split()).encode("ascii", "replace")


async def send_answer(send: Send, answer: Answer, request_id: str) -> None:
    body = orjson.dumps(answer.document)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-request-id", request_id.encode()),
    ]
    if answer.reason is not None:
        headers.append((b"x-hookgate-reason", reason_header(answer.reason)))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Ingest:
    """The webhook endpoint of one runtime: an ASGI app."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.metrics = runtime.metrics
        self._received = Labelled(runtime.metrics.received)
        self._stored = Labelled(runtime.metrics.stored)
        self._rejected = Labelled(runtime.metrics.rejected)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers = Headers.from_asgi(scope["headers"])
        info, token = begin_request(headers.get("x-request-id"))
        answer = Answer(500, {"error": "internal_error", "detail": "the event was not stored"})
        try:
            answer = await self.answer(scope, receive, headers)
        except ClientGone:
            answer = Answer(499, {})
        except Exception:  # a bug here must still answer, and the sender will retry
            log.exception("the ingest endpoint failed")
        try:
            if answer.status != 499:
                await send_answer(send, answer, info.request_id)
        finally:
            seconds = time.perf_counter() - started
            self.metrics.ingest_seconds.observe(seconds)
            end_request(
                token,
                info,
                method=scope["method"],
                path=scope.get("root_path", "") + scope["path"],
                status=answer.status,
                seconds=seconds,
                log=self.runtime.settings.log_requests,
                # Every delivery is in the event store and in /metrics already; at
                # thousands a second an INFO line each costs a tenth of the throughput.
                level=logging.DEBUG,
            )

    def reject(self, status: int, reason: str, detail: str, source: str = "") -> Answer:
        self._rejected(reason).inc()
        _rejections.warning("rejected webhook for source %s: %s (%s)", source, reason, detail)
        self.runtime.plugins.event_notice(
            EventNotice(kind="rejected", source_id=source, detail=reason)
        )
        return Answer(status, {"error": reason, "detail": detail}, reason=detail)

    async def answer(self, scope: Scope, receive: Receive, headers: Headers) -> Answer:
        params = scope["path_params"]  # set by the router or by HookgateApp
        source_id, url_secret = params["source_id"], params["url_secret"]
        source = await self.runtime.sources.get(source_id)
        if source is None:
            return self.reject(404, "unknown_source", "no such webhook source", source_id)
        if not hmac.compare_digest(url_secret.encode(), source.url_secret.encode()):
            return self.reject(401, "bad_url_secret", "the URL secret does not match", source.id)
        self._received(source.provider).inc()
        limit = self.runtime.settings.max_body_bytes
        try:
            body = await receive_body(
                receive,
                headers.get("content-length"),
                limit,
                expect_continue=headers.get("expect", "").lower() == "100-continue",
            )
        except BodyTooLarge:
            return self.reject(413, "too_large", f"body over {limit} bytes", source.id)
        webhook = WebhookRequest(
            method=scope["method"],
            path=scope.get("root_path", "") + scope["path"],
            headers=headers,
            body=body,
            received_at=utcnow(),
            content_type=media_type(headers.get("content-type")),
        )
        return await self.verified(source, webhook)

    async def verified(self, source: SourceRecord, webhook: WebhookRequest) -> Answer:
        hooks = self.runtime.plugins.provider(source.provider)
        context = source.context(webhook.received_at)
        try:
            verification = hooks.verify_signature(context, webhook)
        except Exception as exc:  # a provider bug must not let a request through
            log.exception("provider %s: verify_signature failed", source.provider)
            verification_reason = f"signature check failed: {type(exc).__name__}"
            return self.reject(401, "bad_signature", verification_reason, source.id)
        if not verification.valid:
            return self.reject(401, "bad_signature", verification.reason, source.id)
        if verification.unsigned:
            self.metrics.unverified.labels(source.provider).inc()
        if not accepted_media_type(webhook.content_type):
            detail = f"content type {webhook.content_type!r}: send JSON or a form with 'payload'"
            return self.reject(415, "unsupported_media_type", detail, source.id)
        return await self.identified(source, context, webhook, unsigned=verification.unsigned)

    async def identified(
        self,
        source: SourceRecord,
        context: SourceContext,
        webhook: WebhookRequest,
        *,
        unsigned: bool,
    ) -> Answer:
        hooks = self.runtime.plugins.provider(source.provider)
        problem = None
        try:
            webhook.json()  # parsed once: the provider's identify_event reuses it
        except ValueError as exc:
            problem = f"malformed body: {exc}"
        try:
            identity = hooks.identify_event(context, webhook)
        except (ValueError, ProviderContractError, RecursionError) as exc:
            # RecursionError: a provider parsing the body itself, without the bounded parser.
            identity = EventIdentity(event_type="unknown")
            problem = problem or str(exc) or type(exc).__name__
        kept = self.runtime.plugins.info(source.provider).kept_headers
        headers = {
            **{k: webhook.headers[k] for k in kept if k in webhook.headers},
            **{f"hookgate.{k}": v for k, v in identity.metadata.items()},
        }
        refused = self.unstorable(source, webhook, identity, headers)
        if refused is not None:
            return refused
        status = "pending"
        if problem:
            status = "malformed"
        elif identity.handshake:
            status = "handshake"
        elif identity.ignore:
            status = "ignored"
        result = await self.store(source, webhook, identity, headers, status, problem, unsigned)
        if isinstance(result, Answer):
            return result
        event_id, duplicate = result
        if problem:
            document = {"error": "malformed", "detail": problem, "event_id": event_id}
            return Answer(400, document, reason=problem)
        if duplicate:
            return Answer(200, {"event_id": event_id, "duplicate": True})
        if identity.handshake:
            return Answer(200, dict(identity.handshake_response or {"ok": True}))
        if identity.ignore:
            return Answer(200, {"event_id": event_id, "ignored": identity.ignore_reason})
        return Answer(202, {"event_id": event_id})

    def unstorable(
        self,
        source: SourceRecord,
        webhook: WebhookRequest,
        identity: EventIdentity,
        headers: dict[str, str],
    ) -> Answer | None:
        """400 when the identity holds what no store can (NUL, a lone surrogate) or is
        over its column's size: refused the same on every store, never cut or retried."""
        problem = identity_problem(
            identity.event_type,
            identity.delivery_id,
            webhook.content_type,
            ((f"header {k}", v) for k, v in headers.items()),
        )
        if problem is None:
            return None
        return self.reject(400, "invalid_identity", problem, source.id)

    async def store(
        self,
        source: SourceRecord,
        webhook: WebhookRequest,
        identity: EventIdentity,
        headers: dict[str, str],
        status: str,
        problem: str | None,
        unsigned: bool,
    ) -> tuple[str, bool] | Answer:
        received, window = webhook.received_at.timestamp(), self.runtime.settings.dedup_window
        row = {
            "id": new_id("evt"),
            "source_id": source.id,
            "dedup_key": dedup_key(identity, webhook.body, received, window),
            "delivery_id": identity.delivery_id,
            "event_type": identity.event_type,
            "body": webhook.body,
            "headers": headers,
            "content_type": webhook.content_type,
            "received_at": webhook.received_at,
            "status": status,
            "detail": problem or identity.ignore_reason or None,
            "unverified": unsigned,
            "generation": 0,
        }
        try:
            result = await self.runtime.writer.write(row, mark_verified=not source.verified)
        except Exception:
            return self.reject(503, "store_unavailable", "the event could not be stored", source.id)
        source.verified = True
        if result.duplicate:
            self.metrics.duplicates.inc()
        else:
            self._stored(source.provider).inc()
        self.runtime.plugins.event_notice(
            EventNotice(
                kind="duplicate" if result.duplicate else "stored",
                source_id=source.id,
                event_id=result.event_id,
                event_type=identity.event_type,
            )
        )
        return result.event_id, result.duplicate
