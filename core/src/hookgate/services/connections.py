"""OAuth connections of a workspace: start, show, list what they reach, delete.

The browser side of an authorization (start URL, callback, confirmation) is
:mod:`hookgate.services.authorization`.

A connection is one grant on a provider, shared by the sources that register
webhooks through it. Only admins manage them. Provider failures are
translated for the admin API: a refusal (no rights, missing scope, a bad
target) is ``409``, an unreachable or failing provider is ``502``, a revoked
grant is ``409 needs_reauth``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from hookgate.errors import ConfigurationError, ProviderAPIError, UnknownProviderError
from hookgate.oauth import flow
from hookgate.oauth.clients import start_url
from hookgate.oauth.errors import NeedsReauth, OAuthNotConfigured
from hookgate.oauth.manager import oauth_for
from hookgate.services.common import Actor, Conflict, Invalid, NotFound, ServiceError, audit
from hookgate.store.models import OAuthConnection, Source, new_id
from hookgate.types import OAuthAccount

if TYPE_CHECKING:
    from hookgate.runtime import Runtime


class ProviderRefused(ServiceError):
    """The provider refused (no rights on the target, a missing scope, a limit reached)."""

    status = 409
    code = "provider_refused"


class ProviderFailed(ServiceError):
    """The provider failed or could not be reached; trying again later may work."""

    status = 502
    code = "provider_error"


class NeedsAuthorization(ServiceError):
    """The connection's grant is revoked, expired or not finished: authorize it again."""

    status = 409
    code = "needs_reauth"


class OAuthNotSetUp(ServiceError):
    """hookgate has no OAuth app for the provider, or no public URL."""

    status = 422
    code = "oauth_not_configured"


def translate(exc: ProviderAPIError, doing: str) -> ServiceError:
    """The service error for a provider failure while ``doing`` something."""
    message = f"{doing}: {exc}"
    if isinstance(exc, NeedsReauth) or exc.status == 401:
        return NeedsAuthorization(message)
    if exc.retryable or (exc.status is not None and exc.status >= 500):
        return ProviderFailed(message)
    return ProviderRefused(message)


@dataclass(frozen=True)
class ConnectionView:
    """A connection as shown to admins; ``authorize_url`` only right after a start."""

    id: str
    provider: str
    status: str
    status_reason: str | None
    account_id: str | None
    account_name: str | None
    expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    sources: int
    #: What the admin gave when creating it (the provider's ``connection_model``).
    params: dict[str, Any] = field(default_factory=dict)
    authorize_url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        for name in ("expires_at", "created_at", "updated_at"):
            data[name] = data[name].isoformat() if data[name] else None
        return data


def _view(row: OAuthConnection, sources: int = 0, url: str | None = None) -> ConnectionView:
    return ConnectionView(
        id=row.id,
        provider=row.provider,
        status=row.status,
        status_reason=row.status_reason,
        account_id=row.account_id,
        account_name=row.account_name,
        expires_at=row.expires_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
        sources=sources,
        params=dict(row.params or {}),
        authorize_url=url,
    )


def check_oauth_provider(runtime: Runtime, provider: str) -> None:
    """Refuse a provider that is unknown or does not use OAuth."""
    try:
        info = runtime.plugins.provider(provider).provider_info()
    except UnknownProviderError as exc:
        raise Invalid(str(exc)) from exc
    if not info.needs_oauth:
        raise Invalid(
            f"provider {provider!r} does not use OAuth: create its sources without a connection"
        )


async def _begin(runtime: Runtime, actor: Actor, row: OAuthConnection, created: bool) -> str:
    try:
        async with runtime.db.session() as session, session.begin():
            if created:
                session.add(row)
                await session.flush()
            state = await flow.begin(runtime, session, row, actor.user_id)
            url = start_url(runtime.settings, row.provider, state)
            action = "connection.created" if created else "connection.reauthorize_started"
            audit(session, actor, action, row.id, provider=row.provider)
    except (OAuthNotConfigured, ConfigurationError) as exc:
        raise OAuthNotSetUp(str(exc)) from exc
    return url


async def create_connection(
    runtime: Runtime, actor: Actor, provider: str, params: Mapping[str, Any] | None = None
) -> ConnectionView:
    """A pending connection and the URL the admin's browser opens to authorize it.

    ``params`` are what the provider's ``connection_model`` asks for (an account's
    own host); the provider validates them.
    """
    actor.require_admin("connect providers")
    check_oauth_provider(runtime, provider)
    try:
        checked = runtime.plugins.provider(provider).connection_params(params)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    row = OAuthConnection(
        id=new_id("con"),
        workspace_id=actor.workspace_id,
        provider=provider,
        status="pending",
        params=checked,
        created_by=actor.user_id,
    )
    url = await _begin(runtime, actor, row, created=True)
    return _view(row, url=url)


async def _get(runtime: Runtime, actor: Actor, connection_id: str) -> OAuthConnection:
    async with runtime.db.session() as session:
        row = await session.get(OAuthConnection, connection_id)
    if row is None or row.workspace_id != actor.workspace_id:
        raise NotFound(f"no connection {connection_id!r} in this workspace")
    return row


async def reauthorize(
    runtime: Runtime, actor: Actor, connection_id: str, *, provider: str | None = None
) -> ConnectionView:
    """A new authorize URL for an existing connection (a revoked grant, a new scope)."""
    actor.require_admin("authorize connections")
    row = await _get(runtime, actor, connection_id)
    if provider is not None and row.provider != provider:
        raise Invalid(f"connection {row.id} is a {row.provider} connection, not {provider}")
    check_oauth_provider(runtime, row.provider)
    url = await _begin(runtime, actor, row, created=False)
    return _view(row, await _count_sources(runtime, row.id), url)


async def _count_sources(runtime: Runtime, connection_id: str) -> int:
    async with runtime.db.session() as session:
        count = await session.scalar(
            select(func.count(Source.id)).where(Source.connection_id == connection_id)
        )
    return int(count or 0)


async def get_connection(runtime: Runtime, actor: Actor, connection_id: str) -> ConnectionView:
    actor.require_admin("see connections")
    row = await _get(runtime, actor, connection_id)
    return _view(row, await _count_sources(runtime, row.id))


async def list_connections(runtime: Runtime, actor: Actor) -> list[ConnectionView]:
    actor.require_admin("see connections")
    counts = (
        select(Source.connection_id, func.count(Source.id))
        .where(Source.workspace_id == actor.workspace_id, Source.connection_id.is_not(None))
        .group_by(Source.connection_id)
    )
    async with runtime.db.session() as session:
        rows = list(
            await session.scalars(
                select(OAuthConnection)
                .where(OAuthConnection.workspace_id == actor.workspace_id)
                .order_by(OAuthConnection.created_at.desc())
            )
        )
        used = {cid: int(n) for cid, n in (await session.execute(counts)).all()}
    return [_view(row, used.get(row.id, 0)) for row in rows]


async def active_connection(runtime: Runtime, actor: Actor, connection_id: str) -> OAuthConnection:
    """The connection, refused unless it is active (its grant works)."""
    row = await _get(runtime, actor, connection_id)
    if row.status != "active":
        reason = f" ({row.status_reason})" if row.status_reason else ""
        raise NeedsAuthorization(
            f"connection {row.id} is {row.status}{reason}: authorize it first "
            f"(hookgate connections reauthorize {row.id})"
        )
    return row


async def connection_account(runtime: Runtime, actor: Actor, connection_id: str) -> OAuthAccount:
    """What the grant reaches right now, asked from the provider."""
    actor.require_admin("see what connections reach")
    row = await active_connection(runtime, actor, connection_id)
    manager = oauth_for(runtime)
    hooks = runtime.plugins.provider(row.provider)
    try:
        token, _ = await manager.tokens.current(row.id)
        async with manager.client(row.id) as client:
            return await hooks.oauth_account(token, client, row.params)
    except ProviderAPIError as exc:
        raise translate(exc, f"cannot list what connection {row.id} reaches") from exc


async def delete_connection(runtime: Runtime, actor: Actor, connection_id: str) -> None:
    """Forget a connection; refused while sources register through it."""
    actor.require_admin("delete connections")
    row = await _get(runtime, actor, connection_id)
    if used := await _count_sources(runtime, row.id):
        raise Conflict(
            f"connection {row.id} is used by {used} source(s): delete them or move them to "
            "another connection first"
        )
    async with runtime.db.session() as session, session.begin():
        doomed = await session.get(OAuthConnection, row.id)
        if doomed is not None:
            await session.delete(doomed)
        audit(session, actor, "connection.deleted", row.id, provider=row.provider)


__all__ = [
    "ConnectionView",
    "NeedsAuthorization",
    "OAuthNotSetUp",
    "ProviderFailed",
    "ProviderRefused",
    "active_connection",
    "check_oauth_provider",
    "connection_account",
    "create_connection",
    "delete_connection",
    "get_connection",
    "list_connections",
    "reauthorize",
    "translate",
]
