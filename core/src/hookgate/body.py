"""Reading request bodies under a size cap, for the webhook endpoint and the admin API.

A body over the cap is refused while it is read (:class:`BodyTooLarge`), and
the rest of it is read and thrown away first, within :data:`DRAIN_BYTES` and
:data:`DRAIN_SECONDS` (nginx's "lingering close"). Clients that write the
whole body before they read the answer (Python's urllib, anything calling
``sendall``) otherwise find the connection reset under them and report a
network error instead of the 413: a server that closes a socket with unread
data in its receive buffer sends a TCP reset.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.requests import Request
from starlette.types import Receive

#: At most this many bytes of a refused body are read and thrown away.
DRAIN_BYTES = 16 * 1024 * 1024
#: For at most this long; a slower sender gets the answer and a closed connection.
DRAIN_SECONDS = 5.0


class BodyTooLarge(Exception):
    """The body passed the configured limit."""


class ClientGone(Exception):
    """The client disconnected before sending the whole body."""


async def read_body(request: Request, limit: int) -> bytes:
    """The body of a Starlette request, refused past ``limit`` bytes."""
    headers = request.headers
    return await receive_body(
        request.receive,
        headers.get("content-length"),
        limit,
        expect_continue=headers.get("expect", "").lower() == "100-continue",
    )


async def receive_body(
    receive: Receive, declared: str | None, limit: int, *, expect_continue: bool = False
) -> bytes:
    """Read an ASGI request body; :class:`BodyTooLarge` as soon as it passes ``limit``.

    :param declared: the ``Content-Length`` header, if any.
    :param expect_continue: the client sent ``Expect: 100-continue``: a body
        declared too large is refused before it is sent, so nothing is drained.
    """
    if declared is not None and declared.isdigit() and int(declared) > limit:
        if not expect_continue and int(declared) <= DRAIN_BYTES:
            await drain(receive)
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            if message.get("more_body", False):
                await drain(receive)
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def drain(receive: Receive) -> None:
    """Read and discard the rest of a body, up to :data:`DRAIN_BYTES` within
    :data:`DRAIN_SECONDS`; returns early when it ends or the client leaves."""
    drained = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(DRAIN_SECONDS):
            while drained <= DRAIN_BYTES:
                message = await receive()
                if message["type"] != "http.request":
                    return
                drained += len(message.get("body", b""))
                if not message.get("more_body", False):
                    return


__all__ = [
    "DRAIN_BYTES",
    "DRAIN_SECONDS",
    "BodyTooLarge",
    "ClientGone",
    "drain",
    "read_body",
    "receive_body",
]
