"""Logging: JSON lines, a request id on every line of a request, rate-limited warnings.

:func:`configure_logging` makes every log record one JSON object per line
(``hookgate serve`` and ``hookgate worker`` call it). :class:`RequestLog` is an
ASGI middleware that gives each HTTP request an id (``X-Request-Id``, taken
from the caller when well-formed), puts it on every record logged while the
request runs, and logs one ``request`` line when it ends.

Nothing secret is logged: no headers, no query strings, no bodies, and the
URL secret of ``/hooks/{source_id}/{url_secret}`` is replaced by ``***``.
"""

from __future__ import annotations

import contextvars
import json
import logging
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_HOOK_PATH = re.compile(r"^(/hooks/[^/]+/)[^/]+")


@dataclass
class RequestInfo:
    """What the request log line says about the request being served."""

    request_id: str
    actor: str | None = None
    workspace: str | None = None


_current: contextvars.ContextVar[RequestInfo | None] = contextvars.ContextVar(
    "hookgate_request", default=None
)


def current_request() -> RequestInfo | None:
    """The request being served in this task, if any (the API fills in the actor)."""
    return _current.get()


def redact_path(path: str) -> str:
    """``path`` without secrets: the URL secret of a webhook path becomes ``***``."""
    return _HOOK_PATH.sub(r"\1***", path)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, extra fields.

    Extra fields are passed as ``logger.info(msg, extra={"fields": {...}})``.
    """

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        info = _current.get()
        if info is not None:
            data["request_id"] = info.request_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            data.update(fields)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


_HANDLER_NAME = "hookgate-json"


#: Libraries that log what must not be logged at INFO or DEBUG: SQLAlchemy echoes SQL
#: with its parameters once the root logger allows INFO, httpx logs whole URLs (a sink
#: URL may carry a token). They log warnings and errors only.
QUIET = ("sqlalchemy", "httpx", "httpcore", "aiosqlite", "asyncpg")


def configure_logging(level: str = "INFO", stream: Any = None) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) as JSON lines; idempotent."""
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
    return handler


request_log = logging.getLogger("hookgate.request")


def begin_request(given: str | None) -> tuple[RequestInfo, contextvars.Token[RequestInfo | None]]:
    """Start a request: its id (``given`` when well-formed) set for every log record.

    Pass the token to :func:`end_request`. Ids are for correlation, not secrets:
    they come from the fast ``random`` generator, not the operating system's.
    """
    request_id = given if given and _REQUEST_ID.match(given) else f"{random.getrandbits(128):032x}"
    info = RequestInfo(request_id)
    return info, _current.set(info)


def end_request(
    token: contextvars.Token[RequestInfo | None],
    info: RequestInfo,
    *,
    method: str,
    path: str,
    status: int,
    seconds: float,
    log: bool = True,
    level: int = logging.INFO,
) -> None:
    """Finish a request begun with :func:`begin_request`: log its line, clear its id."""
    try:
        if log and request_log.isEnabledFor(level):
            fields = {
                "method": method,
                "path": redact_path(path),
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "actor": info.actor,
                "workspace": info.workspace,
            }
            request_log.log(
                level, "%s %s %s", method, fields["path"], status, extra={"fields": fields}
            )
    finally:
        _current.reset(token)


class RequestLog:
    """ASGI middleware: a request id per request and one JSON log line when it ends."""

    def __init__(self, app: ASGIApp, *, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        info, token = begin_request(given)
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before answering
        # Read now: routing updates this scope in place (a Mount sets root_path and keeps
        # the full path), and ASGI's path already holds the server's root_path.
        path = scope["path"]

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", info.request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            end_request(
                token,
                info,
                method=scope["method"],
                path=path,
                status=status,
                seconds=time.perf_counter() - started,
                log=self.enabled,
            )


class RateLimitedLog:
    """Logs at most one line per ``per_seconds``; counts what it held back.

    Rejected webhooks are attacker-controlled: logging each would let anyone
    fill the disk. Metrics count every rejection; the log samples them.
    """

    def __init__(self, logger: logging.Logger, per_seconds: float) -> None:
        self._logger = logger
        self._per = per_seconds
        self._next = 0.0
        self._held = 0

    def warning(self, message: str, *args: Any) -> None:
        now = time.monotonic()
        if now < self._next:
            self._held += 1
            return
        if self._held:
            message += f" (and {self._held} more held back)"
        self._held = 0
        self._next = now + self._per
        self._logger.warning(message, *args)
