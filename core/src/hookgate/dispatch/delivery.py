"""Delivering runs to the sink: one attempt per claim, retries with backoff, then dead.

Waits between attempts come from tenacity's exponential backoff, with jitter,
and are stored on the run (``next_attempt_at``) rather than slept in memory,
so a restart loses no retry and a slow sink holds no worker. A sink error
that says it is permanent (``retryable = False``) dead-letters the run at
once; one that carries ``retry_after`` waits at least that long.
"""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, bindparam, select, update
from tenacity import RetryCallState, wait_exponential

from hookgate.payloads import parse_payload
from hookgate.store.models import Event, Run, Trigger, utcnow
from hookgate.types import Delivery, EventNotice, RunSink

if TYPE_CHECKING:
    from hookgate.config import Settings
    from hookgate.runtime import Runtime

log = logging.getLogger("hookgate.dispatch")

RUNS: Table = Run.__table__  # type: ignore[assignment]

#: Each wait is the exponential one times a factor in [1 - JITTER, 1 + JITTER], so runs
#: that failed together (a sink outage) do not all come back in the same second.
JITTER = 0.25


def backoff_seconds(attempt: int, settings: Settings) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based).

    ``HOOKGATE_RETRY_INITIAL_WAIT`` doubling up to ``HOOKGATE_RETRY_MAX_WAIT``, with
    ±25 % jitter: by default 5 s, 10 s, 20 s ... 2.8 h, then every 6 h; the 16
    attempts of ``HOOKGATE_MAX_ATTEMPTS`` span about a day.
    """
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = attempt
    wait = wait_exponential(multiplier=settings.retry_initial_wait, max=settings.retry_max_wait)
    return float(wait(state)) * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 (not a secret)


def describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:1000]


class RunDeliverer:
    """Delivers claimed runs through the selected sink."""

    def __init__(self, runtime: Runtime, sink: RunSink, concurrency: int = 32) -> None:
        self.runtime = runtime
        self.sink = sink
        self._slots = asyncio.Semaphore(concurrency)

    @property
    def lease(self) -> timedelta:
        # A live worker gives up on the sink after sink_timeout + 5 s (see deliver).
        settings = self.runtime.settings
        return timedelta(seconds=settings.sink_timeout + 5 + settings.claim_lease)

    async def deliver_all(self, runs: list[Run]) -> None:
        """Deliver claimed runs concurrently, then record every outcome in one commit."""
        deliveries = await self._deliveries(runs)
        outcomes = await asyncio.gather(
            *(self._guarded(run, deliveries[run.id]) for run in runs if run.id in deliveries)
        )
        await self._record([o for o in outcomes if o is not None], deliveries)

    async def _guarded(self, run: Run, delivery: Delivery) -> dict[str, Any] | None:
        async with self._slots:
            try:
                return await self._attempt(run, delivery)
            except Exception:  # a bug here must not kill the worker loop
                log.exception("delivering run %s failed unexpectedly", run.id)
                return None

    async def _attempt(self, run: Run, delivery: Delivery) -> dict[str, Any]:
        """One delivery attempt; returns the run's new state (see :meth:`_record`)."""
        timeout = self.runtime.settings.sink_timeout + 5
        outcome: dict[str, Any] = {
            "run_id": run.id, "attempt": run.attempts, "lease_until": None,
            "conversation_id": None, "delivered_at": None,
            "next_attempt_at": run.next_attempt_at, "last_error": None,
        }  # fmt: skip
        try:
            result = await asyncio.wait_for(self.sink.deliver(delivery), timeout=timeout)
        except Exception as exc:
            return {**outcome, **self._failure(run, exc)}
        return {**outcome, "status": "delivered", "conversation_id": result.conversation_id,
                "delivered_at": utcnow()}  # fmt: skip

    def _failure(self, run: Run, exc: BaseException) -> dict[str, Any]:
        retryable = getattr(exc, "retryable", True)
        if not retryable or run.attempts >= self.runtime.settings.max_attempts:
            log.warning("run %s is dead after %d attempts: %s", run.id, run.attempts, describe(exc))
            return {"status": "dead", "last_error": describe(exc)}
        wait = backoff_seconds(run.attempts, self.runtime.settings)
        retry_after = getattr(exc, "retry_after", None)
        if isinstance(retry_after, int | float):
            wait = max(wait, float(retry_after))
        return {
            "status": "retrying",
            "last_error": describe(exc),
            "next_attempt_at": utcnow() + timedelta(seconds=wait),
        }

    async def _deliveries(self, runs: list[Run]) -> dict[str, Delivery]:
        """What each run carries, read in one query (runs whose event is gone are skipped)."""
        if not runs:
            return {}
        by_id = {run.id: run for run in runs}
        async with self.runtime.db.session() as session:
            found = await session.execute(
                select(Run.id, Event, Trigger)
                .join(Event, Event.id == Run.event_id)
                .join(Trigger, Trigger.id == Run.trigger_id)
                .where(Run.id.in_(list(by_id)))
            )
            rows = found.all()
        return {run_id: self._delivery(by_id[run_id], event, trigger)
                for run_id, event, trigger in rows}  # fmt: skip

    def _delivery(self, run: Run, event: Event, trigger: Trigger) -> Delivery:
        payload: Any = None
        if run.include_payload:
            payload = parse_payload(event.body, event.content_type)
        return Delivery(
            run_id=run.id,
            attempt=run.attempts,
            trigger_id=trigger.id,
            agent_id=trigger.agent_id,
            source_id=event.source_id,
            workspace_id=run.workspace_id,
            event_id=event.id,
            event_type=event.event_type,
            payload=payload,
            created_at=run.created_at,
        )

    async def _record(
        self, outcomes: list[dict[str, Any]], deliveries: dict[str, Delivery]
    ) -> None:
        if not outcomes:
            return
        async with self.runtime.db.session() as session, session.begin():
            # Only the holder of the claim may finish it (a lease that ran out
            # lets another worker take the run; its answer then wins).
            await session.execute(
                update(RUNS).where(
                    RUNS.c.id == bindparam("run_id"),
                    RUNS.c.status == "delivering",
                    RUNS.c.attempts == bindparam("attempt"),
                ),
                outcomes,
            )
        for outcome in outcomes:
            self.runtime.metrics.runs.labels(outcome["status"]).inc()
            delivery = deliveries[outcome["run_id"]]
            self.runtime.plugins.event_notice(
                EventNotice(
                    kind="run",
                    source_id=delivery.source_id,
                    event_id=delivery.event_id,
                    event_type=delivery.event_type,
                    detail=f"{outcome['run_id']}: {outcome['status']}",
                )
            )
