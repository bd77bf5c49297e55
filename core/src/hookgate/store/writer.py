"""Group commit: many concurrent ingest requests, one transaction.

Each request hands its event to :meth:`EventWriter.write` and waits. The
writer takes whatever is queued (up to ``max_batch``), inserts it in one
transaction and only then resolves every waiter: nobody is answered before
their event is durable, and a burst of N requests costs one commit (one
fsync) instead of N. Redeliveries are resolved in the same transaction by the
``(source_id, dedup_key)`` unique constraint.

:func:`open_writer` picks the implementation: a file SQLite database gets a
dedicated writer thread (:mod:`hookgate.store.sqlite_writer`); PostgreSQL
(and in-memory SQLite) gets :class:`BatchWriter`, writer tasks on the event
loop through the async engine, several batches in flight on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from sqlalchemy import Insert, Table, select, text, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from hookgate.store.database import Database
from hookgate.store.models import Event, Source, utcnow

EVENTS: Table = Event.__table__  # type: ignore[assignment]

log = logging.getLogger("hookgate.ingest")

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
    path = db.sqlite_path
    if path is not None and str(path) != ":memory:":
        from hookgate.store.sqlite_writer import SQLiteThreadWriter

        return SQLiteThreadWriter(path, on_commit=on_commit)
    return BatchWriter(db, on_commit=on_commit)


class BatchWriter:
    """Batches event inserts into shared transactions through the async engine."""

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
        # SQLite has one writer at a time; PostgreSQL overlaps commits, so several
        # batches can be in flight (each waits for its own fsync).
        self._concurrency = 1 if db.is_sqlite else concurrency

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
            log.exception("storing an event failed; answering 503")
            if not batch[0].future.done():
                batch[0].future.set_exception(exc)
            return
        for item, result in zip(batch, results, strict=True):
            if not item.future.done():
                item.future.set_result(result)
        if self._on_commit is not None:
            self._on_commit()

    async def _commit(self, batch: Sequence[Pending]) -> list[WriteResult]:
        async with self._db.engine.begin() as conn:
            key_to_id = await self._insert(conn, [item.row for item in batch])
            verified = {item.row["source_id"] for item in batch if item.mark_verified}
            if verified:
                await conn.execute(
                    update(Source)
                    .where(Source.id.in_(verified), Source.verified_at.is_(None))
                    .values(verified_at=utcnow())
                )
            if not self._db.is_sqlite:
                await conn.execute(text(f"NOTIFY {NOTIFY_CHANNEL}, 'events'"))
        results = []
        for item in batch:
            event_id = key_to_id[(item.row["source_id"], item.row["dedup_key"])]
            results.append(WriteResult(event_id, duplicate=event_id != item.row["id"]))
        return results

    async def _insert(
        self, conn: AsyncConnection, rows: list[dict[str, Any]]
    ) -> dict[tuple[str, str], str]:
        unique: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:  # the first of several redeliveries in one batch wins
            unique.setdefault((row["source_id"], row["dedup_key"]), row)
        # One statement executed with many parameter sets: compiled once and
        # cached whatever the batch size; RETURNING gives the ids inserted, so
        # only redeliveries need a second look-up.
        inserted = await conn.execute(self._insert_statement, list(unique.values()))
        found = {(s, k): i for i, s, k in inserted.all()}
        missing = [key for key in unique if key not in found]
        if missing:
            existing = await conn.execute(
                select(EVENTS.c.id, EVENTS.c.source_id, EVENTS.c.dedup_key).where(
                    tuple_(EVENTS.c.source_id, EVENTS.c.dedup_key).in_(missing)
                )
            )
            found.update({(s, k): i for i, s, k in existing.all()})
        return found

    @cached_property
    def _insert_statement(self) -> Insert:
        dialect = sqlite if self._db.is_sqlite else postgresql
        statement: Insert = (
            dialect.insert(EVENTS)
            .on_conflict_do_nothing(index_elements=["source_id", "dedup_key"])
            .returning(EVENTS.c.id, EVENTS.c.source_id, EVENTS.c.dedup_key)
        )
        return statement
