"""Group commit on SQLite: one thread, one connection, one hop per batch.

The event loop only queues each event and is woken once per committed batch.
Everything else (binding ~20 KB bodies, the insert, the fsync of the commit)
runs on this thread, where the ``sqlite3`` module releases the GIL, so the
loop keeps serving requests while a batch is written. Through the async
engine the same batch would cost several loop round trips (begin, insert,
commit), each waiting behind whatever requests the loop is busy with; that
wait, not SQLite, was what bounded ingest.

Rows are written with the column encodings SQLAlchemy uses for the same
model on SQLite (naive-UTC ``YYYY-MM-DD HH:MM:SS.ffffff`` text, JSON text,
0/1 booleans), so the ORM reads them back unchanged; a test holds both to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from hookgate.store.database import apply_sqlite_pragmas
from hookgate.store.models import EVENT_COLUMNS, naive_utc, utcnow
from hookgate.store.writer import Pending, WriteResult, log_store_failure

log = logging.getLogger("hookgate.ingest")

_ROW = f"({', '.join('?' * len(EVENT_COLUMNS))})"
#: Rows per batch, all in one INSERT: well under SQLite's 32,766 bound parameters.
MAX_BATCH = 1000


def insert_statement(rows: int) -> str:
    """One INSERT of ``rows`` rows.

    One statement, not ``executemany``: the module releases and re-takes the
    GIL around every step, and each re-take can wait a switch interval behind
    the busy event loop; per batch that is now a handful of waits, not one per row.
    """
    values = ", ".join([_ROW] * rows)  # placeholders only: values are bound
    return (
        f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES {values} "  # noqa: S608
        "ON CONFLICT (source_id, dedup_key) DO NOTHING"
    )


_STOP = object()


def sqlite_datetime(value: datetime) -> str:
    """The text SQLAlchemy's SQLite ``DateTime`` stores for an aware UTC time."""
    return naive_utc(value).strftime("%Y-%m-%d %H:%M:%S.%f")


def encode_row(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["id"],
        row["source_id"],
        row["dedup_key"],
        row["delivery_id"],
        row["event_type"],
        row["body"],
        orjson.dumps(row["headers"]).decode(),
        row["content_type"],
        sqlite_datetime(row["received_at"]),
        row["status"],
        row["detail"],
        1 if row["unverified"] else 0,
        row["generation"],
    )


class SQLiteThreadWriter:
    """Writes events to one SQLite file from a dedicated thread."""

    def __init__(
        self,
        path: Path,
        *,
        max_batch: int = 512,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._path = path
        self._max_batch = min(max_batch, MAX_BATCH)
        self._on_commit = on_commit
        self._queue: queue.SimpleQueue[Pending | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Future[None] | None = None
        self._connection: sqlite3.Connection

    def start(self) -> None:
        if self._thread is not None:
            return
        self._loop = asyncio.get_running_loop()
        self._stopped = self._loop.create_future()
        # Connect here, so a database that cannot be opened fails the start.
        self._connection = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False
        )
        apply_sqlite_pragmas(self._connection)
        self._thread = threading.Thread(target=self._run, name="hookgate-event-writer", daemon=True)
        self._thread.start()

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if self._thread is None or self._stopped is None:
            return
        self._queue.put(_STOP)
        await self._stopped
        self._thread.join()
        self._thread = None

    async def write(self, row: dict[str, Any], *, mark_verified: bool = False) -> WriteResult:
        """Store one event row; returns once it is committed (or raises if it was not)."""
        if self._loop is None or self._thread is None:
            raise RuntimeError("the event writer was not started: call start() first")
        future: asyncio.Future[WriteResult] = self._loop.create_future()
        self._queue.put(Pending(row, mark_verified, future))
        return await future

    # -- the writer thread -------------------------------------------------------

    def _run(self) -> None:
        connection = self._connection
        try:
            while True:
                batch, stopping = self._next_batch()
                if batch:
                    outcomes = self._commit_or_split(connection, batch)
                    self._call_loop(self._resolve, batch, outcomes)
                if stopping:
                    return
        finally:
            connection.close()
            self._call_loop(self._finish)

    def _next_batch(self) -> tuple[list[Pending], bool]:
        batch: list[Pending] = []
        item = self._queue.get()
        while True:
            if item is _STOP:
                return batch, True
            assert isinstance(item, Pending)
            batch.append(item)
            if len(batch) >= self._max_batch:
                return batch, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, False

    def _commit_or_split(
        self, connection: sqlite3.Connection, batch: Sequence[Pending]
    ) -> list[WriteResult | BaseException]:
        try:
            return list(self._commit(connection, batch))
        except Exception as exc:
            if len(batch) == 1:
                log_store_failure(exc)
                return [exc]
            # One bad row must not fail its neighbours.
            return [self._commit_or_split(connection, [item])[0] for item in batch]

    def _commit(
        self, connection: sqlite3.Connection, batch: Sequence[Pending]
    ) -> list[WriteResult]:
        unique: dict[tuple[str, str], dict[str, Any]] = {}
        for item in batch:  # the first of several redeliveries in one batch wins
            unique.setdefault((item.row["source_id"], item.row["dedup_key"]), item.row)
        before = connection.total_changes
        # One statement in autocommit mode is one transaction: durable when
        # execute() returns, and a single trip through the GIL (see insert_statement).
        connection.execute(
            insert_statement(len(unique)), [v for row in unique.values() for v in encode_row(row)]
        )
        found = {key: row["id"] for key, row in unique.items()}
        if connection.total_changes - before != len(unique):
            found.update(self._stored_ids(connection, list(unique)))
        verified = sorted({item.row["source_id"] for item in batch if item.mark_verified})
        if verified:  # a source's first event only: its own small transaction
            marks = ", ".join("?" * len(verified))  # placeholders only: values are bound
            connection.execute(
                f"UPDATE sources SET verified_at = ? WHERE verified_at IS NULL AND id IN ({marks})",  # noqa: S608
                [sqlite_datetime(utcnow()), *verified],
            )
        return [
            WriteResult(event_id, duplicate=event_id != item.row["id"])
            for item in batch
            for event_id in (found[(item.row["source_id"], item.row["dedup_key"])],)
        ]

    @staticmethod
    def _stored_ids(
        connection: sqlite3.Connection, keys: list[tuple[str, str]]
    ) -> dict[tuple[str, str], str]:
        """The ids already stored under ``keys`` (redeliveries keep the first id)."""
        found = {}
        for source_id, dedup_key in keys:
            row = connection.execute(
                "SELECT id FROM events WHERE source_id = ? AND dedup_key = ?",
                (source_id, dedup_key),
            ).fetchone()
            if row is not None:
                found[(source_id, dedup_key)] = row[0]
        return found

    def _call_loop(self, callback: Callable[..., None], *args: Any) -> None:
        assert self._loop is not None
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            self._loop.call_soon_threadsafe(callback, *args)

    # -- back on the event loop -------------------------------------------------

    def _resolve(self, batch: list[Pending], outcomes: list[WriteResult | BaseException]) -> None:
        for item, outcome in zip(batch, outcomes, strict=True):
            if item.future.done():
                continue
            if isinstance(outcome, BaseException):
                item.future.set_exception(outcome)
            else:
                item.future.set_result(outcome)
        if self._on_commit is not None and not all(isinstance(o, BaseException) for o in outcomes):
            self._on_commit()

    def _finish(self) -> None:
        if self._stopped is not None and not self._stopped.done():
            self._stopped.set_result(None)
