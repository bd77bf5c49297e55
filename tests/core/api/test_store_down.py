"""While the database cannot be reached the admin API answers 503 store_unavailable (retry),
not 500, and recovers by itself when the database is back."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.engine import make_url

from tests.core.api.support import world
from tests.server import free_port

pytestmark = pytest.mark.anyio


class Proxy:
    """A TCP relay in front of PostgreSQL that can be cut (the database 'goes down')."""

    def __init__(self, upstream_port: int) -> None:
        self.port = free_port()
        self.upstream_port = upstream_port
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            writer.close()
        await self.server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        self.writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@contextlib.asynccontextmanager
async def proxied(postgres_url: str) -> AsyncIterator[tuple[Proxy, str]]:
    url = make_url(postgres_url)
    proxy = Proxy(url.port or 5432)
    await proxy.start()
    try:
        yield proxy, url.set(port=proxy.port).render_as_string(hide_password=False)
    finally:
        with contextlib.suppress(Exception):
            await proxy.cut()


@pytest.mark.postgres
async def test_postgresql_down_is_503_then_recovers(postgres_url: str) -> None:
    async with proxied(postgres_url) as (proxy, url), world(url) as w:
        admin = w.clients["admin"]
        assert (await admin.get("/sources")).status_code == 200
        await proxy.cut()
        for path in ("/sources", "/triggers", "/audit"):
            down = await admin.get(path)
            assert down.status_code == 503, down.text
            assert down.json()["error"]["code"] == "store_unavailable"
            assert down.headers["retry-after"] == "5"
        await proxy.start()
        assert (await admin.get("/sources")).status_code == 200


@pytest.mark.slow
async def test_a_locked_sqlite_database_is_503(sqlite_url: str) -> None:
    async with world(sqlite_url) as w:
        path = make_url(sqlite_url).database
        assert path is not None
        locker = sqlite3.connect(path, isolation_level=None)
        try:
            locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
            busy = await w.clients["admin"].post(
                "/sources", json={"provider": "custom", "name": "x", "config": {}}, timeout=30
            )
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert busy.status_code == 503, busy.text  # after SQLite's 10 s busy timeout
        assert busy.json()["error"]["code"] == "store_unavailable"
