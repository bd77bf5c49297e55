"""``/api/v1/events`` and ``/api/v1/runs``: what arrived, what it started, replay."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from hookgate.api.models import Ident, LimitQuery, Output, Page
from hookgate.api.router import Call, Operation
from hookgate.services import events as service
from hookgate.services.events import EventView, RunView

EventStatus = Literal[
    "pending",
    "processing",
    "done",
    "malformed",
    "ignored",
    "unsubscribed",
    "schema_invalid",
    "handshake",
    "failed",
]
RunStatus = Literal["pending", "delivering", "delivered", "retrying", "dead", "rate_limited"]


class EventQuery(LimitQuery):
    status: EventStatus | None = None


class RunQuery(LimitQuery):
    trigger_id: Ident | None = Field(default=None, description="Only runs of this trigger.")
    status: RunStatus | None = None


class RunOut(Output):
    id: str
    event_id: str
    trigger_id: str
    status: str
    attempts: int
    last_error: str | None
    conversation_id: str | None = Field(description="What the sink returned for the run.")
    created_at: datetime
    delivered_at: datetime | None
    next_attempt_at: datetime | None


class EventOut(Output):
    id: str
    source_id: str
    event_type: str
    delivery_id: str | None
    status: str
    detail: str | None
    received_at: datetime
    size: int = Field(description="Body size in bytes.")
    unverified: bool = Field(description="The provider accepted it without a signature.")
    schema_errors: list[str] | None


class Outcome(Output):
    """Whether one of your triggers matched the event, and why."""

    trigger_id: str
    agent: str
    matched: bool
    explain: str


class EventDetail(EventOut):
    runs: list[RunOut] = Field(description="Runs of your own triggers only.")
    outcomes: list[Outcome] = Field(description="One per trigger of yours on this source.")
    payload: Any = Field(
        description="The body: for admins, and for members through a run of theirs that has it."
    )


def run_out(view: RunView) -> RunOut:
    return RunOut.model_validate(vars(view))


def event_out(view: EventView) -> EventOut:
    return EventOut.model_validate(
        {k: v for k, v in vars(view).items() if k in EventOut.model_fields}
    )


def _outcome(item: dict[str, Any]) -> Outcome:
    return Outcome(
        trigger_id=item["trigger_id"],
        agent=item["agent_id"],
        matched=item["matched"],
        explain=item["explain"],
    )


async def get_event(call: Call) -> BaseModel:
    view = await service.get_event(call.runtime, call.actor, call.id)
    return EventDetail(
        **event_out(view).model_dump(),
        runs=[run_out(r) for r in view.runs],
        outcomes=[_outcome(o) for o in view.outcomes],
        payload=view.payload,
    )


async def replay_event(call: Call) -> BaseModel:
    return event_out(await service.replay_event(call.runtime, call.actor, call.id))


async def list_runs(call: Call) -> BaseModel:
    query = call.query_as(RunQuery)
    views = await service.list_runs(
        call.runtime,
        call.actor,
        trigger_id=query.trigger_id,
        status=query.status,
        limit=query.limit,
    )
    return Page[RunOut](items=[run_out(v) for v in views])


async def get_run(call: Call) -> BaseModel:
    return run_out(await service.get_run(call.runtime, call.actor, call.id))


async def replay_run(call: Call) -> BaseModel:
    return run_out(await service.replay_run(call.runtime, call.actor, call.id))


OPERATIONS = [
    Operation(
        "GET",
        "/events/{id}",
        get_event,
        "An event, your runs of it, and per trigger of yours whether it matched and why",
        EventDetail,
    ),
    Operation(
        "POST",
        "/events/{id}/replay",
        replay_event,
        "Match the event again against today's triggers",
        EventOut,
        status=202,
        description="Admins only: matches become new runs of every user's triggers.",
        errors=(403, 422),
    ),
    Operation("GET", "/runs", list_runs, "Runs of your triggers", Page[RunOut], query=RunQuery),
    Operation("GET", "/runs/{id}", get_run, "A run of one of your triggers", RunOut),
    Operation(
        "POST",
        "/runs/{id}/replay",
        replay_run,
        "Deliver a run again (same run id, so receivers can deduplicate)",
        RunOut,
        status=202,
        errors=(422,),
    ),
]
