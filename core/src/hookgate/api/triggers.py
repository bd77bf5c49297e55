"""``/api/v1/triggers``: your own triggers (nobody else's, admins included)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from hookgate.api.models import Ident, Input, Name, Output, Page, Query, Text, Word
from hookgate.api.router import Call, Operation
from hookgate.services import triggers as service
from hookgate.services.triggers import TriggerView

RunsPerDay = Field(default=None, ge=1, le=1_000_000, description="Rate limit; null: none.")


class TriggerCreate(Input):
    source_id: Ident
    agent: Name = Field(description="The agent the runs go to.")
    event_type: Word | None = Field(default=None, description="Only this event type.")
    filter: Text | None = Field(default=None, description="Filter expression; null: every event.")
    description: Text | None = Field(default=None, description="What the filter is meant to do.")
    include_payload: bool = Field(default=True, description="Send the event body with runs.")
    runs_per_day: int | None = RunsPerDay


class TriggerUpdate(Input):
    """Fields to change. ``null`` clears ``event_type``, ``filter``, ``description`` and
    ``runs_per_day``; for the other fields ``null`` is the same as leaving them out."""

    agent: Name | None = None
    event_type: Word | None = None
    filter: Text | None = None
    description: Text | None = None
    include_payload: bool | None = None
    runs_per_day: int | None = RunsPerDay
    status: Literal["enabled", "disabled"] | None = None

    def changes(self) -> dict[str, Any]:
        clearable = {"event_type", "filter", "description", "runs_per_day"}
        given = {k: getattr(self, k) for k in self.model_fields_set}
        changes = {k: v for k, v in given.items() if v is not None or k in clearable}
        if "agent" in changes:
            changes["agent_id"] = changes.pop("agent")
        return changes


class TriggerQuery(Query):
    source_id: Ident | None = Field(default=None, description="Only triggers of this source.")


class TriggerOut(Output):
    id: str
    source_id: str
    agent: str
    owner_id: str
    event_type: str | None
    filter: str | None = Field(description="The filter in canonical form.")
    description: str | None
    include_payload: bool
    status: str = Field(description="enabled, disabled or invalid_filter")
    status_reason: str | None
    runs_per_day: int | None
    matched_count: int
    last_matched_at: datetime | None
    created_at: datetime


def trigger_out(view: TriggerView) -> TriggerOut:
    data = vars(view).copy()
    data["agent"] = data.pop("agent_id")
    return TriggerOut.model_validate(data)


async def create_trigger(call: Call) -> BaseModel:
    body = call.body_as(TriggerCreate)
    view = await service.create_trigger(
        call.runtime,
        call.actor,
        source_id=body.source_id,
        agent_id=body.agent,
        event_type=body.event_type,
        filter=body.filter,
        description=body.description,
        include_payload=body.include_payload,
        runs_per_day=body.runs_per_day,
    )
    return trigger_out(view)


async def list_triggers(call: Call) -> BaseModel:
    source_id = call.query_as(TriggerQuery).source_id
    views = await service.list_triggers(call.runtime, call.actor, source_id=source_id)
    return Page[TriggerOut](items=[trigger_out(v) for v in views])


async def get_trigger(call: Call) -> BaseModel:
    return trigger_out(await service.get_trigger(call.runtime, call.actor, call.id))


async def update_trigger(call: Call) -> BaseModel:
    changes = call.body_as(TriggerUpdate).changes()
    return trigger_out(await service.update_trigger(call.runtime, call.actor, call.id, **changes))


async def delete_trigger(call: Call) -> None:
    await service.delete_trigger(call.runtime, call.actor, call.id)


OPERATIONS = [
    Operation(
        "GET", "/triggers", list_triggers, "Your triggers", Page[TriggerOut], query=TriggerQuery
    ),
    Operation(
        "POST",
        "/triggers",
        create_trigger,
        "Add a trigger to one of your agents",
        TriggerOut,
        status=201,
        body=TriggerCreate,
        description="An invalid filter is refused with the parser's message, line and column.",
        errors=(404,),
    ),
    Operation("GET", "/triggers/{id}", get_trigger, "One of your triggers", TriggerOut),
    Operation(
        "PATCH",
        "/triggers/{id}",
        update_trigger,
        "Change, disable or enable one of your triggers",
        TriggerOut,
        body=TriggerUpdate,
    ),
    Operation(
        "DELETE", "/triggers/{id}", delete_trigger, "Delete one of your triggers", None, status=204
    ),
]
