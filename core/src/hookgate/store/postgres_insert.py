"""Event batches into PostgreSQL through asyncpg itself: one statement per batch.

Each column of the batch is bound as one array and ``unnest`` turns the
arrays back into rows, so asyncpg encodes the whole batch in C with the
binary protocol and the statement is prepared once per connection. Through
SQLAlchemy's ``executemany`` the same batch cost several times more Python
work per row on the event loop, the ingest path's bottleneck.

Values are bound as the model's column types store them (naive UTC
``timestamp``, JSON text for ``jsonb``), so the ORM reads them back
unchanged; ``tests/core/store/test_writer.py`` holds this module to that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import String, Table
from sqlalchemy.dialects.postgresql.base import PGDialect

from hookgate.store.models import EVENT_COLUMNS, Event, naive_utc, utcnow

EVENTS: Table = Event.__table__  # type: ignore[assignment]


_POSTGRESQL = PGDialect()  # type: ignore[no-untyped-call]  # SQLAlchemy leaves it untyped


def _array_of(column: str) -> str:
    """The PostgreSQL array type of an ``events`` column, from the model.

    Without the length of ``varchar(n)`` columns: a cast to ``varchar(n)`` cuts
    longer values silently, where storing them into the column refuses them.
    Ingest refuses them first (:mod:`hookgate.event_limits`); this keeps a cut
    from ever happening if something else writes.
    """
    column_type = EVENTS.c[column].type
    if isinstance(column_type, String) and column_type.length:
        column_type = String()
    return f"{column_type.compile(dialect=_POSTGRESQL)}[]"


# Built from the model's column names and types: identifiers and placeholders only.
_NAMES = ", ".join(EVENT_COLUMNS)
_ARRAYS = ", ".join(f"${n}::{_array_of(c)}" for n, c in enumerate(EVENT_COLUMNS, start=1))
INSERT = (
    f"INSERT INTO events ({_NAMES}) SELECT * FROM unnest({_ARRAYS}) "  # noqa: S608
    "ON CONFLICT (source_id, dedup_key) DO NOTHING RETURNING id, source_id, dedup_key"
)
STORED = (
    "SELECT e.id, e.source_id, e.dedup_key FROM events AS e "
    "JOIN unnest($1::varchar[], $2::varchar[]) AS k(source_id, dedup_key) "
    "ON e.source_id = k.source_id AND e.dedup_key = k.dedup_key"
)
VERIFIED = (
    "UPDATE sources SET verified_at = $1 WHERE verified_at IS NULL AND id = ANY($2::varchar[])"
)


def _encoded(name: str, value: Any) -> Any:
    if name == "headers":
        return orjson.dumps(value).decode()
    if name == "received_at":
        return naive_utc(value)
    return value


def column_arrays(rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
    return [[_encoded(name, row[name]) for row in rows] for name in EVENT_COLUMNS]


async def insert_events(
    connection: Any, rows: Sequence[dict[str, Any]], verified: Sequence[str], notify: str
) -> dict[tuple[str, str], str]:
    """Insert ``rows`` (redeliveries skipped) in one transaction on an asyncpg
    ``connection``; mark ``verified`` sources, ``NOTIFY`` the ``notify`` channel.

    Returns ``(source_id, dedup_key)`` → the id stored under that key: the new
    row's or, for a redelivery, the first one's.
    """
    async with connection.transaction():
        inserted = await connection.fetch(INSERT, *column_arrays(rows))
        found = {(r["source_id"], r["dedup_key"]): r["id"] for r in inserted}
        missing = [(row["source_id"], row["dedup_key"]) for row in rows]
        missing = [key for key in missing if key not in found]
        if missing:
            stored = await connection.fetch(
                STORED, [s for s, _ in missing], [k for _, k in missing]
            )
            found.update({(r["source_id"], r["dedup_key"]): r["id"] for r in stored})
        if verified:
            await connection.execute(VERIFIED, naive_utc(utcnow()), list(verified))
        await connection.execute("SELECT pg_notify($1, 'events')", notify)
    return found
