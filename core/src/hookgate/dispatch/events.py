"""Dispatching one stored event: parse, validate, match, create runs.

Everything an event causes is written in one transaction together with its
new status, so a worker that dies half-way leaves the event to be claimed
again, and the ``(event, trigger, generation)`` unique constraint keeps runs
from being created twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from jsonschema.protocols import Validator
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hookgate.dispatch.matching import TriggerCache, TriggerInfo
from hookgate.dispatch.schemas import AttachedSchemas
from hookgate.errors import UnknownProviderError
from hookgate.ingest import parse_payload
from hookgate.schemas import event_validator, schema_errors
from hookgate.source_cache import SourceRecord
from hookgate.store.models import Event, Run, Trigger, new_id, utcnow
from hookgate.types import EventNotice

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

log = logging.getLogger("hookgate.dispatch")


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
        self.processed += 1
        source = await self.runtime.sources.get(event.source_id)
        if source is None:  # deleted meanwhile; its events go with it
            await self._finish(event, "orphaned", "the source was deleted")
            return 0
        try:
            payload = parse_payload(event.body, event.content_type)
        except (ValueError, UnicodeDecodeError) as exc:
            await self._finish(event, "malformed", f"malformed body: {exc}")
            return 0
        errors = await self._schema_errors(source, event.event_type, payload)
        if errors and source.schema_policy == "enforce":
            await self._finish(event, "schema_invalid", errors[0], errors=errors)
            return 0
        if source.events and event.event_type not in source.events:
            await self._finish(event, "unsubscribed", "the source is not subscribed to it")
            return 0
        matched = (await self.triggers.for_source(source.id)).match(event.event_type, payload)
        created = await self._create_runs(event, matched, errors)
        self.runtime.plugins.event_notice(
            EventNotice(
                kind="dispatched",
                source_id=source.id,
                event_id=event.id,
                event_type=event.event_type,
                detail=f"{created} runs",
            )
        )
        return created

    async def _schema_errors(
        self, source: SourceRecord, event_type: str, payload: Any
    ) -> list[str]:
        # The provider's schema first; else the one attached to the source, if any.
        validator = self.validator(source.provider, event_type)
        if validator is None:
            validator = await self.attached.validator(source.id, event_type)
        return schema_errors(validator, payload) if validator is not None else []

    async def _finish(
        self, event: Event, status: str, detail: str, *, errors: list[str] | None = None
    ) -> None:
        async with self.runtime.db.session() as session, session.begin():
            await self._set_status(session, event, status, detail, errors)

    async def _set_status(
        self,
        session: AsyncSession,
        event: Event,
        status: str,
        detail: str | None,
        errors: list[str] | None,
    ) -> None:
        await session.execute(
            update(Event)
            .where(Event.id == event.id)
            .values(
                status=status, detail=detail, schema_errors=errors or None, processed_at=utcnow()
            )
        )

    async def _create_runs(
        self, event: Event, matched: list[TriggerInfo], errors: list[str]
    ) -> int:
        now = utcnow()
        async with self.runtime.db.session() as session, session.begin():
            rows = []
            for trigger in matched:
                limited = await self._over_limit(session, trigger)
                rows.append(
                    {
                        "id": new_id("run"),
                        "event_id": event.id,
                        "trigger_id": trigger.id,
                        "workspace_id": trigger.workspace_id,
                        "generation": event.generation,
                        "include_payload": trigger.include_payload,
                        "status": "rate_limited" if limited else "pending",
                        "last_error": limited,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
            created = await self._insert_runs(session, rows)
            if created:
                await session.execute(
                    update(Trigger)
                    .where(Trigger.id.in_([r["trigger_id"] for r in rows]))
                    .values(matched_count=Trigger.matched_count + 1, last_matched_at=now)
                    .execution_options(synchronize_session=False)
                )
            detail = "schema: " + errors[0] if errors else None
            await self._set_status(session, event, "done", detail, errors)
        for row in rows:
            self.runtime.metrics.runs.labels(row["status"]).inc()
        return created

    async def _insert_runs(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> int:
        if not rows:
            return 0
        dialect = sqlite if self.runtime.db.is_sqlite else postgresql
        statement = (
            dialect.insert(Run)
            .values(list(rows))
            .on_conflict_do_nothing(index_elements=["event_id", "trigger_id", "generation"])
            .returning(Run.id)
        )
        return len((await session.execute(statement)).all())

    async def _over_limit(self, session: AsyncSession, trigger: TriggerInfo) -> str | None:
        """Why this run must wait (a rate limit it would exceed), or ``None``."""
        now = utcnow()
        if trigger.runs_per_day is not None:
            recent = await _count_runs(session, Run.trigger_id == trigger.id, now - timedelta(1))
            if recent >= trigger.runs_per_day:
                return f"trigger limit of {trigger.runs_per_day} runs per 24 hours reached"
        hourly = self.runtime.settings.workspace_runs_per_hour
        if hourly:
            since = now - timedelta(hours=1)
            recent = await _count_runs(session, Run.workspace_id == trigger.workspace_id, since)
            if recent >= hourly:
                return f"workspace limit of {hourly} runs per hour reached"
        return None


async def _count_runs(session: AsyncSession, where: Any, since: Any) -> int:
    query = select(func.count(Run.id)).where(
        where, Run.created_at > since, Run.status != "rate_limited"
    )
    return int(await session.scalar(query) or 0)
