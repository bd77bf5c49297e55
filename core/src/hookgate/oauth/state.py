"""The ``state`` of an authorization: signed, single use, bound to who started it, short-lived.

The value sent to the provider is a Fernet token (encrypted and HMAC-signed
with ``HOOKGATE_SECRET_KEY``) naming a row of ``oauth_states``; the row holds
the workspace and user who started the authorization, the connection it
completes, the PKCE code verifier (encrypted) and the expiry. A callback is
accepted once: the row is marked used with a compare-and-set, so two
callbacks racing with the same state cannot both win. A tampered value fails
the signature; a replayed one finds its row used; a late one finds it expired.

The browser that comes back carries no API key, so the binding is the row:
the connection is completed on behalf of the user and workspace that started
it, and of no one else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from hookgate.crypto import SecretBox, random_token
from hookgate.errors import ConfigurationError
from hookgate.oauth.errors import StateError
from hookgate.store.models import OAuthState, utcnow

#: Used and expired states are kept this long (for support questions), then deleted.
KEEP_OLD_STATES = timedelta(days=1)
RESTART = "start the connection again (hookgate connections reauthorize ID, or the API)"


@dataclass(frozen=True, slots=True)
class AcceptedState:
    connection_id: str
    workspace_id: str
    user_id: str
    code_verifier: str | None


async def issue_state(
    session: AsyncSession,
    box: SecretBox,
    *,
    provider: str,
    connection_id: str,
    workspace_id: str,
    user_id: str,
    code_verifier: str | None,
    ttl: timedelta,
) -> str:
    """Store a pending authorization and return the signed ``state`` value for its URL."""
    now = utcnow()
    await session.execute(delete(OAuthState).where(OAuthState.expires_at < now - KEEP_OLD_STATES))
    state_id = random_token(24)
    session.add(
        OAuthState(
            id=state_id,
            connection_id=connection_id,
            workspace_id=workspace_id,
            user_id=user_id,
            code_verifier_enc=box.encrypt(code_verifier) if code_verifier else None,
            expires_at=now + ttl,
        )
    )
    return box.encrypt(json.dumps({"s": state_id, "p": provider}, separators=(",", ":")))


def _state_id(box: SecretBox, value: str, provider: str) -> str:
    try:
        data = json.loads(box.decrypt(value))
    except (ConfigurationError, ValueError):
        raise StateError(
            f"the authorization state is not one hookgate issued (altered or truncated): {RESTART}",
            reason="invalid",
        ) from None
    if not isinstance(data, dict) or data.get("p") != provider or not data.get("s"):
        raise StateError(
            f"the authorization state was issued for another provider, not {provider}: {RESTART}",
            reason="mismatch",
        )
    return str(data["s"])


async def accept_state(
    session: AsyncSession, box: SecretBox, value: str, *, provider: str
) -> AcceptedState:
    """Check ``value`` and use it up; :class:`StateError` says why it is refused."""
    state_id = _state_id(box, value, provider)
    row = await session.get(OAuthState, state_id)
    if row is None:
        raise StateError(
            f"the authorization state is unknown or too old: {RESTART}", reason="invalid"
        )
    now = utcnow()
    if row.expires_at <= now:
        raise StateError(
            f"the authorization expired at {row.expires_at:%Y-%m-%d %H:%M:%S} UTC (it must be "
            f"completed within HOOKGATE_OAUTH_STATE_TTL seconds of its start): {RESTART}",
            reason="expired",
        )
    used = await session.execute(
        update(OAuthState)
        .where(OAuthState.id == state_id, OAuthState.used_at.is_(None))
        .values(used_at=now)
    )
    if not getattr(used, "rowcount", 0):
        raise StateError(
            f"this authorization state was already used (a replay, or a reloaded page): {RESTART}",
            reason="used",
        )
    verifier = box.decrypt(row.code_verifier_enc) if row.code_verifier_enc else None
    return AcceptedState(row.connection_id, row.workspace_id, row.user_id, verifier)


__all__ = ["AcceptedState", "accept_state", "issue_state"]
