"""The authorization-code flow: the authorize URL out, the callback back in.

``begin`` stores a pending authorization (:mod:`hookgate.oauth.state`) and
asks authlib for the provider's authorization URL with the state and, where
the provider supports it, a PKCE S256 challenge. ``complete`` checks and uses
up the state, exchanges the code (with the PKCE verifier), asks the
provider's ``oauth_account`` hook what the grant reached, and stores the
token set encrypted on the connection, which becomes ``active``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import update

from hookgate.oauth.clients import new_code_verifier
from hookgate.oauth.errors import AuthorizationFailed
from hookgate.oauth.manager import oauth_for
from hookgate.oauth.state import AcceptedState, accept_state, issue_state
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
    """A pending authorization for ``connection`` (in ``session``); returns the authorize URL."""
    manager = oauth_for(runtime)
    protocol = manager.protocol(connection.provider)
    async with protocol:
        verifier = new_code_verifier() if protocol.spec.pkce else None
        state = await issue_state(
            session,
            runtime.secret_box,
            provider=connection.provider,
            connection_id=connection.id,
            workspace_id=connection.workspace_id,
            user_id=user_id,
            code_verifier=verifier,
            ttl=timedelta(seconds=runtime.settings.oauth_state_ttl),
        )
        return protocol.authorization_url(state, verifier)


async def accept(runtime: Runtime, provider: str, state: str) -> AcceptedState:
    """Check the callback's state and use it up (committed at once: a replay finds it used)."""
    async with runtime.db.session() as session, session.begin():
        return await accept_state(session, runtime.secret_box, state, provider=provider)


async def complete(
    runtime: Runtime, provider: str, accepted: AcceptedState, code: str
) -> Completed:
    """Exchange the code, learn the account, store the token: the connection is active."""
    manager = oauth_for(runtime)
    async with manager.protocol(provider) as protocol:
        token = await protocol.exchange(code, accepted.code_verifier)
    hooks = runtime.plugins.provider(provider)
    async with manager.token_client(token) as client:
        account = await hooks.oauth_account(token, client)
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


__all__ = ["Completed", "accept", "begin", "complete", "refuse"]
