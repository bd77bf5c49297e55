"""Load generators and a timing sink receiver for the benchmarks."""

from __future__ import annotations

import asyncio
import gc
import itertools
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def _with_id(headers: dict[str, str], delivery: str) -> dict[str, str]:
    return {**headers, "X-Delivery-Id": delivery}


async def closed_loop(
    url: str, body: bytes, headers: dict[str, str], duration: int, connections: int
) -> dict[str, Any]:
    """``connections`` clients sending back to back (the fallback when wrk is missing)."""
    latencies: list[float] = []
    failures = 0
    deadline = time.perf_counter() + duration
    counter = itertools.count()
    prefix = uuid.uuid4().hex[:8]
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal failures
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                answer = await client.post(
                    url, content=body, headers=_with_id(headers, f"{prefix}-{next(counter)}")
                )
                latencies.append((time.perf_counter() - started) * 1000)
                failures += answer.status_code >= 300

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        seconds = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 50),
        "p99_ms": percentile(latencies, 99),
        "non2xx": failures,
        "errors": 0,
    }


class _Connection:
    """A keep-alive HTTP/1.1 connection that sends prepared requests (cheap per request,
    unlike a general client, so the generator itself does not become the bottleneck)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        return status, await self.reader.readexactly(length)


def _raw_request(url: httpx.URL, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [
        f"POST {url.raw_path.decode()} HTTP/1.1",
        f"Host: {url.host}:{url.port}",
        f"Content-Length: {len(body)}",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def open_loop(
    url: str,
    body: bytes,
    headers: dict[str, str],
    rate: float,
    duration: int,
    record_sends: dict[str, float] | None = None,
) -> list[float]:
    """Send at a constant ``rate`` whatever the answers take; returns latencies in ms.

    Requests go out on schedule over a pool of keep-alive connections (a new one
    is opened when all are busy), so a slow server shows as latency, not as a
    lower sending rate.
    """
    target = httpx.URL(url)
    latencies: list[float] = []
    idle: list[_Connection] = []
    prefix = uuid.uuid4().hex[:8]

    async def one(i: int) -> None:
        raw = _raw_request(target, body, _with_id(headers, f"{prefix}-{i}"))
        conn = (
            idle.pop()
            if idle
            else _Connection(*await asyncio.open_connection(target.host, target.port))
        )
        sent_at, started = time.time(), time.perf_counter()
        try:
            status, answer = await conn.request(raw)
        except (asyncio.IncompleteReadError, ConnectionError):
            # The server closed an idle keep-alive connection: send again on a new one.
            conn = _Connection(*await asyncio.open_connection(target.host, target.port))
            status, answer = await conn.request(raw)
        latencies.append((time.perf_counter() - started) * 1000)
        idle.append(conn)
        if record_sends is not None and status == 202:
            record_sends[json.loads(answer)["event_id"]] = sent_at

    # The client's own garbage collections (its heap holds hookgate, SQLAlchemy, ...)
    # would pause it for tens of milliseconds and show up as server latency.
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        await _send_all(one, rate, duration)
    finally:
        gc.enable()
        gc.unfreeze()
    for conn in idle:
        conn.writer.close()
    return latencies


async def _send_all(one: Callable[[int], Awaitable[None]], rate: float, duration: int) -> None:
    begin = time.perf_counter()
    tasks = []
    for i in range(int(rate * duration)):
        delay = begin + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)


class SinkReceiver:
    """Receives runs from hookgate's HTTP sink and notes when each arrived."""

    def __init__(self) -> None:
        self.sent: dict[str, float] = {}
        self.arrived: dict[str, float] = {}
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def receive(self, request: Request) -> Response:
        run = await request.json()
        self.arrived[run["event_id"]] = time.time()
        return JSONResponse({"conversation_id": run["run_id"]})

    async def start(self) -> str:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        app = Starlette(routes=[Route("/runs", self.receive, methods=["POST"])])
        self._server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            await asyncio.sleep(0.01)
        return f"http://127.0.0.1:{port}/runs"

    async def wait_for(self, count: int, timeout: float) -> None:
        deadline = time.perf_counter() + timeout
        while len(self.arrived) < count and time.perf_counter() < deadline:
            await asyncio.sleep(0.05)

    def latencies(self) -> list[float]:
        """Milliseconds from sending each webhook to receiving its run."""
        return [(self.arrived[e] - t) * 1000 for e, t in self.sent.items() if e in self.arrived]

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
