"""Triggers: a user's rule that turns matching events of a source into runs of an agent.

Triggers are personal: a user sees and changes only their own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookgate.filters import FilterSyntaxError, check_filter, compile_filter
from hookgate.filters.budget import Deadline
from hookgate.services.common import Actor, Invalid, NotFound
from hookgate.services.filter_budget import API_BUDGET, off_loop
from hookgate.services.source_schemas import attached_schema
from hookgate.store.models import Source, Trigger, new_id

if TYPE_CHECKING:
    from hookgate.runtime import Runtime


@dataclass(frozen=True)
class TriggerView:
    id: str
    source_id: str
    agent_id: str
    owner_id: str
    event_type: str | None
    filter: str | None
    description: str | None
    include_payload: bool
    status: str
    status_reason: str | None
    runs_per_day: int | None
    matched_count: int
    last_matched_at: datetime | None
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("last_matched_at", "created_at"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def _view(row: Trigger) -> TriggerView:
    return TriggerView(
        id=row.id,
        source_id=row.source_id,
        agent_id=row.agent_id,
        owner_id=row.owner_id,
        event_type=row.event_type,
        filter=row.filter,
        description=row.description,
        include_payload=row.include_payload,
        status=row.status,
        status_reason=row.status_reason,
        runs_per_day=row.runs_per_day,
        matched_count=row.matched_count,
        last_matched_at=row.last_matched_at,
        created_at=row.created_at,
    )


def checked_filter(
    runtime: Runtime,
    provider: str,
    event_type: str | None,
    text: str | None,
    *,
    attached: Mapping[str, Any] | None = None,
) -> str | None:
    """The canonical form of a filter, after parsing and the schema check; ``Invalid`` if not.

    The schema is the provider's for ``event_type``, else ``attached`` (the one
    the trigger's source carries for it, see :func:`checked_source_filter`).
    """
    if text is None or not text.strip():
        return None
    try:
        compiled = compile_filter(text)
    except FilterSyntaxError as exc:
        raise Invalid(f"invalid filter: {exc}", details=exc.to_dict()) from exc
    schema = runtime.plugins.schemas(provider).get(event_type) if event_type else None
    if schema is not None:
        found = check_filter(
            compiled, schema.json_schema, resources=schema.resources, warnings=True
        )
        where = "the event schema"
    elif attached is not None and event_type:
        found = check_filter(compiled, attached, warnings=True)
        where = f"the schema attached to the source for {event_type!r}"
    else:
        found = []
    # Open schemas let senders add fields, so a field the schema does not describe
    # is allowed; but one that is a near miss of a described field is a typo.
    problems = [p for p in found if p.severity == "error" or p.suggestion]
    if problems:
        raise Invalid(
            f"filter does not fit {where}: " + "; ".join(map(str, problems)),
            details={"problems": [p.to_dict() for p in problems]},
        )
    return str(compiled)


async def checked_source_filter(
    runtime: Runtime,
    session: AsyncSession,
    source: Source,
    event_type: str | None,
    text: str | None,
) -> str | None:
    """:func:`checked_filter` for a trigger of ``source``, with the schema it has attached.

    Off the event loop within the API's filter budget (``filter_too_expensive``).
    """
    attached = None
    if (
        text
        and text.strip()
        and event_type
        and event_type not in runtime.plugins.schemas(source.provider)
    ):
        attached = await attached_schema(session, source.id, event_type)

    def work(_: Deadline) -> str | None:
        return checked_filter(runtime, source.provider, event_type, text, attached=attached)

    return await off_loop(work, Deadline(API_BUDGET, "checking the filter"))


async def create_trigger(
    runtime: Runtime,
    actor: Actor,
    *,
    source_id: str,
    agent_id: str,
    event_type: str | None = None,
    filter: str | None = None,
    description: str | None = None,
    include_payload: bool = True,
    runs_per_day: int | None = None,
) -> TriggerView:
    """Add a trigger owned by ``actor``; an invalid filter is refused with the parser's error."""
    if not agent_id.strip():
        raise Invalid("a trigger needs an agent id")
    if runs_per_day is not None and runs_per_day < 1:
        raise Invalid("runs_per_day must be at least 1 (omit it for no limit)")
    async with runtime.db.session() as session, session.begin():
        source = await session.get(Source, source_id)
        if source is None or source.workspace_id != actor.workspace_id:
            raise NotFound(f"no source {source_id!r} in this workspace")
        known = runtime.plugins.schemas(source.provider)
        if event_type and known and event_type not in known:
            raise Invalid(
                f"unknown event type {event_type!r} for {source.provider}; "
                f"known: {', '.join(sorted(known))}"
            )
        row = Trigger(
            id=new_id("trg"),
            workspace_id=actor.workspace_id,
            source_id=source_id,
            owner_id=actor.user_id,
            agent_id=agent_id.strip(),
            event_type=event_type or None,
            filter=await checked_source_filter(runtime, session, source, event_type, filter),
            description=description,
            include_payload=include_payload,
            runs_per_day=runs_per_day,
        )
        session.add(row)
    return _view(row)


async def _own(runtime: Runtime, actor: Actor, trigger_id: str) -> Trigger:
    async with runtime.db.session() as session:
        row = await session.get(Trigger, trigger_id)
    if row is None or row.owner_id != actor.user_id or row.workspace_id != actor.workspace_id:
        raise NotFound(f"no trigger {trigger_id!r} of yours")
    return row


async def get_trigger(runtime: Runtime, actor: Actor, trigger_id: str) -> TriggerView:
    return _view(await _own(runtime, actor, trigger_id))


async def list_triggers(
    runtime: Runtime, actor: Actor, *, source_id: str | None = None
) -> list[TriggerView]:
    query = select(Trigger).where(
        Trigger.owner_id == actor.user_id, Trigger.workspace_id == actor.workspace_id
    )
    if source_id:
        query = query.where(Trigger.source_id == source_id)
    async with runtime.db.session() as session:
        return [_view(row) for row in await session.scalars(query.order_by(Trigger.created_at))]


async def update_trigger(
    runtime: Runtime, actor: Actor, trigger_id: str, **changes: Any
) -> TriggerView:
    """Change fields of one's own trigger: ``status`` (enabled/disabled), ``filter``, ..."""
    await _own(runtime, actor, trigger_id)
    async with runtime.db.session() as session, session.begin():
        row = await session.get(Trigger, trigger_id)
        assert row is not None
        source = await session.get(Source, row.source_id)
        assert source is not None
        if "status" in changes and changes["status"] not in ("enabled", "disabled"):
            raise Invalid("status must be enabled or disabled")
        if changes.get("runs_per_day") is not None and changes["runs_per_day"] < 1:
            raise Invalid("runs_per_day must be at least 1 (set it to null for no limit)")
        event_type = changes.get("event_type", row.event_type)
        if "filter" in changes or "event_type" in changes:
            text = changes.get("filter", row.filter)
            changes["filter"] = await checked_source_filter(
                runtime, session, source, event_type, text
            )
            if row.status == "invalid_filter":
                changes.setdefault("status", "enabled")
                changes["status_reason"] = None
        for key, value in changes.items():
            if key not in (
                "status",
                "filter",
                "event_type",
                "description",
                "include_payload",
                "runs_per_day",
                "agent_id",
                "status_reason",
            ):
                raise Invalid(f"cannot change {key!r} of a trigger")
            setattr(row, key, value)
    return _view(row)


async def delete_trigger(runtime: Runtime, actor: Actor, trigger_id: str) -> None:
    await _own(runtime, actor, trigger_id)
    async with runtime.db.session() as session, session.begin():
        row = await session.get(Trigger, trigger_id)
        if row is not None:
            await session.delete(row)
