"""Events and runs: list, show (with per-trigger outcome), replay.

Outcomes are not stored per (event, trigger) yet, so showing an event explains
the viewer's triggers on it again: off the event loop, within
:data:`~hookgate.services.filter_budget.EVENT_VIEW_BUDGET`, at most
:data:`MAX_EXPLAINED` triggers, and kept in a small cache keyed by the event's
generation and each trigger's last change, so calling again costs nothing.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from hookgate.filters import FilterSyntaxError, FilterTooExpensive, explain
from hookgate.filters.budget import Deadline
from hookgate.payloads import parse_payload
from hookgate.services.common import Actor, Invalid, NotFound, audit
from hookgate.services.filter_budget import EVENT_VIEW_BUDGET, TooExpensive, off_loop
from hookgate.store.models import Event, Run, Source, Trigger, utcnow

if TYPE_CHECKING:
    from hookgate.runtime import Runtime


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class RunView:
    id: str
    event_id: str
    trigger_id: str
    status: str
    attempts: int
    last_error: str | None
    conversation_id: str | None
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("created_at", "delivered_at", "next_attempt_at"):
            data[key] = _iso(data[key])
        return data


@dataclass(frozen=True)
class EventView:
    id: str
    source_id: str
    event_type: str
    delivery_id: str | None
    status: str
    detail: str | None
    received_at: datetime
    size: int
    unverified: bool
    schema_errors: list[str] | None = None
    runs: list[RunView] = field(default_factory=list)
    #: Per trigger of the viewer: matched or not, and why.
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    payload: Any = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["received_at"] = _iso(self.received_at)
        data["runs"] = [r.as_dict() for r in self.runs]
        return data


def run_view(row: Run) -> RunView:
    return RunView(
        row.id,
        row.event_id,
        row.trigger_id,
        row.status,
        row.attempts,
        row.last_error,
        row.conversation_id,
        row.created_at,
        row.delivered_at,
        row.next_attempt_at if row.status in ("pending", "retrying") else None,
    )


def _event_view(row: Event, **extra: Any) -> EventView:
    return EventView(
        row.id,
        row.source_id,
        row.event_type,
        row.delivery_id,
        row.status,
        row.detail,
        row.received_at,
        len(row.body),
        row.unverified,
        row.schema_errors,
        **extra,
    )


async def list_events(
    runtime: Runtime,
    actor: Actor,
    *,
    source_id: str | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[EventView]:
    """Events of the workspace's sources, newest first, without payloads.

    Every user sees the events of every source of the workspace (any user may
    add triggers to any source); payloads are shown by :func:`get_event` only.
    With ``source_id``, an unknown source is :class:`NotFound`, not an empty list.
    """
    if source_id:
        await _source(runtime, actor, source_id)
    query = (
        select(Event)
        .join(Source, Source.id == Event.source_id)
        .where(Source.workspace_id == actor.workspace_id)
        .order_by(Event.received_at.desc())
        .limit(min(max(limit, 1), 1000))
    )
    if source_id:
        query = query.where(Event.source_id == source_id)
    if status:
        query = query.where(Event.status == status)
    async with runtime.db.session() as session:
        return [_event_view(row) for row in await session.scalars(query)]


async def _source(runtime: Runtime, actor: Actor, source_id: str) -> Source:
    async with runtime.db.session() as session:
        row = await session.get(Source, source_id)
    if row is None or row.workspace_id != actor.workspace_id:
        raise NotFound(f"no source {source_id!r} in this workspace")
    return row


async def _event(runtime: Runtime, actor: Actor, event_id: str) -> tuple[Event, Source]:
    async with runtime.db.session() as session:
        found = (
            await session.execute(
                select(Event, Source)
                .join(Source, Source.id == Event.source_id)
                .where(Event.id == event_id, Source.workspace_id == actor.workspace_id)
            )
        ).first()
    if found is None:
        raise NotFound(f"no event {event_id!r} in this workspace")
    return found[0], found[1]


async def get_event(runtime: Runtime, actor: Actor, event_id: str) -> EventView:
    """An event with the actor's runs and, per trigger of the actor, whether it matched and why.

    Runs are their trigger owner's only, admins included. The payload is shown
    to admins, and to a member only through a run of their own that carries it.
    """
    event, source = await _event(runtime, actor, event_id)
    async with runtime.db.session() as session:
        triggers = list(
            await session.scalars(
                select(Trigger)
                .where(Trigger.source_id == source.id, Trigger.owner_id == actor.user_id)
                .order_by(Trigger.created_at)
            )
        )
        mine = {t.id for t in triggers}
        runs = [
            r
            for r in await session.scalars(
                select(Run).where(Run.event_id == event.id).order_by(Run.created_at)
            )
            if r.trigger_id in mine
        ]
    # A member reads values only through a run of theirs that carries the payload.
    reveal = actor.is_admin or any(r.include_payload for r in runs)
    ran = {r.trigger_id for r in runs if r.generation == event.generation}
    view = _Outcomes(event, triggers, ran, values=reveal)
    # If one explanation overruns even the grace period, the rest show dispatch's decision.
    with contextlib.suppress(TooExpensive):
        await off_loop(view.compute, Deadline(EVENT_VIEW_BUDGET, "explaining the event"))
    shown = view.payload if reveal else None
    outcomes = view.finish()
    return _event_view(event, runs=[run_view(r) for r in runs], outcomes=outcomes, payload=shown)


#: Most triggers one event view explains; the rest show what dispatch decided.
MAX_EXPLAINED = 100
_CACHE_SIZE = 4096
_cache: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_cache_lock = threading.Lock()


class _Outcomes:
    """Per trigger of the viewer: matched or not, and why (redacted without ``values``)."""

    def __init__(
        self, event: Event, triggers: list[Trigger], ran: set[str], *, values: bool
    ) -> None:
        self.event = event
        self.triggers = triggers
        self.ran = ran
        self.values = values
        self.outcomes: list[dict[str, Any]] = []
        #: The decoded payload (``None`` if it isn't JSON or was not decoded in time).
        self.payload: Any = None
        self._finished = False

    def compute(self, deadline: Deadline) -> None:
        """Fill :attr:`outcomes` (on a filter thread), until done or :meth:`finish` is called."""
        try:
            self.payload = parse_payload(self.event.body, self.event.content_type)
        except (ValueError, UnicodeDecodeError, RecursionError):
            self.payload = None
        for number, trigger in enumerate(self.triggers):
            if self._finished:
                return  # the view was answered without this thread
            key = self._key(trigger)
            with _cache_lock:
                cached = _cache.get(key)
            if cached is None:
                cached = self._fresh(trigger, self.payload, deadline, number)
                if cached.pop("final", True):
                    _remember(key, cached)
            self.outcomes.append(cached)

    def finish(self) -> list[dict[str, Any]]:
        """The outcomes so far, and "not explained" for the triggers not reached."""
        self._finished = True
        done = list(self.outcomes)  # a copy: an abandoned thread may still append
        rest = self.triggers[len(done) :]
        return done + [self._unexplained(t, len(done) + i, late=True) for i, t in enumerate(rest)]

    def _key(self, trigger: Trigger) -> tuple[Any, ...]:
        event = self.event
        return (event.id, event.generation, trigger.id, trigger.updated_at, self.values)

    def _fresh(
        self, trigger: Trigger, payload: Any, deadline: Deadline, number: int
    ) -> dict[str, Any]:
        if number >= MAX_EXPLAINED or deadline.expired():
            return self._unexplained(trigger, number)
        try:
            return _outcome(trigger, self.event, payload, deadline, values=self.values)
        except FilterTooExpensive:
            return self._unexplained(trigger, number)

    def _unexplained(self, trigger: Trigger, number: int, *, late: bool = False) -> dict[str, Any]:
        why = (
            f"only the first {MAX_EXPLAINED} triggers are explained"
            if number >= MAX_EXPLAINED and not late
            else f"explaining took longer than {EVENT_VIEW_BUDGET * 1000:.0f} ms"
        )
        matched = trigger.id in self.ran
        decided = "a run was created" if matched else "no run was created"
        return {
            "trigger_id": trigger.id,
            "agent_id": trigger.agent_id,
            "matched": matched,
            "explain": f"not explained ({why}); dispatch decided: {decided}. "
            "POST /api/v1/filters/dry-run explains one filter on it",
            "final": number >= MAX_EXPLAINED and not late,  # a time-out may go better next call
        }


def _remember(key: tuple[Any, ...], outcome: dict[str, Any]) -> None:
    with _cache_lock:
        _cache[key] = outcome
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def _outcome(
    trigger: Trigger, event: Event, payload: Any, deadline: Deadline, *, values: bool
) -> dict[str, Any]:
    result: dict[str, Any] = {"trigger_id": trigger.id, "agent_id": trigger.agent_id}
    if trigger.event_type and trigger.event_type != event.event_type:
        return {
            **result,
            "matched": False,
            "explain": f"event type is {event.event_type!r}, trigger wants {trigger.event_type!r}",
        }
    if not trigger.filter:
        return {**result, "matched": payload is not None, "explain": "no filter"}
    try:
        explanation = explain(trigger.filter, payload, deadline=deadline)
    except FilterSyntaxError as exc:
        return {**result, "matched": False, "explain": f"invalid filter: {exc}"}
    return {**result, "matched": explanation.matched, "explain": explanation.render(values=values)}


async def replay_event(runtime: Runtime, actor: Actor, event_id: str) -> EventView:
    """Match the event again against today's triggers; matches become new runs.

    Admins only: a replay starts runs of every user's matching triggers.
    """
    event, _ = await _event(runtime, actor, event_id)
    actor.require_admin("replay events (it starts runs of every matching trigger)")
    if event.status in ("pending", "processing"):
        raise Invalid(f"event {event_id} is still being dispatched")
    if event.status in ("handshake", "malformed"):
        raise Invalid(f"event {event_id} is {event.status}: there is nothing to replay")
    async with runtime.db.session() as session, session.begin():
        await session.execute(
            update(Event)
            .where(Event.id == event.id)
            .values(status="pending", generation=Event.generation + 1, claimed_at=None, detail=None)
        )
        audit(session, actor, "event.replayed", event.id, source_id=event.source_id)
    runtime.work_ready.set()
    replayed, _ = await _event(runtime, actor, event_id)
    return _event_view(replayed)


async def list_runs(
    runtime: Runtime,
    actor: Actor,
    *,
    trigger_id: str | None = None,
    status: str | None = None,
    limit: int = 50,
) -> list[RunView]:
    """The runs of the actor's own triggers."""
    query = (
        select(Run)
        .join(Trigger, Trigger.id == Run.trigger_id)
        .where(Trigger.owner_id == actor.user_id, Run.workspace_id == actor.workspace_id)
        .order_by(Run.created_at.desc())
        .limit(min(max(limit, 1), 1000))
    )
    if trigger_id:
        query = query.where(Run.trigger_id == trigger_id)
    if status:
        query = query.where(Run.status == status)
    async with runtime.db.session() as session:
        return [run_view(row) for row in await session.scalars(query)]


async def _own_run(runtime: Runtime, actor: Actor, run_id: str) -> Run:
    async with runtime.db.session() as session:
        found = await session.scalar(
            select(Run)
            .join(Trigger, Trigger.id == Run.trigger_id)
            .where(Run.id == run_id, Trigger.owner_id == actor.user_id)
        )
    if found is None:
        raise NotFound(f"no run {run_id!r} of your triggers")
    return found


async def get_run(runtime: Runtime, actor: Actor, run_id: str) -> RunView:
    return run_view(await _own_run(runtime, actor, run_id))


async def replay_run(runtime: Runtime, actor: Actor, run_id: str) -> RunView:
    """Deliver a run again (a dead, rate-limited or delivered run), keeping its id.

    The id stays the same so a receiver that already has it can deduplicate
    (``webhook-id``); replaying is for runs the receiver lost or never got.
    """
    run = await _own_run(runtime, actor, run_id)
    if run.status in ("pending", "delivering", "retrying"):
        raise Invalid(f"run {run_id} is {run.status}: it will be delivered anyway")
    async with runtime.db.session() as session, session.begin():
        await session.execute(
            update(Run)
            .where(Run.id == run.id)
            .values(
                status="pending",
                attempts=0,
                next_attempt_at=utcnow(),
                lease_until=None,
                last_error=None,
            )
        )
    return run_view(await _own_run(runtime, actor, run_id))
