"""Which triggers an event matches: compiled filters, indexed, cached per source.

A source's triggers are compiled once into a :class:`TriggerSet` and kept
until the source's triggers change (their count or newest ``updated_at``, one
cheap query per event). A filter that no longer compiles marks its trigger
``invalid_filter`` with the parser's message; it never stops the worker.

Each event's filters share a time budget (:data:`EVENT_FILTER_BUDGET`, see
:class:`~hookgate.filters.budget.EventBudget`): a trigger whose filter overruns
it fails for that event, and the event's ``detail`` says which and why (there
is no per-trigger outcome table yet), so one trigger can't hold up the others.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from hookgate.filters import FilterSyntaxError, TriggerIndex, compile_filter
from hookgate.filters.budget import EventBudget
from hookgate.store.models import Trigger

if TYPE_CHECKING:
    from hookgate.store.database import Database

log = logging.getLogger("hookgate.dispatch")

#: Seconds the filters of one event may take together before the rest fail.
EVENT_FILTER_BUDGET = 0.1
# How many failed triggers an event's detail names.
_NAMED = 5


@dataclass(frozen=True, slots=True)
class TriggerInfo:
    id: str
    workspace_id: str
    event_type: str | None
    include_payload: bool
    runs_per_day: int | None


@dataclass
class TriggerSet:
    """The enabled triggers of one source, ready to match payloads."""

    triggers: dict[str, TriggerInfo] = field(default_factory=dict)
    #: Filtered triggers by event type (``None``: any event type).
    indexes: dict[str | None, TriggerIndex] = field(default_factory=dict)
    #: Triggers without a filter, by event type.
    unfiltered: dict[str | None, set[str]] = field(default_factory=lambda: defaultdict(set))

    def match(self, event_type: str, payload: Any) -> list[TriggerInfo]:
        return self.match_within(event_type, payload, budget=None).matched

    def match_within(
        self, event_type: str, payload: Any, budget: float | None = EVENT_FILTER_BUDGET
    ) -> Matches:
        """The matching triggers, and those whose filters overran the event's ``budget``."""
        spent = EventBudget(budget) if budget is not None else None
        ids: set[str] = set()
        for key in (None, event_type):
            ids |= self.unfiltered.get(key, set())
            index = self.indexes.get(key)
            if index is not None:
                ids |= index.match(payload, spent)
        failed = spent.failed if spent is not None else {}
        if failed:
            log.warning("filters over the per-event budget: %s", failed)
        return Matches([self.triggers[i] for i in sorted(ids)], failed)


@dataclass(frozen=True, slots=True)
class Matches:
    """What matching one event found: the triggers to run and those that failed."""

    matched: list[TriggerInfo]
    #: Trigger id -> why its filter failed on this event.
    failed: dict[str, str]

    @property
    def note(self) -> str | None:
        """One line for the event's ``detail``, or ``None`` when nothing failed."""
        if not self.failed:
            return None
        named = sorted(self.failed)[:_NAMED]
        more = len(self.failed) - len(named)
        reasons = "; ".join(f"{i}: {self.failed[i]}" for i in named)
        return f"filters failed for {len(self.failed)} trigger(s): {reasons}" + (
            f"; and {more} more" if more else ""
        )


Fingerprint = tuple[int, datetime | None]


class TriggerCache:
    """Source id → compiled :class:`TriggerSet`, rebuilt when its triggers change."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._sets: dict[str, tuple[Fingerprint, TriggerSet]] = {}

    async def for_source(self, source_id: str) -> TriggerSet:
        async with self._db.session() as session:
            row = (
                await session.execute(
                    select(func.count(Trigger.id), func.max(Trigger.updated_at)).where(
                        Trigger.source_id == source_id
                    )
                )
            ).one()
        fingerprint: Fingerprint = (int(row[0]), row[1])
        cached = self._sets.get(source_id)
        if cached is not None and cached[0] == fingerprint:
            return cached[1]
        built = await self._build(source_id)
        self._sets[source_id] = (fingerprint, built)
        return built

    async def _build(self, source_id: str) -> TriggerSet:
        result = TriggerSet()
        broken: dict[str, str] = {}
        async with self._db.session() as session:
            rows = await session.scalars(
                select(Trigger).where(Trigger.source_id == source_id, Trigger.status == "enabled")
            )
            for row in rows:
                info = TriggerInfo(
                    row.id, row.workspace_id, row.event_type, row.include_payload, row.runs_per_day
                )
                if not row.filter:
                    result.unfiltered[row.event_type].add(row.id)
                else:
                    try:
                        compiled = compile_filter(row.filter)
                    except FilterSyntaxError as exc:
                        broken[row.id] = str(exc)
                        continue
                    result.indexes.setdefault(row.event_type, TriggerIndex()).add(row.id, compiled)
                result.triggers[row.id] = info
        if broken:
            await self._mark_invalid(broken)
        return result

    async def _mark_invalid(self, broken: dict[str, str]) -> None:
        async with self._db.session() as session, session.begin():
            for trigger_id, reason in broken.items():
                log.warning("trigger %s has an invalid filter: %s", trigger_id, reason)
                await session.execute(
                    update(Trigger)
                    .where(Trigger.id == trigger_id)
                    .values(status="invalid_filter", status_reason=reason)
                )
