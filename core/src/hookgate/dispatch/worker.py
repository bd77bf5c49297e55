"""The dispatch worker: claims events and runs from the store and works them off.

Two loops share one process: events → runs, and runs → sink. Each sleeps
until woken (an in-process commit, or PostgreSQL ``NOTIFY``) or for at most
``poll_interval`` seconds, so a missed wake-up costs latency, never work.
A third loop prunes events and runs past ``HOOKGATE_RETENTION_DAYS``; a fourth
re-checks registered sources' webhooks every ``HOOKGATE_RECONCILE_INTERVAL``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, text

from hookgate.dispatch.delivery import RunDeliverer
from hookgate.dispatch.events import EventDispatcher
from hookgate.dispatch.queue import Listener, claim_events, claim_runs
from hookgate.sinks import select_sink
from hookgate.store.models import Event, Run, utcnow
from hookgate.store.writer import NOTIFY_CHANNEL

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

log = logging.getLogger("hookgate.dispatch")


class Worker:
    """Dispatch for one runtime; start with :meth:`start`, end with :meth:`stop`."""

    def __init__(self, runtime: Runtime, *, batch: int = 100, poll_interval: float = 1.0) -> None:
        self.runtime = runtime
        self.batch = batch
        self.poll_interval = poll_interval
        self.events = EventDispatcher(runtime)
        self.runs_ready = asyncio.Event()
        self.deliverer: RunDeliverer | None = None
        self._listener = Listener(runtime.db, self._notified)
        self._tasks: list[asyncio.Task[None]] = []

    def _notified(self, payload: str) -> None:
        if payload == "runs":
            self.runs_ready.set()
        else:
            self.runtime.work_ready.set()

    async def start(self) -> None:
        sinks = self.runtime.plugins.run_sinks(self.runtime.settings)
        self.deliverer = RunDeliverer(self.runtime, select_sink(sinks, self.runtime.settings))
        await self._listener.start()
        self._tasks = [
            asyncio.create_task(
                self._loop(self.runtime.work_ready, self.dispatch_once), name="events"
            ),
            asyncio.create_task(self._loop(self.runs_ready, self.deliver_once), name="runs"),
            asyncio.create_task(self._maintenance(), name="retention"),
            asyncio.create_task(self._registrations(), name="registrations"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        await self._listener.stop()
        close = getattr(self.deliverer.sink if self.deliverer else None, "aclose", None)
        if close is not None:
            await close()

    async def _loop(self, wake: asyncio.Event, step: Callable[[], Awaitable[bool]]) -> None:
        while True:
            wake.clear()
            try:
                busy = await step()
            except Exception:
                log.exception("dispatch step failed; retrying shortly")
                busy = False
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=self.poll_interval)

    async def dispatch_once(self) -> bool:
        """Claim and dispatch one batch of events; True when there may be more."""
        lease = timedelta(seconds=self.runtime.settings.claim_lease)
        events = await claim_events(self.runtime.db, self.batch, lease)
        try:
            created = await self.events.dispatch_all(events)
        except Exception:  # the claim's lease hands the events to a later attempt
            log.exception("dispatching %d events failed; they will be retried", len(events))
            created = 0
        if created:
            self.runs_ready.set()
            await self._notify_runs()
        return len(events) == self.batch

    async def deliver_once(self) -> bool:
        """Claim and deliver one batch of due runs; True when there may be more."""
        assert self.deliverer is not None, "Worker.start() was not called"
        runs = await claim_runs(self.runtime.db, self.batch, self.deliverer.lease)
        await self.deliverer.deliver_all(runs)
        return len(runs) == self.batch

    async def _notify_runs(self) -> None:
        if self.runtime.db.is_sqlite:
            return
        async with self.runtime.db.session() as session, session.begin():
            await session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}, 'runs'"))

    async def _maintenance(self) -> None:
        while True:
            try:
                await prune(self.runtime)
                await self.update_queue_depth()
            except Exception:
                log.exception("maintenance failed")
            await asyncio.sleep(3600)

    async def _registrations(self) -> None:
        """The scheduled reconcile (:func:`hookgate.services.registration.reconcile_due`)."""
        from hookgate.services.registration import reconcile_due  # OAuth code: load on use

        # Sources fall due at different times: look at least every minute.
        tick = min(self.runtime.settings.reconcile_interval, 60.0)
        while True:
            try:
                await reconcile_due(self.runtime)
            except Exception:
                log.exception("scheduled reconcile failed; retrying at the next tick")
            await asyncio.sleep(tick)

    async def update_queue_depth(self) -> None:
        async with self.runtime.db.session() as session:
            events = await session.scalar(
                select(func.count(Event.id)).where(Event.status.in_(("pending", "processing")))
            )
            runs = await session.scalar(
                select(func.count(Run.id)).where(
                    Run.status.in_(("pending", "retrying", "delivering"))
                )
            )
        self.runtime.metrics.queue_depth.labels("events").set(events or 0)
        self.runtime.metrics.queue_depth.labels("runs").set(runs or 0)


async def prune(runtime: Runtime) -> int:
    """Delete events (and their runs) older than the retention period; returns how many."""
    cutoff = utcnow() - timedelta(days=runtime.settings.retention_days)
    async with runtime.db.session() as session, session.begin():
        old = select(Event.id).where(Event.received_at < cutoff)
        await session.execute(delete(Run).where(Run.event_id.in_(old)))
        result = await session.execute(delete(Event).where(Event.received_at < cutoff))
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        log.info("pruned %d events older than %d days", count, runtime.settings.retention_days)
    return count
