"""Event schemas attached to a source: attach, list, show, delete, infer from stored events.

A provider describes its own event types; a source can carry schemas for the
event types its provider does not describe (every event type of a source
whose provider defines none, such as a generic webhook provider). With one,
the source's triggers get the static filter check and dispatch validates
payloads with it, exactly as with a provider schema. Where the provider has
a schema for an event type, the provider's wins, so attaching one is refused.

Anyone in the workspace can read the schemas (they write filters against
them); attaching, deleting and inferring (which reads stored payloads) are for
admins.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import jsonschema
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hookgate import schema_inference
from hookgate.errors import UnknownProviderError
from hookgate.payloads import parse_payload
from hookgate.schemas import build_validator, schema_errors
from hookgate.services.common import Actor, Invalid, NotFound, audit
from hookgate.store.models import Event, Source, SourceSchema, new_id

if TYPE_CHECKING:
    from hookgate.runtime import Runtime

ORIGINS = ("attached", "inferred")
MAX_SCHEMA_BYTES = 1_000_000
MAX_INFER_EVENTS = 1000
# Events whose bodies say nothing about the shape of real deliveries.
_NOT_SAMPLES = ("malformed", "handshake")


@dataclass(frozen=True)
class SourceSchemaView:
    source_id: str
    event_type: str
    description: str
    json_schema: dict[str, Any]
    sample: dict[str, Any] | None
    origin: str
    created_at: datetime
    updated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["created_at"] = self.created_at.isoformat()
        data["updated_at"] = self.updated_at.isoformat()
        return data


@dataclass(frozen=True)
class InferredSchema:
    """One event type's inferred schema; ``skipped`` says why it was not saved."""

    event_type: str
    json_schema: dict[str, Any]
    samples: int
    saved: bool = False
    skipped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _view(row: SourceSchema) -> SourceSchemaView:
    return SourceSchemaView(
        source_id=row.source_id,
        event_type=row.event_type,
        description=row.description,
        json_schema=dict(row.json_schema),
        sample=dict(row.sample) if row.sample is not None else None,
        origin=row.origin,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def _source(session: AsyncSession, actor: Actor, source_id: str) -> Source:
    row = await session.scalar(
        select(Source).where(Source.id == source_id, Source.workspace_id == actor.workspace_id)
    )
    if row is None:
        raise NotFound(f"no source {source_id!r} in this workspace")
    return row


def _provider_has_schema(runtime: Runtime, provider: str, event_type: str) -> bool:
    try:
        return event_type in runtime.plugins.schemas(provider)
    except UnknownProviderError:  # a disabled provider: its sources still keep their schemas
        return False


def _check_event_type(runtime: Runtime, source: Source, event_type: str) -> str:
    name = event_type.strip()
    if not name or len(name) > 200:
        raise Invalid("an event type is 1 to 200 characters, e.g. --event order.paid")
    if _provider_has_schema(runtime, source.provider, name):
        raise Invalid(
            f"provider {source.provider} defines the schema of {name!r} and it is the one used; "
            "attach schemas only for event types the provider does not describe"
        )
    return name


def check_schema(json_schema: Any, sample: Any = None) -> None:
    """Raise :class:`Invalid` unless ``json_schema`` is a usable, self-contained JSON Schema
    and ``sample`` (when given) is a JSON object it accepts."""
    if not isinstance(json_schema, Mapping):
        raise Invalid('a schema is a JSON object, e.g. {"type": "object", "properties": {}}')
    if len(json.dumps(json_schema)) > MAX_SCHEMA_BYTES:
        raise Invalid(f"the schema is larger than {MAX_SCHEMA_BYTES // 1000} kB")
    _check_refs(json_schema, json_schema)
    try:
        validator = build_validator(json_schema)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise Invalid(f"not a valid JSON Schema at {where}: {exc.message}") from exc
    if sample is None:
        return
    if not isinstance(sample, Mapping):
        raise Invalid("the sample is a JSON object: an example payload of this event type")
    errors = schema_errors(validator, sample, limit=5)
    if errors:
        raise Invalid("the sample does not satisfy the schema: " + "; ".join(errors))


def _check_refs(node: Any, root: Mapping[str, Any]) -> None:
    """Only ``#...`` references that resolve: nothing is fetched when a payload is checked."""
    if isinstance(node, list):
        for item in node:
            _check_refs(item, root)
        return
    if not isinstance(node, Mapping):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        if not ref.startswith("#"):
            raise Invalid(
                f"$ref {ref!r} points outside the schema: attached schemas are self-contained; "
                "put the target under $defs and refer to it as #/$defs/NAME"
            )
        if ref.startswith("#/") and _pointer(root, ref[2:]) is None:
            raise Invalid(f"$ref {ref!r} points to nothing in the schema")
    for value in node.values():
        _check_refs(value, root)


def _pointer(document: Any, pointer: str) -> Any:
    target = document
    for raw in pointer.split("/"):
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(target, Mapping) and key in target:
            target = target[key]
        elif isinstance(target, list) and key.isdigit() and int(key) < len(target):
            target = target[int(key)]
        else:
            return None
    return target


async def attach_schema(
    runtime: Runtime,
    actor: Actor,
    source_id: str,
    event_type: str,
    json_schema: Mapping[str, Any],
    description: str = "",
    sample: Mapping[str, Any] | None = None,
) -> SourceSchemaView:
    """Attach (or replace) the schema of ``event_type`` on a source."""
    actor.require_admin("attach event schemas")
    check_schema(json_schema, sample)
    async with runtime.db.session() as session, session.begin():
        source = await _source(session, actor, source_id)
        name = _check_event_type(runtime, source, event_type)
        row = await _save(session, source.id, name, dict(json_schema), "attached")
        row.description = description
        row.sample = dict(sample) if sample is not None else None
        audit(session, actor, "source.schema_attached", source.id, event_type=name)
    return _view(row)


async def _save(
    session: AsyncSession, source_id: str, event_type: str, json_schema: dict[str, Any], origin: str
) -> SourceSchema:
    row = await session.scalar(
        select(SourceSchema).where(
            SourceSchema.source_id == source_id, SourceSchema.event_type == event_type
        )
    )
    if row is None:
        row = SourceSchema(id=new_id("sch"), source_id=source_id, event_type=event_type)
        session.add(row)
    row.json_schema = json_schema
    row.origin = origin
    await session.flush()
    return row


async def list_schemas(runtime: Runtime, actor: Actor, source_id: str) -> list[SourceSchemaView]:
    async with runtime.db.session() as session:
        await _source(session, actor, source_id)
        rows = await session.scalars(
            select(SourceSchema)
            .where(SourceSchema.source_id == source_id)
            .order_by(SourceSchema.event_type)
        )
        return [_view(row) for row in rows]


async def get_schema(
    runtime: Runtime, actor: Actor, source_id: str, event_type: str
) -> SourceSchemaView:
    async with runtime.db.session() as session:
        await _source(session, actor, source_id)
        row = await _row(session, source_id, event_type)
    return _view(row)


async def _row(session: AsyncSession, source_id: str, event_type: str) -> SourceSchema:
    row = await session.scalar(
        select(SourceSchema).where(
            SourceSchema.source_id == source_id, SourceSchema.event_type == event_type
        )
    )
    if row is None:
        raise NotFound(
            f"source {source_id} has no schema for event type {event_type!r} "
            f"(`hookgate sources schema list {source_id}` shows the ones it has)"
        )
    return row


async def delete_schema(runtime: Runtime, actor: Actor, source_id: str, event_type: str) -> None:
    actor.require_admin("delete event schemas")
    async with runtime.db.session() as session, session.begin():
        await _source(session, actor, source_id)
        await session.delete(await _row(session, source_id, event_type))
        audit(session, actor, "source.schema_deleted", source_id, event_type=event_type)


async def attached_schema(
    session: AsyncSession, source_id: str, event_type: str
) -> dict[str, Any] | None:
    """The JSON Schema attached to a source for ``event_type``, if any."""
    found = await session.scalar(
        select(SourceSchema.json_schema).where(
            SourceSchema.source_id == source_id, SourceSchema.event_type == event_type
        )
    )
    return dict(found) if found is not None else None


async def infer_schema(
    runtime: Runtime,
    actor: Actor,
    source_id: str,
    *,
    event_type: str | None = None,
    last: int = 50,
    save: bool = False,
    closed: bool = False,
) -> list[InferredSchema]:
    """Infer a schema per event type from the source's last ``last`` stored events.

    Only ``event_type`` when given. With ``save``, each is stored with origin
    ``inferred``, replacing an earlier inferred one but never a schema an admin
    attached. ``closed`` objects forbid the keys no sample had (see
    :func:`hookgate.schema_inference.infer_schema`).
    """
    actor.require_admin("infer event schemas (it reads stored payloads)")
    if not 1 <= last <= MAX_INFER_EVENTS:
        raise Invalid(f"last is the number of events to learn from: 1 to {MAX_INFER_EVENTS}")
    async with runtime.db.session() as session:
        source = await _source(session, actor, source_id)
        if event_type is not None:
            event_type = _check_event_type(runtime, source, event_type)
        learned = await _learn(session, source.id, event_type, last)
    if not learned:
        which = f" of type {event_type!r}" if event_type else ""
        raise Invalid(
            f"source {source_id} has no stored events{which} with a JSON body to learn from: "
            "send a few deliveries first (`hookgate events list --source` shows them)"
        )
    inferred = [_inferred(runtime, source, name, found, closed) for name, found in learned.items()]
    if save:
        inferred = await _save_inferred(runtime, actor, source.id, inferred)
    return inferred


async def _learn(
    session: AsyncSession, source_id: str, event_type: str | None, last: int
) -> dict[str, schema_inference.Inference]:
    """What the latest events of each type have in common, read one body at a time."""
    query = (
        select(Event.event_type, Event.body, Event.content_type)
        .where(Event.source_id == source_id, Event.status.not_in(_NOT_SAMPLES))
        .order_by(Event.received_at.desc())
        .limit(last)
    )
    if event_type is not None:
        query = query.where(Event.event_type == event_type)
    learned: dict[str, schema_inference.Inference] = {}
    async for name, body, content_type in await session.stream(query):
        try:
            payload = parse_payload(body, content_type)
        except (ValueError, UnicodeDecodeError):
            continue  # a body that is not JSON teaches nothing about the schema
        learned.setdefault(name, schema_inference.Inference()).add(payload)
    return dict(sorted(learned.items()))


def _inferred(
    runtime: Runtime,
    source: Source,
    event_type: str,
    found: schema_inference.Inference,
    closed: bool,
) -> InferredSchema:
    skipped = None
    if _provider_has_schema(runtime, source.provider, event_type):
        skipped = f"provider {source.provider} defines the schema of {event_type!r}"
    return InferredSchema(event_type, found.schema(closed=closed), found.samples, skipped=skipped)


async def _save_inferred(
    runtime: Runtime, actor: Actor, source_id: str, inferred: list[InferredSchema]
) -> list[InferredSchema]:
    async with runtime.db.session() as session, session.begin():
        result = [await _save_one(session, source_id, item) for item in inferred]
        saved = [i.event_type for i in result if i.saved]
        if saved:
            audit(session, actor, "source.schema_inferred", source_id, event_types=saved)
    return result


async def _save_one(session: AsyncSession, source_id: str, item: InferredSchema) -> InferredSchema:
    if item.skipped is not None:
        return item
    origin = await session.scalar(
        select(SourceSchema.origin).where(
            SourceSchema.source_id == source_id, SourceSchema.event_type == item.event_type
        )
    )
    if origin == "attached":
        return _skip(item, "an admin attached its schema; delete that one to save an inferred one")
    await _save(session, source_id, item.event_type, item.json_schema, "inferred")
    return InferredSchema(item.event_type, item.json_schema, item.samples, saved=True)


def _skip(item: InferredSchema, reason: str) -> InferredSchema:
    return InferredSchema(item.event_type, item.json_schema, item.samples, skipped=reason)


__all__ = [
    "ORIGINS",
    "InferredSchema",
    "SourceSchemaView",
    "attach_schema",
    "attached_schema",
    "check_schema",
    "delete_schema",
    "get_schema",
    "infer_schema",
    "list_schemas",
]
