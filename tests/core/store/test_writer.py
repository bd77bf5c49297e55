"""The event writer (group commit), on SQLite (its own thread) and PostgreSQL (async engine)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hookgate import Runtime
from hookgate.store.models import Event, Source, new_id, utcnow
from hookgate.store.sqlite_writer import SQLiteThreadWriter
from hookgate.store.writer import BatchWriter, open_writer
from sqlalchemy import func, select, text

from tests.support import custom_source, settings_for

pytestmark = pytest.mark.anyio


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    async with Runtime(settings_for(database_url, providers="custom")) as rt:
        yield rt


async def a_source(runtime: Runtime) -> str:
    return (await custom_source(runtime, "w")).id


def event_row(source_id: str, key: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": new_id("evt"),
        "source_id": source_id,
        "dedup_key": key,
        "delivery_id": key,
        "event_type": "push",
        "body": b'{"a": 1, "text": "\xc3\xa9\\u0000"}',
        "headers": {"x-delivery": key, "hookgate.note": "é"},
        "content_type": "application/json",
        "received_at": datetime(2026, 11, 27, 12, 0, 0, 0, tzinfo=UTC),
        "status": "pending",
        "detail": None,
        "unverified": False,
        "generation": 0,
    }
    row.update(changes)
    return row


async def stored(runtime: Runtime, event_id: str) -> Event:
    async with runtime.db.session() as session:
        event = await session.get(Event, event_id)
    assert event is not None
    return event


async def test_each_database_gets_its_writer(runtime: Runtime) -> None:
    expected = SQLiteThreadWriter if runtime.db.is_sqlite else BatchWriter
    assert isinstance(runtime.writer, expected)


async def test_what_is_written_reads_back_unchanged_through_the_models(runtime: Runtime) -> None:
    source_id = await a_source(runtime)
    plain = event_row(source_id, "d1")
    odd = event_row(
        source_id,
        "d2",
        delivery_id=None,
        received_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        status="malformed",
        detail="malformed body: expected value",
        unverified=True,
        generation=3,
        headers={},
    )
    for row in (plain, odd):
        result = await runtime.writer.write(row)
        assert (result.event_id, result.duplicate) == (row["id"], False)
        event = await stored(runtime, row["id"])
        for column, value in row.items():
            assert getattr(event, column) == value, column
        assert event.claimed_at is None
        assert event.processed_at is None


async def test_a_time_written_by_either_path_orders_with_the_others(runtime: Runtime) -> None:
    """The queue orders and filters by ``received_at``: every writer must store it alike."""
    source_id = await a_source(runtime)
    base = utcnow()
    times = [base + timedelta(microseconds=n) for n in (0, 1, 999_999, 1_000_000)]
    via_writer = [event_row(source_id, f"w{n}", received_at=t) for n, t in enumerate(times)]
    for row in via_writer[::2]:
        await runtime.writer.write(row)
    async with runtime.db.session() as session, session.begin():
        for row in via_writer[1::2]:
            session.add(Event(**row))
    async with runtime.db.session() as session:
        ordered = (await session.scalars(select(Event.id).order_by(Event.received_at))).all()
        after = await session.scalar(
            select(func.count(Event.id)).where(Event.received_at > times[1])
        )
    assert list(ordered) == [r["id"] for r in via_writer]
    assert after == 2


async def test_redeliveries_keep_the_first_id_in_one_batch_and_across(runtime: Runtime) -> None:
    source_id = await a_source(runtime)
    first, second, third = (event_row(source_id, "same") for _ in range(3))
    results = await asyncio.gather(*(runtime.writer.write(r) for r in (first, second)))
    assert [r.event_id for r in results] == [first["id"]] * 2
    assert [r.duplicate for r in results] == [False, True]
    later = await runtime.writer.write(third)
    assert (later.event_id, later.duplicate) == (first["id"], True)
    async with runtime.db.session() as session:
        assert await session.scalar(select(func.count(Event.id))) == 1


async def test_a_bad_row_fails_alone_and_its_batch_is_stored(runtime: Runtime) -> None:
    source_id = await a_source(runtime)
    if runtime.db.is_sqlite:
        async with runtime.db.engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    good = [event_row(source_id, f"ok{n}") for n in range(5)]
    orphan = event_row("src_does_not_exist", "orphan")
    outcomes = await asyncio.gather(
        *(runtime.writer.write(r) for r in [*good[:2], orphan, *good[2:]]),
        return_exceptions=True,
    )
    assert isinstance(outcomes[2], Exception)
    assert [o.event_id for o in outcomes if not isinstance(o, BaseException)] == [
        r["id"] for r in good
    ]
    async with runtime.db.session() as session:
        assert await session.scalar(select(func.count(Event.id))) == 5


async def test_the_first_event_marks_its_source_verified(runtime: Runtime) -> None:
    source_id = await a_source(runtime)
    await runtime.writer.write(event_row(source_id, "v1"), mark_verified=True)
    async with runtime.db.session() as session:
        verified_at = await session.scalar(select(Source.verified_at).where(Source.id == source_id))
    assert verified_at is not None
    assert abs(verified_at - utcnow()) < timedelta(minutes=1)


async def test_commits_are_grouped_and_stop_finishes_what_is_queued(database_url: str) -> None:
    async with Runtime(settings_for(database_url, providers="custom")) as rt:
        source_id = await a_source(rt)
        commits = 0

        def counted() -> None:
            nonlocal commits
            commits += 1

        writer = open_writer(rt.db, on_commit=counted)
        writer.start()
        rows = [event_row(source_id, f"g{n}") for n in range(300)]
        pending = [asyncio.ensure_future(writer.write(r)) for r in rows]
        await asyncio.sleep(0)  # every write is queued before the writer is told to stop
        await writer.stop()
        assert all(p.done() and not p.exception() for p in pending)
        assert 1 <= commits < 300 / 4  # hundreds of events, a handful of transactions
        async with rt.db.session() as session:
            assert await session.scalar(select(func.count(Event.id))) == 300


async def test_writing_before_start_is_refused(runtime: Runtime) -> None:
    writer = open_writer(runtime.db)
    with pytest.raises(RuntimeError, match="not started"):
        await writer.write(event_row("src_x", "k"))


async def test_sqlite_checkpoints_as_it_goes_so_the_wal_stays_small(sqlite_url: str) -> None:
    async with Runtime(settings_for(sqlite_url, providers="custom")) as rt:
        source_id = await a_source(rt)
        body = b'{"pad": "' + b"x" * 23_000 + b'"}'
        for start in range(0, 400, 20):  # 400 webhook-sized events, ~9 MiB
            batch = [event_row(source_id, f"c{n}", body=body) for n in range(start, start + 20)]
            await asyncio.gather(*(rt.writer.write(r) for r in batch))
        path = rt.db.sqlite_path
        assert path is not None
        wal = path.with_name(path.name + "-wal")
        assert wal.stat().st_size < 4 * 1024 * 1024
        assert path.stat().st_size > 8 * 1024 * 1024  # the events reached the database file


def test_an_in_memory_sqlite_database_is_refused_with_the_fix() -> None:
    from hookgate.errors import ConfigurationError
    from hookgate.store.database import Database

    with pytest.raises(ConfigurationError, match="sqlite:///"):
        open_writer(Database("sqlite:///:memory:"))


async def test_postgresql_refuses_an_over_long_id_rather_than_cutting_it(
    postgres_url: str,
) -> None:
    """Ingest refuses these first; the batch insert must not cut one that gets through."""
    async with Runtime(settings_for(postgres_url, providers="custom")) as runtime:
        source_id = await a_source(runtime)
        long_id = "d" * 300 + "x"
        with pytest.raises(Exception, match="too long"):
            await runtime.writer.write(event_row(source_id, long_id))
        async with runtime.db.session() as session:
            assert await session.scalar(select(func.count(Event.id))) == 0
