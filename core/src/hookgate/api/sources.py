"""``/api/v1/sources``: webhook sources (creating and changing them is for admins).

A source of a provider that uses OAuth is registered when created with a
``connection_id`` and ``targets``: hookgate creates its webhooks on the
provider, or answers the provider's error (``409 provider_refused``, ``502
provider_error``, ``409 needs_reauth``) and keeps nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from hookgate.api.events import EventOut, EventQuery, event_out
from hookgate.api.models import Ident, Input, Name, Output, Page, Query, Secret, Settings, Word
from hookgate.api.models import _no_nul as no_nul
from hookgate.api.router import Call, Operation
from hookgate.services import events as event_service
from hookgate.services import registration as registration_service
from hookgate.services import sources as service
from hookgate.services.sources import MAX_GRACE, SourceView

SchemaPolicy = Literal["record", "enforce"]


class TargetIn(BaseModel):
    """Where to register: a target of ``GET /api/v1/connections/{id}/account``, as listed."""

    model_config = ConfigDict(extra="allow")

    type: Word
    name: Word

    @model_validator(mode="after")
    def _storable(self) -> TargetIn:
        no_nul(self.model_extra or {})
        return self


Targets = Field(
    default=None,
    min_length=1,
    max_length=100,
    description="Registered sources: the targets to create webhooks on (needs connection_id).",
)


_CONFIG = (
    "The provider's settings, validated by its settings model (the `config_schema` of "
    "`GET /api/v1/providers/{id}`); the CLI's `--set KEY=VALUE`."
)


class SourceCreate(Input):
    """A new source. Its provider settings go in ``config``."""

    provider: Word = Field(description="Provider name, as `GET /api/v1/providers` lists it.")
    name: Name = Field(description="Unique in the workspace.")
    secret: Secret | None = Field(
        default=None, description="Signing secret; generated when omitted. Shown this once."
    )
    events: list[Word] = Field(
        default_factory=list, max_length=500, description="Subscribed event types; empty: all."
    )
    schema_policy: SchemaPolicy = "record"
    config: Settings = Field(default_factory=dict, description=_CONFIG)
    connection_id: Ident | None = Field(
        default=None, description="An active OAuth connection: hookgate registers the webhooks."
    )
    targets: list[TargetIn] | None = Targets
    keep_on_error: bool = Field(
        default=False,
        description="Keep the source (registration_status `error`) when registration fails.",
    )

    @model_validator(mode="wrap")
    @classmethod
    def _settings_go_in_config(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return settings_in_config(data, handler)


_NOT_A_FIELD = 'not a field of this body; provider settings go inside "config"'


def settings_in_config(data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Validate; an unknown top-level field is answered with where settings belong."""
    try:
        return handler(data)
    except ValidationError as exc:
        errors = [
            InitErrorDetails(
                type=PydanticCustomError("extra_forbidden", _NOT_A_FIELD)
                if e["type"] == "extra_forbidden"
                else e["type"],
                loc=e["loc"],
                input=e["input"],
                ctx=e.get("ctx", {}),
            )
            for e in exc.errors()
        ]
        raise ValidationError.from_exception_data(exc.title, errors) from None


def _targets(targets: list[TargetIn] | None) -> list[dict[str, Any]] | None:
    return None if targets is None else [t.model_dump(mode="json") for t in targets]


class SourceUpdate(Input):
    name: Name | None = None
    events: list[Word] | None = Field(default=None, max_length=500)
    schema_policy: SchemaPolicy | None = None
    targets: list[TargetIn] | None = Targets
    config: Settings | None = Field(
        default=None,
        description="Changes to the provider settings: each key replaces the stored value, "
        "`null` removes it (its default applies again), keys not given stay.",
    )

    @model_validator(mode="wrap")
    @classmethod
    def _settings_go_in_config(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return settings_in_config(data, handler)


class DeleteQuery(Query):
    force: bool = Field(
        default=False,
        description="Delete even when the provider cannot delete the webhooks (left behind).",
    )


class RotateSecret(Input):
    grace: float = Field(
        default=24.0,
        ge=0,
        le=MAX_GRACE.total_seconds() / 3600,
        description="Hours the previous secret keeps verifying (in-flight deliveries).",
    )


class SourceOut(Output):
    id: str
    name: str
    provider: str
    url: str | None = Field(description="The receiving URL; it holds a secret: admins only.")
    events: list[str]
    config: dict[str, Any]
    schema_policy: str
    status: str
    verified_at: datetime | None
    created_at: datetime
    secret_hint: str | None = Field(
        description="The signing secret's last 4 characters; admins only."
    )
    connection_id: str | None = Field(description="The OAuth connection registering webhooks.")
    targets: list[dict[str, Any]] = Field(description="Where the webhooks are registered.")
    registration_status: str | None = Field(
        description="pending, active, expiring, error or needs_reauth; null: not registered."
    )
    registration_error: str | None = Field(description="Why registration is not active.")
    reconciled_at: datetime | None = Field(description="When the webhooks were last checked.")
    webhooks: list[dict[str, Any]] = Field(
        default_factory=list,
        description="The registered webhooks: target, remote_id, expires_at, refreshed_at "
        "(the last extension of an expiring hook) and checked_at.",
    )


class SourceWithSecret(SourceOut):
    """A source just created or rotated: the only time the signing secret is shown."""

    secret: str


def source_out(view: SourceView) -> SourceOut:
    return SourceOut.model_validate({k: v for k, v in vars(view).items() if k != "secret"})


def with_secret(view: SourceView) -> SourceWithSecret:
    return SourceWithSecret.model_validate(vars(view))


async def create_source(call: Call) -> BaseModel:
    body = call.body_as(SourceCreate)
    view = await service.create_source(
        call.runtime,
        call.actor,
        provider=body.provider,
        name=body.name,
        config=body.config,
        secret=body.secret,
        events=body.events,
        schema_policy=body.schema_policy,
        connection_id=body.connection_id,
        targets=_targets(body.targets),
        keep_on_error=body.keep_on_error,
    )
    return with_secret(view)


async def list_sources(call: Call) -> BaseModel:
    views = await service.list_sources(call.runtime, call.actor)
    return Page[SourceOut](items=[source_out(v) for v in views])


async def get_source(call: Call) -> BaseModel:
    return source_out(await service.get_source(call.runtime, call.actor, call.id))


async def update_source(call: Call) -> BaseModel:
    body = call.body_as(SourceUpdate)
    view = await service.update_source(
        call.runtime,
        call.actor,
        call.id,
        name=body.name,
        events=body.events,
        schema_policy=body.schema_policy,
        targets=_targets(body.targets),
        config=body.config,
    )
    return source_out(view)


async def rotate_secret(call: Call) -> BaseModel:
    grace = timedelta(hours=call.body_as(RotateSecret).grace)
    return with_secret(await service.rotate_secret(call.runtime, call.actor, call.id, grace=grace))


async def delete_source(call: Call) -> None:
    force = call.query_as(DeleteQuery).force
    await service.delete_source(call.runtime, call.actor, call.id, force=force)


async def reconcile_source(call: Call) -> BaseModel:
    await registration_service.reconcile_now(call.runtime, call.actor, call.id)
    return source_out(await service.get_source(call.runtime, call.actor, call.id))


async def source_events(call: Call) -> BaseModel:
    query = call.query_as(EventQuery)
    views = await event_service.list_events(
        call.runtime, call.actor, source_id=call.id, status=query.status, limit=query.limit
    )
    return Page[EventOut](items=[event_out(v) for v in views])


_ADMIN = "Admins only."
OPERATIONS = [
    Operation("GET", "/sources", list_sources, "List the workspace's sources", Page[SourceOut]),
    Operation(
        "POST",
        "/sources",
        create_source,
        "Create a source",
        SourceWithSecret,
        status=201,
        body=SourceCreate,
        description=f"{_ADMIN} The answer carries the signing secret and URL, shown this once. "
        "With `connection_id` and `targets` the webhooks are registered first; when that fails "
        "nothing is kept: 409 `provider_refused` / `needs_reauth`, 502 `provider_error`.",
        errors=(403, 409, 502),
    ),
    Operation("GET", "/sources/{id}", get_source, "Show a source", SourceOut),
    Operation(
        "PATCH",
        "/sources/{id}",
        update_source,
        "Change a source's name, subscribed events, schema policy, targets or settings",
        SourceOut,
        body=SourceUpdate,
        description=f"{_ADMIN} A registered source's webhooks follow a change of events or "
        "targets; a provider failure shows in `registration_status`.",
        errors=(403, 409),
    ),
    Operation(
        "DELETE",
        "/sources/{id}",
        delete_source,
        "Delete a source with its triggers, events and runs",
        None,
        status=204,
        query=DeleteQuery,
        description=f"{_ADMIN} A registered source's webhooks are deleted on the provider first "
        "(already gone is fine); when that fails nothing is deleted unless `force`.",
        errors=(403, 409, 502),
    ),
    Operation(
        "POST",
        "/sources/{id}/rotate-secret",
        rotate_secret,
        "Replace the signing secret; the previous one verifies for `grace` hours",
        SourceWithSecret,
        body=RotateSecret,
        description=f"{_ADMIN} The answer carries the new secret, shown this once.",
        errors=(403,),
    ),
    Operation(
        "POST",
        "/sources/{id}/reconcile",
        reconcile_source,
        "Check a registered source's webhooks now and push its whole desired state",
        SourceOut,
        description=f"{_ADMIN} The outcome is in `registration_status`; a source without a "
        "connection is answered unchanged.",
        errors=(403,),
    ),
    Operation(
        "GET",
        "/sources/{id}/events",
        source_events,
        "Events received by a source, newest first (without payloads)",
        Page[EventOut],
        query=EventQuery,
    ),
]

__all__ = ["OPERATIONS"]
