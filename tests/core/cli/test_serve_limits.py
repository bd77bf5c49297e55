"""``hookgate serve`` bounds what a client may hold before its request reaches the app:
the header deadline, the header size cap and the connection cap, against a real server."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from tests.server import hookgate_serve, ready

pytestmark = [pytest.mark.anyio, pytest.mark.slow]

HALF_SENT = b"POST /hooks/src_x/secret HTTP/1.1\r\nHost: hookgate\r\nX-Slow: "


@contextlib.contextmanager
def serve(tmp_path: Path, **limits: str) -> Iterator[str]:
    """``hookgate serve --no-worker`` with ``limits``; yields its host:port."""
    database = f"sqlite:///{tmp_path / 'hookgate.db'}"
    with hookgate_serve(database, "--no-worker", **limits) as base:
        yield base.removeprefix("http://")


@contextlib.asynccontextmanager
async def connection(
    address: str,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    host, port = address.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def test_headers_over_the_cap_are_refused_without_reading_them(tmp_path: Path) -> None:
    with serve(tmp_path, max_header_bytes="16384") as address:
        await ready(f"http://{address}")
        async with connection(address) as (reader, writer):
            writer.write(HALF_SENT + b"a" * 20_000)
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), 10)
        assert answer.startswith(b"HTTP/1.1 431 ")
        assert b"over 16384 bytes" in answer

        # 100 MB of headers: the server closes long before the sender is done.
        sent = 0
        async with connection(address) as (_, writer):
            writer.write(HALF_SENT)
            chunk = b"b" * (1 << 20)
            with contextlib.suppress(ConnectionError):
                while sent < 100 << 20:
                    writer.write(chunk)
                    await asyncio.wait_for(writer.drain(), 10)
                    sent += len(chunk)
        assert sent < 30 << 20  # what the kernel's socket buffers took, not 100 MB

        async with httpx.AsyncClient() as client:  # and the server is fine
            assert (await client.get(f"http://{address}/healthz")).status_code == 200


async def test_half_sent_connections_neither_starve_requests_nor_stay(tmp_path: Path) -> None:
    with serve(tmp_path, header_timeout="2", max_connections="20") as address:
        await ready(f"http://{address}")
        async with contextlib.AsyncExitStack() as stack:
            slow = [await stack.enter_async_context(connection(address)) for _ in range(60)]
            for _, writer in slow:
                writer.write(HALF_SENT)
                await writer.drain()
            # Three times the cap: the oldest 40 were closed to make room for the newest.
            evicted = await asyncio.wait_for(
                asyncio.gather(*(reader.read() for reader, _ in slow[:40])), 10
            )
            assert all(a == b"" or b"too many connections" in a for a in evicted)
            # With the cap full of half-sent connections, real requests still work.
            async with httpx.AsyncClient(timeout=5) as client:
                for _ in range(5):
                    answer = await client.get(f"http://{address}/healthz")
                    assert answer.status_code == 200
            # The rest are closed too: evicted by those requests, or timed out with 408.
            started = time.monotonic()
            answers = await asyncio.wait_for(
                asyncio.gather(*(reader.read() for reader, _ in slow[40:])), 10
            )
        assert all(a == b"" or a.startswith(b"HTTP/1.1 408 ") for a in answers)
        assert any(b"not received within 2.0 s" in a for a in answers)
        assert time.monotonic() - started < 8
