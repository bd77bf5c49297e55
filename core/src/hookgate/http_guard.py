"""What a client may hold of ``hookgate serve`` before its request reaches the app.

uvicorn's protocols read request headers without a time limit or a size limit
(h11's ``max_incomplete_event_size`` bounds h11 only; httptools has none), and
accept connections until the process runs out of file descriptors: 1,100
half-sent connections took every descriptor of a 1,024 limit, and one request
with 100 MB of headers was read in full. The protocol here is uvicorn's
httptools protocol with three limits added:

- a request's line and headers must arrive within ``header_timeout`` seconds
  of its first byte (or of the connection): else ``408`` and the connection
  is closed;
- they may be at most ``max_header_bytes``: past that, ``431`` and closed, at
  once, without reading the rest;
- at most ``max_connections`` are open: a new connection past it closes the
  oldest connection still sending its headers (a half-sent connection never
  starves a real request), or is closed itself when every connection is busy.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from dataclasses import dataclass, field
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from hookgate.config import Settings

log = logging.getLogger("hookgate.http")

#: Connections at most when ``HOOKGATE_MAX_CONNECTIONS`` is 0, and the descriptors kept
#: free for the database, log files and outgoing requests under a low open-file limit.
DEFAULT_MAX_CONNECTIONS = 1000
SPARE_DESCRIPTORS = 100

_REASONS = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


def max_connections(configured: int) -> int:
    """``configured``, or when 0 the default lowered to fit the open-file limit."""
    if configured:
        return configured
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return DEFAULT_MAX_CONNECTIONS
    return max(16, min(DEFAULT_MAX_CONNECTIONS, soft - SPARE_DESCRIPTORS))


@dataclass
class Limits:
    header_timeout: float
    max_header_bytes: int
    max_connections: int
    #: Connections sending headers now, oldest first (a dict keeps insertion order).
    waiting: dict[GuardedProtocol, None] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            settings.header_timeout,
            settings.max_header_bytes,
            max_connections(settings.max_connections),
        )


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a header deadline, a header cap and a connection cap."""

    limits: ClassVar[Limits]

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        over = len(self.connections) >= self.limits.max_connections
        super().connection_made(transport)
        self._awaiting = False
        self._between = False
        self._header_bytes = 0
        self._timer: asyncio.TimerHandle | None = None
        if over and not self._evict_oldest():
            log.debug("connection refused: %d connections open", len(self.connections))
            transport.close()
            return
        self._wait_for_headers()

    def _evict_oldest(self) -> bool:
        for oldest in self.limits.waiting:
            oldest._refuse(408, "too many connections; this one was still sending its headers")
            return True
        return False

    def _wait_for_headers(self) -> None:
        self._awaiting, self._header_bytes = True, 0
        self.limits.waiting[self] = None
        self._timer = self.loop.call_later(self.limits.header_timeout, self._too_slow)

    def _headers_done(self) -> None:
        self._awaiting = False
        self.limits.waiting.pop(self, None)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _sending_headers(self) -> bool:
        return self in self.limits.waiting

    def _too_slow(self) -> None:
        if self._awaiting:
            self._refuse(408, f"request headers not received within {self.limits.header_timeout} s")

    def _refuse(self, status: int, message: str) -> None:
        self._headers_done()
        if self.transport.is_closing():
            return
        body = message.encode()
        self.transport.write(
            b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
            b"content-length: %d\r\nconnection: close\r\n\r\n%s"
            % (status, _REASONS[status], len(body), body)
        )
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._between and (self.cycle is None or self.cycle.response_complete):
            self._between = False  # these bytes begin the next request on this connection
            self._wait_for_headers()
        if self._awaiting:
            room = self.limits.max_header_bytes - self._header_bytes
            if len(data) > room:
                self._header_bytes = self.limits.max_header_bytes
                if room > 0:
                    super().data_received(data[:room])  # the headers may end inside it
                if self._sending_headers():
                    limit = self.limits.max_header_bytes
                    self._refuse(431, f"request line and headers over {limit} bytes")
                    return
                data = data[room:]
                if self.transport.is_closing():
                    return
            else:
                self._header_bytes += len(data)
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._headers_done()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._between = True

    def connection_lost(self, exc: Exception | None) -> None:
        self._headers_done()
        super().connection_lost(exc)


def guarded_protocol(settings: Settings) -> type[GuardedProtocol]:
    """A protocol class for ``uvicorn.Config(http=...)`` with ``settings``' limits."""
    limits = Limits.from_settings(settings)
    attributes: dict[str, Any] = {"limits": limits}
    return type("GuardedProtocol", (GuardedProtocol,), attributes)


__all__ = ["GuardedProtocol", "Limits", "guarded_protocol", "max_connections"]
