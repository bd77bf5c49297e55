"""Dry runs: what a filter would have matched, before anyone saves it.

A dry run evaluates a filter on the last N stored events of a source and on
the provider's sample payloads, and explains a few of the events it does not
match, so a user reads "would have matched 3 of the last 50 pull_request
events" and sees why the others were left out. Nothing is written.

Decoding and evaluating run off the event loop within
:data:`~hookgate.services.filter_budget.DRY_RUN_BUDGET` (``filter_too_expensive``
past it). Explanations of stored events quote payload values to admins only;
a member reads which conditions were true or false, never what the payload held.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hookgate.errors import UnknownProviderError
from hookgate.filters import Filter, FilterSyntaxError, compile_filter, explain
from hookgate.filters.budget import Deadline
from hookgate.filters.semantics import evaluate
from hookgate.payloads import parse_payload
from hookgate.services.common import Actor, Invalid, NotFound
from hookgate.services.filter_budget import DRY_RUN_BUDGET, off_loop
from hookgate.store.models import Event, Source
from hookgate.types import EventSchema

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

__all__ = ["MAX_LAST", "DryRun", "EventOutcome", "SampleOutcome", "dry_run", "source_provider"]

#: Most stored events one dry run reads.
MAX_LAST = 1000
#: Non-matching events explained by default.
SHOWN = 3
# Events that never reach triggers: there is nothing for a filter to say about them.
_NEVER_DISPATCHED = ("handshake", "malformed", "ignored")
# Bodies are read this many at a time, so a dry run over large payloads stays small in memory.
_CHUNK = 50


@dataclass(frozen=True)
class EventOutcome:
    """A stored event the filter did not match, and the conditions that decided it."""

    event_id: str
    event_type: str
    received_at: datetime
    reasons: list[str]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat()
        return data


@dataclass(frozen=True)
class SampleOutcome:
    """The filter on one of the provider's sample payloads."""

    event_type: str
    matched: bool
    reasons: list[str]


@dataclass(frozen=True)
class DryRun:
    """What a filter would have matched among stored events and sample payloads.

    ``checked`` events were evaluated (the last ``last`` of the source, of
    ``event_type`` when given); ``unreadable`` of them had a body that is not
    JSON and count as not matched. ``non_matches`` explains the newest few.
    """

    filter: str
    source_id: str | None
    event_type: str | None
    last: int
    checked: int = 0
    matched: int = 0
    unreadable: int = 0
    matched_event_ids: list[str] = field(default_factory=list)
    non_matches: list[EventOutcome] = field(default_factory=list)
    samples: list[SampleOutcome] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One line for people: ``would have matched 3 of the last 50 pull_request events``."""
        kind = f"{self.event_type} events" if self.event_type else "events"
        if self.source_id is None:
            found = self._samples_summary()
            return found or "no source given and no sample to try the filter on"
        if self.checked == 0:
            return f"the source has no stored {kind} yet: nothing to try the filter on"
        scope = f"the last {self.checked}" if self.checked >= self.last else f"the {self.checked}"
        stored = "" if self.checked >= self.last else " stored"
        return f"would have matched {self.matched} of {scope}{stored} {kind}"

    def _samples_summary(self) -> str:
        if not self.samples:
            return ""
        hits = sum(s.matched for s in self.samples)
        noun = "sample" if len(self.samples) == 1 else "samples"
        return f"matches {hits} of {len(self.samples)} provider {noun}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "filter": self.filter,
            "source_id": self.source_id,
            "event_type": self.event_type,
            "last": self.last,
            "checked": self.checked,
            "matched": self.matched,
            "unreadable": self.unreadable,
            "matched_event_ids": list(self.matched_event_ids),
            "non_matches": [n.as_dict() for n in self.non_matches],
            "samples": [asdict(s) for s in self.samples],
            "summary": self.summary,
        }


async def dry_run(
    runtime: Runtime,
    actor: Actor,
    source_id: str | None,
    filter_text: str,
    *,
    last: int = 50,
    event_type: str | None = None,
    provider: str | None = None,
    samples: Sequence[EventSchema] | None = None,
    shown: int = SHOWN,
) -> DryRun:
    """Evaluate ``filter_text`` on the last ``last`` stored events of a source and on samples.

    :param source_id: a source of the actor's workspace; ``None`` tries the
        samples only (then ``provider`` says whose).
    :param event_type: only events of this type, as a trigger with this type sees them.
    :param samples: the sample payloads to try; by default the provider's
        sample for ``event_type`` (every sample of the provider without one).
    :param shown: how many non-matching events to explain, newest first.
    :raises Invalid: the filter does not parse, or neither source nor provider is given.
    :raises NotFound: no such source in the actor's workspace.
    :raises TooExpensive: past :data:`DRY_RUN_BUDGET`.
    """
    last = min(max(last, 1), MAX_LAST)
    if source_id is not None:
        provider = await source_provider(runtime, actor, source_id)
    elif provider is None:
        raise Invalid("a dry run needs a source (its stored events) or a provider (its samples)")
    tried = _default_samples(runtime, provider, event_type, samples)
    deadline = Deadline(
        DRY_RUN_BUDGET,
        "the dry run",
        "try it on fewer events (a smaller last, or an event_type), or a cheaper filter",
    )

    def start(deadline: Deadline) -> tuple[Filter, list[SampleOutcome]]:
        try:
            compiled = compile_filter(filter_text)
        except FilterSyntaxError as exc:
            raise Invalid(f"invalid filter: {exc}") from exc
        return compiled, _samples(compiled, tried, deadline)

    compiled, outcomes = await off_loop(start, deadline)
    result = DryRun(str(compiled), source_id, event_type, last, samples=outcomes)
    if source_id is None:
        return result
    tally = _Tally(compiled, shown, values=actor.is_admin)
    return await _on_stored(runtime, tally, result, deadline)


async def source_provider(runtime: Runtime, actor: Actor, source_id: str) -> str:
    """The provider of a source in the actor's workspace; :class:`NotFound` if there is none."""
    async with runtime.db.session() as session:
        provider = await session.scalar(
            select(Source.provider).where(
                Source.id == source_id, Source.workspace_id == actor.workspace_id
            )
        )
    if provider is None:
        raise NotFound(f"no source {source_id!r} in this workspace")
    return provider


def _default_samples(
    runtime: Runtime, provider: str, event_type: str | None, given: Sequence[EventSchema] | None
) -> list[EventSchema]:
    if given is not None:
        return [s for s in given if s.sample]
    try:
        known = runtime.plugins.schemas(provider)
    except UnknownProviderError as exc:
        raise Invalid(str(exc)) from exc
    if event_type is not None:
        return [known[event_type]] if event_type in known and known[event_type].sample else []
    return [s for s in known.values() if s.sample]


def _samples(
    compiled: Filter, schemas: list[EventSchema], deadline: Deadline
) -> list[SampleOutcome]:
    # Samples are the provider's published examples, not workspace data: values are shown.
    outcomes = []
    for schema in schemas:
        explanation = explain(compiled, schema.sample, deadline=deadline)
        outcomes.append(
            SampleOutcome(schema.event_type, explanation.matched, explanation.reason_lines())
        )
    return outcomes


class _Tally:
    """What a dry run found so far: evaluated off the loop, one chunk of events at a time."""

    def __init__(self, compiled: Filter, shown: int, *, values: bool) -> None:
        self.compiled = compiled
        self.shown = shown
        #: Whether explanations may quote payload values (admins only).
        self.values = values
        self.matched: list[str] = []
        self.misses: list[EventOutcome] = []
        self.unreadable = 0

    def add(self, events: list[Event], deadline: Deadline) -> None:
        for event in events:
            deadline.check()
            try:
                payload = parse_payload(event.body, event.content_type)
            except (ValueError, UnicodeDecodeError, RecursionError):
                self.unreadable += 1
                continue
            if evaluate(self.compiled.node, payload, deadline):
                self.matched.append(event.id)
            elif len(self.misses) < self.shown:
                found = explain(self.compiled, payload, deadline=deadline)
                reasons = found.reason_lines(values=self.values)
                self.misses.append(
                    EventOutcome(event.id, event.event_type, event.received_at, reasons)
                )


async def _on_stored(runtime: Runtime, tally: _Tally, result: DryRun, deadline: Deadline) -> DryRun:
    query = (
        select(Event.id)
        .where(Event.source_id == result.source_id, Event.status.not_in(_NEVER_DISPATCHED))
        .order_by(Event.received_at.desc(), Event.id.desc())
        .limit(result.last)
    )
    if result.event_type is not None:
        query = query.where(Event.event_type == result.event_type)
    async with runtime.db.session() as session:
        ids = list(await session.scalars(query))
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            rows = {
                e.id: e for e in await session.scalars(select(Event).where(Event.id.in_(chunk)))
            }
            events = [rows[i] for i in chunk if i in rows]
            await off_loop(partial(tally.add, events), deadline)
            session.expunge_all()  # the bodies read so far are done with
    return DryRun(
        result.filter,
        result.source_id,
        result.event_type,
        result.last,
        checked=len(ids),
        matched=len(tally.matched),
        unreadable=tally.unreadable,
        matched_event_ids=tally.matched,
        non_matches=tally.misses,
        samples=result.samples,
    )
