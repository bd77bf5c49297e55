"""The database as a work queue: claiming events and runs, waking workers.

Claims use ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite has one
in-process worker and ignores it) and a lease: work claimed by a worker that
died is claimed again once its lease has passed, so nothing stays stuck.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.engine import make_url

from hookgate.store.database import Database
from hookgate.store.models import Event, Run, utcnow
from hookgate.store.writer import NOTIFY_CHANNEL

log = logging.getLogger("hookgate.dispatch")


async def claim_events(db: Database, limit: int, lease: timedelta) -> list[Event]:
    """Take up to ``limit`` stored events to dispatch, oldest first."""
    now = utcnow()
    async with db.session() as session, session.begin():
        stale = and_(Event.status == "processing", Event.claimed_at < now - lease)
        ids = list(
            await session.scalars(
                select(Event.id)
                .where(or_(Event.status == "pending", stale))
                .order_by(Event.received_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        await session.execute(
            update(Event).where(Event.id.in_(ids)).values(status="processing", claimed_at=now)
        )
        rows = await session.scalars(select(Event).where(Event.id.in_(ids)))
        return sorted(rows, key=lambda e: e.received_at)


async def claim_runs(db: Database, limit: int, lease: timedelta) -> list[Run]:
    """Take up to ``limit`` runs due for delivery; each gets a lease and one more attempt."""
    now = utcnow()
    async with db.session() as session, session.begin():
        due = and_(Run.status.in_(("pending", "retrying")), Run.next_attempt_at <= now)
        stale = and_(Run.status == "delivering", Run.lease_until < now)
        ids = list(
            await session.scalars(
                select(Run.id)
                .where(or_(due, stale))
                .order_by(Run.next_attempt_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not ids:
            return []
        await session.execute(
            update(Run)
            .where(Run.id.in_(ids))
            .values(status="delivering", lease_until=now + lease, attempts=Run.attempts + 1)
        )
        return list(await session.scalars(select(Run).where(Run.id.in_(ids))))


class Listener:
    """Wakes a callback on PostgreSQL ``NOTIFY``; on SQLite, in-process calls do it."""

    def __init__(self, db: Database, on_notify: Callable[[str], None]) -> None:
        self._db = db
        self._on_notify = on_notify
        self._conn: Any = None

    async def start(self) -> None:
        if self._db.is_sqlite:
            return
        import asyncpg  # type: ignore[import-untyped]  # only needed with PostgreSQL

        dsn = make_url(self._db.url).set(drivername="postgresql")
        try:
            self._conn = await asyncpg.connect(dsn.render_as_string(hide_password=False))
            await self._conn.add_listener(NOTIFY_CHANNEL, self._callback)
        except Exception:  # polling still works; waking is an optimisation
            log.warning("LISTEN %s failed; workers fall back to polling", NOTIFY_CHANNEL)
            self._conn = None

    def _callback(self, connection: Any, pid: int, channel: str, payload: str) -> None:
        self._on_notify(payload)

    async def stop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._conn.close(), timeout=5)
            self._conn = None
