"""Group commit: many concurrent ingest requests, one transaction.

Each request hands its event to :meth:`EventWriter.write` and waits. The
writer takes whatever is queued (up to ``max_batch``), inserts it in one
transaction and only then resolves every waiter: nobody is answered before
their event is durable, and a burst of N requests costs one commit (one
fsync) instead of N. Redeliveries are resolved in the same transaction by the
``(source_id, dedup_key)`` unique constraint.

:func:`open_writer` picks the implementation: SQLite gets a dedicated writer
thread (:mod:`hookgate.store.sqlite_writer`); PostgreSQL gets
:class:`BatchWriter`, writer tasks on the event loop with several batches in
flight, each one statement through asyncpg (:mod:`hookgate.store.postgres_insert`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from hookgate.errors import ConfigurationError
from hookgate.logs import RateLimitedLog
from hookgate.store.database import Database
from hookgate.store.postgres_insert import insert_events

log = logging.getLogger("hookgate.ingest")
#: A store that fails, fails every request: one line per 10 s says so (the 503s
#: are counted in /metrics), not a traceback per request.
store_failures = RateLimitedLog(log, per_seconds=10.0)


def log_store_failure(exc: BaseException) -> None:
    """Note that an event could not be stored (its request is answered 503)."""
    store_failures.warning(
        "storing an event failed, answering 503: %s: %s", type(exc).__name__, exc
    )
    log.debug("the store failure", exc_info=exc)


NOTIFY_CHANNEL = "hookgate_work"


@dataclass(frozen=True, slots=True)
class WriteResult:
    event_id: str
    duplicate: bool


@dataclass(slots=True)
class Pending:
    """One queued event and the future its request waits on."""

    row: dict[str, Any]
    mark_verified: bool
    future: asyncio.Future[WriteResult]


class EventWriter(Protocol):
    """Stores events in shared transactions; :func:`open_writer` makes one."""

    def start(self) -> None:
        """Start writing; call on the event loop that will call :meth:`write`."""

    async def stop(self) -> None:
        """Finish what is queued, then stop."""

    async def write(self, row: dict[str, Any], *, mark_verified: bool = False) -> WriteResult:
        """Store one event row; returns once it is committed (or raises if it was not).

        :param mark_verified: also set the source's ``verified_at`` (first event).
        """


def open_writer(db: Database, *, on_commit: Callable[[], None] | None = None) -> EventWriter:
    """The event writer for ``db``; ``on_commit`` runs on the loop after each commit."""
    if not db.is_sqlite:
        return BatchWriter(db, on_commit=on_commit)
    path = db.sqlite_path
    if path is None or str(path) == ":memory:":
        raise ConfigurationError(
            "an in-memory SQLite database is private to one connection and hookgate uses "
            "several: set HOOKGATE_DATABASE_URL to a file, e.g. sqlite:///./hookgate.db"
        )
    from hookgate.store.sqlite_writer import SQLiteThreadWriter

    return SQLiteThreadWriter(path, on_commit=on_commit)


class BatchWriter:
    """Batches event inserts into shared PostgreSQL transactions, several at once
    (:mod:`hookgate.store.postgres_insert`)."""

    def __init__(
        self,
        db: Database,
        *,
        max_batch: int = 512,
        concurrency: int = 4,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self._max_batch = max_batch
        self._on_commit = on_commit
        self._queue: asyncio.Queue[Pending] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        # PostgreSQL overlaps commits: several batches in flight, each waiting for its fsync.
        self._concurrency = concurrency

    def start(self) -> None:
        if not self._tasks:
            self._tasks = [
                asyncio.create_task(self._run(), name=f"hookgate-event-writer-{n}")
                for n in range(self._concurrency)
            ]

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if not self._tasks:
            return
        await self._queue.join()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def write(self, row: dict[str, Any], *, mark_verified: bool = False) -> WriteResult:
        """Store one event row; returns once it is committed (or raises if it was not)."""
        if not self._tasks:
            raise RuntimeError("the event writer was not started: call start() first")
        future: asyncio.Future[WriteResult] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(Pending(row, mark_verified, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit_or_split(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit_or_split(self, batch: list[Pending]) -> None:
        try:
            results = await self._commit(batch)
        except Exception as exc:
            if len(batch) > 1:  # one bad row must not fail its neighbours
                for item in batch:
                    await self._commit_or_split([item])
                return
            log_store_failure(exc)
            if not batch[0].future.done():
                batch[0].future.set_exception(exc)
            return
        for item, result in zip(batch, results, strict=True):
            if not item.future.done():
                item.future.set_result(result)
        if self._on_commit is not None:
            self._on_commit()

    async def _commit(self, batch: Sequence[Pending]) -> list[WriteResult]:
        unique: dict[tuple[str, str], dict[str, Any]] = {}
        for item in batch:  # the first of several redeliveries in one batch wins
            unique.setdefault((item.row["source_id"], item.row["dedup_key"]), item.row)
        verified = sorted({item.row["source_id"] for item in batch if item.mark_verified})
        async with self._db.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            key_to_id = await insert_events(
                raw.driver_connection, list(unique.values()), verified, NOTIFY_CHANNEL
            )
        results = []
        for item in batch:
            event_id = key_to_id[(item.row["source_id"], item.row["dedup_key"])]
            results.append(WriteResult(event_id, duplicate=event_id != item.row["id"]))
        return results
