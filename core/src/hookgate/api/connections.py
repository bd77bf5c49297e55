"""``/api/v1/connections``: OAuth connections of the workspace (admins only).

``POST /connections`` answers the URL the admin's browser opens to authorize
hookgate on the provider (hookgate's start URL, which binds that browser); the
provider sends the browser back to ``/oauth/{provider}/callback``, which shows
the account and the workspace, and the admin's confirmation makes the
connection ``active``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from hookgate.api.models import Input, Output, Page, Word
from hookgate.api.router import Call, Operation
from hookgate.services import connections as service
from hookgate.services.connections import ConnectionView


class ConnectionCreate(Input):
    provider: Word = Field(description="A provider that uses OAuth (`needs_oauth`).")
    params: dict[str, str] = Field(
        default_factory=dict,
        max_length=20,
        description=(
            "What the provider needs to know before authorizing (e.g. the account's "
            "`subdomain`), validated by the provider; see the provider's docs page."
        ),
    )


class ConnectionOut(Output):
    id: str
    provider: str
    status: str = Field(description="pending, active or needs_reauth")
    status_reason: str | None = Field(description="Why the connection is not active.")
    account_id: str | None
    account_name: str | None = Field(description="The account the grant reached.")
    expires_at: datetime | None = Field(description="When the access token expires (refreshed).")
    created_at: datetime
    updated_at: datetime
    sources: int = Field(description="How many sources register webhooks through it.")
    params: dict[str, Any] = Field(
        default_factory=dict, description="The parameters given when it was created."
    )


class ConnectionStart(ConnectionOut):
    """A connection waiting for its authorization: open ``authorize_url`` in a browser."""

    authorize_url: str = Field(
        description="hookgate's start URL (/oauth/{provider}/start?state=...): open it in the "
        "browser that completes the authorization; it binds that browser and goes on to the "
        "provider. Valid once, for HOOKGATE_OAUTH_STATE_TTL s."
    )


class TargetOut(Output):
    """A place a source can register webhooks on; providers may add fields."""

    model_config = ConfigDict(extra="allow")

    type: str
    name: str


class AccountOut(Output):
    account_id: str
    name: str
    targets: list[TargetOut]
    notes: list[str] = Field(
        default_factory=list, description="What to know before registering on this account."
    )


def connection_out(view: ConnectionView) -> ConnectionOut:
    return ConnectionOut.model_validate(
        {k: v for k, v in vars(view).items() if k != "authorize_url"}
    )


async def create_connection(call: Call) -> BaseModel:
    body = call.body_as(ConnectionCreate)
    view = await service.create_connection(call.runtime, call.actor, body.provider, body.params)
    return ConnectionStart.model_validate(vars(view))


async def list_connections(call: Call) -> BaseModel:
    views = await service.list_connections(call.runtime, call.actor)
    return Page[ConnectionOut](items=[connection_out(v) for v in views])


async def get_connection(call: Call) -> BaseModel:
    return connection_out(await service.get_connection(call.runtime, call.actor, call.id))


async def connection_account(call: Call) -> BaseModel:
    account = await service.connection_account(call.runtime, call.actor, call.id)
    targets: list[dict[str, Any]] = [t.model_dump(mode="json") for t in account.targets]
    return AccountOut.model_validate({**account.model_dump(mode="json"), "targets": targets})


async def reauthorize_connection(call: Call) -> BaseModel:
    view = await service.reauthorize(call.runtime, call.actor, call.id)
    return ConnectionStart.model_validate(vars(view))


async def delete_connection(call: Call) -> None:
    await service.delete_connection(call.runtime, call.actor, call.id)


_ADMIN = "Admins only."
OPERATIONS = [
    Operation(
        "GET",
        "/connections",
        list_connections,
        "List the workspace's OAuth connections",
        Page[ConnectionOut],
        description=_ADMIN,
        errors=(403,),
    ),
    Operation(
        "POST",
        "/connections",
        create_connection,
        "Start a connection: answers the provider's authorize URL to open in a browser",
        ConnectionStart,
        status=201,
        body=ConnectionCreate,
        description=f"{_ADMIN} 422 `oauth_not_configured` when hookgate has no OAuth app for "
        "the provider (HOOKGATE_<PROVIDER>_CLIENT_ID) or no HOOKGATE_PUBLIC_URL.",
        errors=(403,),
    ),
    Operation(
        "GET",
        "/connections/{id}",
        get_connection,
        "Show a connection",
        ConnectionOut,
        description=_ADMIN,
        errors=(403,),
    ),
    Operation(
        "GET",
        "/connections/{id}/account",
        connection_account,
        "What the grant reaches: the account and the targets sources can register on",
        AccountOut,
        description=f"{_ADMIN} Asks the provider. 409 `needs_reauth` when the grant is gone, "
        "409 `provider_refused` when the provider refuses, 502 `provider_error` when it fails.",
        errors=(403, 409, 502),
    ),
    Operation(
        "POST",
        "/connections/{id}/reauthorize",
        reauthorize_connection,
        "Authorize an existing connection again (a revoked or expired grant)",
        ConnectionStart,
        description=_ADMIN,
        errors=(403, 422),
    ),
    Operation(
        "DELETE",
        "/connections/{id}",
        delete_connection,
        "Delete a connection no source uses",
        None,
        status=204,
        description=f"{_ADMIN} 409 while sources register through it.",
        errors=(403, 409),
    ),
]

__all__ = ["OPERATIONS"]
