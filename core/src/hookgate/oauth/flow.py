"""The authorization-code flow: the authorize URL out, the callback back in, a confirmation.

``begin`` stores a pending authorization (:mod:`hookgate.oauth.state`).
``open`` binds it to the browser opening its start URL and asks authlib for
the provider's authorization URL with the state and, where the provider
supports it, a PKCE S256 challenge. ``accept`` and ``exchange`` check and use
up the state at the callback, exchange the code (with the PKCE verifier), ask
the provider's ``oauth_account`` hook what the grant reached, and hold the
token set encrypted on the state. ``confirm``, once the starter has seen the
account and the workspace, stores it on the connection, which becomes ``active``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from hookgate.oauth.clients import new_code_verifier
from hookgate.oauth.errors import AuthorizationFailed
from hookgate.oauth.manager import oauth_for
from hookgate.oauth.state import (
    AcceptedState,
    ConfirmedState,
    accept_state,
    confirm_state,
    cookie_name,
    hold_token,
    issue_state,
    open_state,
)
from hookgate.store.models import OAuthConnection, Source, utcnow
from hookgate.types import OAuthAccount, OAuthToken

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from hookgate.runtime import Runtime

log = logging.getLogger("hookgate.oauth")


@dataclass(frozen=True, slots=True)
class Completed:
    """A connection the callback just made active."""

    connection_id: str
    workspace_id: str
    user_id: str
    account: OAuthAccount


async def begin(
    runtime: Runtime, session: AsyncSession, connection: OAuthConnection, user_id: str
) -> str:
    """A pending authorization for ``connection`` (in ``session``); returns its state value."""
    protocol = oauth_for(runtime).protocol(connection.provider, params=connection.params)
    async with protocol:
        verifier = new_code_verifier() if protocol.spec.pkce else None
        return await issue_state(
            session,
            runtime.secret_box,
            provider=connection.provider,
            connection_id=connection.id,
            workspace_id=connection.workspace_id,
            user_id=user_id,
            code_verifier=verifier,
            ttl=timedelta(seconds=runtime.settings.oauth_state_ttl),
        )


@dataclass(frozen=True, slots=True)
class Opened:
    """A start URL opened by a browser: its cookie, and where to send the browser."""

    cookie: str
    browser: str
    authorize_url: str


async def open(runtime: Runtime, provider: str, state: str) -> Opened:
    """Bind the authorization to this browser (once) and build the provider's authorize URL."""
    async with runtime.db.session() as session, session.begin():
        state_id, browser, accepted = await open_state(
            session, runtime.secret_box, state, provider=provider
        )
        params = await _params(session, accepted.connection_id)
    async with oauth_for(runtime).protocol(provider, params=params) as protocol:
        url = protocol.authorization_url(state, accepted.code_verifier)
    return Opened(cookie_name(state_id), browser, url)


async def accept(runtime: Runtime, provider: str, state: str, browser: str | None) -> AcceptedState:
    """Check the callback's state and browser and use it up (a replay finds it used)."""
    async with runtime.db.session() as session, session.begin():
        return await accept_state(
            session, runtime.secret_box, state, provider=provider, browser=browser
        )


async def exchange(
    runtime: Runtime, provider: str, accepted: AcceptedState, code: str
) -> OAuthAccount:
    """Exchange the code, learn the account, hold the token until the starter confirms."""
    manager = oauth_for(runtime)
    async with runtime.db.session() as session:
        params = await _params(session, accepted.connection_id)
    async with manager.protocol(provider, params=params) as protocol:
        token = await protocol.exchange(code, accepted.code_verifier)
    hooks = runtime.plugins.provider(provider)
    async with manager.token_client(token) as client:
        account = await hooks.oauth_account(token, client, params)
    async with runtime.db.session() as session, session.begin():
        await hold_token(
            session, accepted.state_id, manager.tokens.encode(token), account.model_dump()
        )
    return account


async def _params(session: AsyncSession, connection_id: str) -> dict[str, Any]:
    """What the admin gave for the connection (its endpoints may depend on it)."""
    row = await session.get(OAuthConnection, connection_id)
    return dict(row.params or {}) if row is not None else {}


async def confirmed(
    runtime: Runtime, provider: str, state: str, *, browser: str | None, csrf: str
) -> ConfirmedState:
    """Check the starter's confirmation and use it up (the held token leaves the state)."""
    async with runtime.db.session() as session, session.begin():
        return await confirm_state(
            session, runtime.secret_box, state, provider=provider, browser=browser, csrf=csrf
        )


async def activate(runtime: Runtime, done: ConfirmedState) -> Completed:
    """Store the confirmed token on the connection: it is ``active``."""
    token = OAuthToken.model_validate_json(runtime.secret_box.decrypt(done.token_enc))
    account = OAuthAccount.model_validate(done.account)
    accepted = done.accepted
    await _activate(runtime, accepted, token, account)
    log.info("connection %s authorized as %s", accepted.connection_id, account.name)
    return Completed(accepted.connection_id, accepted.workspace_id, accepted.user_id, account)


async def _activate(
    runtime: Runtime, accepted: AcceptedState, token: OAuthToken, account: OAuthAccount
) -> None:
    async with runtime.db.session() as session, session.begin():
        row = await session.get(OAuthConnection, accepted.connection_id)
        if row is None or row.workspace_id != accepted.workspace_id:
            raise AuthorizationFailed(
                f"connection {accepted.connection_id} was deleted during its authorization: "
                "create a new connection",
                status=404,
            )
        row.status, row.status_reason = "active", None
        row.account_id, row.account_name = account.account_id, account.name
        row.token_enc = oauth_for(runtime).tokens.encode(token)
        row.expires_at = token.expires_at
        row.token_version += 1
        row.refresh_lease_until = None
        row.updated_at = utcnow()
        # Sources that waited for this grant are checked at the scheduler's next tick.
        await session.execute(
            update(Source)
            .where(Source.connection_id == row.id, Source.registration_status == "needs_reauth")
            .values(registration_status="pending", registration_error=None, reconciled_at=None)
        )


async def refuse(runtime: Runtime, accepted: AcceptedState, reason: str) -> None:
    """The provider reported an error (the user denied the grant): note it on the connection."""
    async with runtime.db.session() as session, session.begin():
        row = await session.get(OAuthConnection, accepted.connection_id)
        if row is not None:
            row.status_reason = reason


__all__ = [
    "Completed",
    "Opened",
    "accept",
    "activate",
    "begin",
    "confirmed",
    "exchange",
    "open",
    "refuse",
]
