"""Dispatching stored events: parse, validate, match, create runs.

Everything a batch of events causes is written in one transaction together
with their new statuses, so a worker that dies half-way leaves the events to
be claimed again, and the ``(event, trigger, generation)`` unique constraint
keeps runs from being created twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from jsonschema.protocols import Validator
from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hookgate.dispatch.matching import TriggerCache, TriggerInfo, TriggerSet
from hookgate.dispatch.schemas import AttachedSchemas
from hookgate.errors import UnknownProviderError
from hookgate.payloads import parse_payload
from hookgate.schemas import event_validator, schema_errors
from hookgate.source_cache import SourceRecord
from hookgate.store.availability import store_unavailable
from hookgate.store.models import Event, Run, Trigger, new_id, utcnow
from hookgate.types import EventNotice

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

log = logging.getLogger("hookgate.dispatch")

EVENTS: Table = Event.__table__  # type: ignore[assignment]
RUNS: Table = Run.__table__  # type: ignore[assignment]
TRIGGERS: Table = Trigger.__table__  # type: ignore[assignment]
#: Characters of an exception's text kept in a failed event's ``detail``.
MAX_REASON = 500


@dataclass
class Outcome:
    """What dispatching one event decided, before it is written."""

    event: Event
    status: str
    detail: str | None = None
    errors: list[str] | None = None
    matched: list[TriggerInfo] = field(default_factory=list)


@dataclass
class _Limits:
    """Runs a batch let through so far, per trigger and per workspace."""

    by_trigger: Counter[str] = field(default_factory=Counter)
    by_workspace: Counter[str] = field(default_factory=Counter)


class EventDispatcher:
    """Turns claimed events into runs."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.triggers = TriggerCache(runtime.db)
        self._validators: dict[tuple[str, str], Validator | None] = {}
        self.attached = AttachedSchemas(runtime.db)
        #: Events this dispatcher handled (monitoring, tests).
        self.processed = 0

    def validator(self, provider: str, event_type: str) -> Validator | None:
        """The validator of the provider's schema for ``event_type``, if it has one."""
        key = (provider, event_type)
        if key not in self._validators:
            try:
                schema = self.runtime.plugins.schemas(provider).get(event_type)
            except UnknownProviderError:
                schema = None
            self._validators[key] = event_validator(schema) if schema else None
        return self._validators[key]

    async def dispatch(self, event: Event) -> int:
        """Process one event; returns the number of runs created."""
        return await self.dispatch_all([event])

    async def dispatch_all(self, events: Sequence[Event]) -> int:
        """Process claimed events in one transaction; returns the number of runs created.

        Deciding (parse, validate, match) happens in memory first; then every run
        and every new event status is written at once, so a batch costs one
        commit. If that commit fails, each event is retried alone, so one bad
        event cannot hold back the others; an event that fails to be decided or
        written is marked ``failed`` with the reason. Only a store that cannot be
        reached fails the whole batch (its lease hands it to a later attempt).
        """
        if not events:
            return 0
        self.processed += len(events)
        sets: dict[str, TriggerSet] = {}
        outcomes = [await self._decide_isolated(event, sets) for event in events]
        try:
            created = await self._commit(outcomes)
        except Exception as exc:
            if store_unavailable(exc):
                raise  # the lease hands the batch to a later attempt
            created = 0
            for outcome in outcomes:
                created += await self._commit_isolated(outcome)
        for outcome in outcomes:
            self._notify(outcome)
        return created

    async def _decide_isolated(self, event: Event, sets: dict[str, TriggerSet]) -> Outcome:
        """``_decide``, except that an event it fails on is marked ``failed``, not raised:
        one poison event must not hold back the rest of its batch (other tenants' too)."""
        try:
            return await self._decide(event, sets)
        except Exception as exc:
            if store_unavailable(exc):
                raise
            return _failed(event, "dispatch", exc)

    async def _commit_isolated(self, outcome: Outcome) -> int:
        """Commit one outcome alone; if even that fails, record the event as ``failed``."""
        try:
            return await self._commit([outcome])
        except Exception as exc:
            if store_unavailable(exc):
                raise
            failed = _failed(outcome.event, "recording the outcome", exc)
            await self._commit([failed])
            outcome.status, outcome.detail, outcome.matched = "failed", failed.detail, []
            return 0

    async def _decide(self, event: Event, sets: dict[str, TriggerSet]) -> Outcome:
        source = await self.runtime.sources.get(event.source_id)
        if source is None:  # deleted meanwhile; its events go with it
            return Outcome(event, "orphaned", "the source was deleted")
        try:
            payload = parse_payload(event.body, event.content_type)
        except (ValueError, UnicodeDecodeError) as exc:
            return Outcome(event, "malformed", f"malformed body: {exc}")
        errors = await self._schema_errors(source, event.event_type, payload)
        if errors and source.schema_policy == "enforce":
            return Outcome(event, "schema_invalid", errors[0], errors)
        if source.events and event.event_type not in source.events:
            return Outcome(event, "unsubscribed", "the source is not subscribed to it")
        if source.id not in sets:  # one look at the source's triggers per batch
            sets[source.id] = await self.triggers.for_source(source.id)
        found = sets[source.id].match_within(event.event_type, payload)
        notes = [
            "schema: " + errors[0] if errors else None,
            found.note,
        ]  # found.note: filter budget
        detail = "; ".join(n for n in notes if n) or None
        return Outcome(event, "done", detail, errors or None, found.matched)

    def _notify(self, outcome: Outcome) -> None:
        event = outcome.event
        self.runtime.plugins.event_notice(
            EventNotice(
                kind="dispatched",
                source_id=event.source_id,
                event_id=event.id,
                event_type=event.event_type,
                detail=f"{outcome.status}, {len(outcome.matched)} matched",
            )
        )

    async def _schema_errors(
        self, source: SourceRecord, event_type: str, payload: Any
    ) -> list[str]:
        # The provider's schema first; else the one attached to the source, if any.
        validator = self.validator(source.provider, event_type)
        if validator is None:
            validator = await self.attached.validator(source.id, event_type)
        return schema_errors(validator, payload) if validator is not None else []

    async def _commit(self, outcomes: Sequence[Outcome]) -> int:
        now = utcnow()
        async with self.runtime.db.session() as session, session.begin():
            rows = await self._run_rows(session, outcomes, now)
            created = await self._insert_runs(session, rows)
            await session.execute(
                update(EVENTS).where(EVENTS.c.id == bindparam("event_id")),
                [
                    {
                        "event_id": o.event.id,
                        "status": o.status,
                        "detail": o.detail,
                        "schema_errors": o.errors,
                        "processed_at": now,
                    }
                    for o in outcomes
                ],
            )
            await self._count_matches(session, rows, now)
        for row in rows:
            self.runtime.metrics.runs.labels(row["status"]).inc()
        return created

    async def _run_rows(
        self, session: AsyncSession, outcomes: Sequence[Outcome], now: datetime
    ) -> list[dict[str, Any]]:
        limits = _Limits()
        rows = []
        for outcome in outcomes:
            for trigger in outcome.matched:
                limited = await self._over_limit(session, trigger, limits)
                rows.append(
                    {
                        "id": new_id("run"),
                        "event_id": outcome.event.id,
                        "trigger_id": trigger.id,
                        "workspace_id": trigger.workspace_id,
                        "generation": outcome.event.generation,
                        "include_payload": trigger.include_payload,
                        "status": "rate_limited" if limited else "pending",
                        "last_error": limited,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
        return rows

    async def _count_matches(
        self, session: AsyncSession, rows: Sequence[Mapping[str, Any]], now: datetime
    ) -> None:
        counts = Counter(row["trigger_id"] for row in rows)
        if counts:
            await session.execute(
                update(TRIGGERS)
                .where(TRIGGERS.c.id == bindparam("trigger_id"))
                .values(
                    matched_count=TRIGGERS.c.matched_count + bindparam("increment"),
                    last_matched_at=bindparam("matched_at"),
                ),
                [
                    {"trigger_id": trigger_id, "increment": count, "matched_at": now}
                    for trigger_id, count in counts.items()
                ],
            )

    async def _insert_runs(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> int:
        if not rows:
            return 0
        dialect = sqlite if self.runtime.db.is_sqlite else postgresql
        statement = (
            dialect.insert(RUNS)
            .on_conflict_do_nothing(index_elements=["event_id", "trigger_id", "generation"])
            .returning(RUNS.c.id)
        )
        return len((await session.execute(statement, list(rows))).all())

    async def _over_limit(
        self, session: AsyncSession, trigger: TriggerInfo, limits: _Limits
    ) -> str | None:
        """Why this run must wait (a rate limit it would exceed), or ``None``.

        ``limits`` counts the runs this batch already let through, which are
        not in the database yet.
        """
        now = utcnow()
        hourly = self.runtime.settings.workspace_runs_per_hour
        if trigger.runs_per_day is not None:
            stored = await _count_runs(session, Run.trigger_id == trigger.id, now - timedelta(1))
            if stored + limits.by_trigger[trigger.id] >= trigger.runs_per_day:
                return f"trigger limit of {trigger.runs_per_day} runs per 24 hours reached"
        if hourly:
            since = now - timedelta(hours=1)
            stored = await _count_runs(session, Run.workspace_id == trigger.workspace_id, since)
            if stored + limits.by_workspace[trigger.workspace_id] >= hourly:
                return f"workspace limit of {hourly} runs per hour reached"
        limits.by_trigger[trigger.id] += 1
        limits.by_workspace[trigger.workspace_id] += 1
        return None


def _failed(event: Event, step: str, exc: Exception) -> Outcome:
    log.warning(
        "event %s failed in dispatch (%s): %s", event.id, step, type(exc).__name__, exc_info=exc
    )
    reason = f"{step} failed: {type(exc).__name__}: {exc}"
    return Outcome(event, "failed", reason[:MAX_REASON])


async def _count_runs(session: AsyncSession, where: Any, since: Any) -> int:
    query = select(func.count(Run.id)).where(
        where, Run.created_at > since, Run.status != "rate_limited"
    )
    return int(await session.scalar(query) or 0)
