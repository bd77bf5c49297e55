"""Create and drop PostgreSQL test databases (CREATE DATABASE cannot run in a transaction)."""

from __future__ import annotations

import asyncio
import threading

import asyncpg
from sqlalchemy.engine import make_url


def plain_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def execute(url: str, sql: str) -> None:
    """Run one statement outside any event loop the caller may be in."""

    async def run() -> None:
        conn = await asyncpg.connect(plain_dsn(url))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
