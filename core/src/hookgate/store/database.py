"""The database: one async SQLAlchemy engine for SQLite and PostgreSQL.

``HOOKGATE_DATABASE_URL`` picks it. ``sqlite:///path`` and ``postgresql://...``
are accepted as written and mapped to their async drivers (aiosqlite,
asyncpg). SQLite runs in WAL mode with ``synchronous=FULL``: an answered
webhook survives a crash of the process or the machine.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from hookgate.errors import ConfigurationError

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


def normalize_url(url: str) -> str:
    """Map a plain database URL to its async driver; refuse unsupported databases."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigurationError(f"HOOKGATE_DATABASE_URL is not a database URL: {exc}") from exc
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql", "postgres"):
        raise ConfigurationError(
            f"HOOKGATE_DATABASE_URL: unsupported database {backend!r}; "
            "use sqlite:///path/to/hookgate.db or postgresql://user@host/db"
        )
    if "+" not in parsed.drivername:
        parsed = parsed.set(drivername=_DRIVERS[backend])
    return parsed.render_as_string(hide_password=False)


WAL_AUTOCHECKPOINT_PAGES = 300


def apply_sqlite_pragmas(dbapi_connection: Any, record: ConnectionPoolEntry | None = None) -> None:
    """The settings every SQLite connection of hookgate runs with."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # Small checkpoints inside the commit that crosses the threshold (about 1 MiB of
    # WAL). Measured on ingest load: large or background checkpoints (a second
    # connection copying tens of MiB while the writer commits) entangle their
    # fsyncs with the writer's and stall commits for 20-150 ms; 300-page inline
    # checkpoints cost a millisecond or two each and no commit took over 10 ms.
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cursor.close()


def create_private(path: Path) -> None:
    """Create the SQLite file readable by its owner only (it holds every payload), unless
    it exists. SQLite gives its ``-wal`` and ``-shm`` files the database file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


class Database:
    """An engine, a session factory and what differs between the two databases."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = normalize_url(url)
        parsed = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        options: dict[str, Any] = {"pool_pre_ping": not self.is_sqlite}
        if not self.is_sqlite:
            options.update(pool_size=pool_size, max_overflow=pool_size)
        self.engine: AsyncEngine = create_async_engine(self.url, **options)
        if self.is_sqlite:
            event.listen(self.engine.sync_engine, "connect", apply_sqlite_pragmas)
            if parsed.database and parsed.database != ":memory:":
                create_private(Path(parsed.database))
        self.session = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def sqlite_path(self) -> Path | None:
        database = make_url(self.url).database
        return Path(database) if self.is_sqlite and database else None

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
