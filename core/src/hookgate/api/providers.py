"""``/api/v1/providers``: installed providers, their event types and schemas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from hookgate.api.errors import ApiError
from hookgate.api.models import Output, Page
from hookgate.api.router import Call, Operation
from hookgate.plugins import ProviderRecord
from hookgate.setting_fields import model_schema


class EventTypeOut(Output):
    event_type: str
    description: str


class EventSchemaOut(EventTypeOut):
    json_schema: dict[str, Any] = Field(
        serialization_alias="schema", description="JSON Schema of the event body."
    )
    sample: dict[str, Any]


class ProviderOut(Output):
    name: str
    title: str | None
    description: str | None
    version: str | None
    distribution: str | None
    status: str = Field(description="ok, broken or disabled")
    reason: str = Field(description="Why a provider is broken.")
    needs_oauth: bool
    docs_url: str | None
    config_schema: dict[str, Any] | None = Field(
        description="JSON Schema of the provider's source settings (a source's `config`); "
        "null: the provider takes none."
    )
    event_types: list[EventTypeOut]


class ProviderDetail(ProviderOut):
    schemas: list[EventSchemaOut]


def _summary(call: Call, record: ProviderRecord) -> dict[str, Any]:
    info = record.info
    schemas = call.runtime.plugins.schemas(record.name) if record.status == "ok" else {}
    return {
        "name": record.name,
        "title": info.title if info else None,
        "description": info.description if info else None,
        "version": record.version,
        "distribution": record.distribution,
        "status": record.status,
        "reason": record.reason,
        "needs_oauth": bool(info and info.needs_oauth),
        "docs_url": info.docs_url if info else None,
        "config_schema": model_schema(info.config_model if info else None),
        "event_types": [
            EventTypeOut(event_type=s.event_type, description=s.description)
            for s in schemas.values()
        ],
    }


async def list_providers(call: Call) -> BaseModel:
    records = call.runtime.plugins.records()
    return Page[ProviderOut](items=[ProviderOut(**_summary(call, r)) for r in records])


async def get_provider(call: Call) -> BaseModel:
    found = [r for r in call.runtime.plugins.records() if r.name == call.id]
    if not found:
        raise ApiError(404, "not_found", f"no provider {call.id!r} is installed")
    record = found[0]
    schemas = call.runtime.plugins.schemas(record.name) if record.status == "ok" else {}
    return ProviderDetail(
        **_summary(call, record),
        schemas=[
            EventSchemaOut(
                event_type=s.event_type,
                description=s.description,
                json_schema=s.json_schema,
                sample=s.sample,
            )
            for s in schemas.values()
        ],
    )


OPERATIONS = [
    Operation(
        "GET",
        "/providers",
        list_providers,
        "Installed providers (ok, broken or disabled), their settings' schema and event types",
        Page[ProviderOut],
    ),
    Operation(
        "GET",
        "/providers/{id}",
        get_provider,
        "One provider with its settings' JSON Schema and each event type's schema and sample",
        ProviderDetail,
    ),
]
