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
it, and of no one else. The row is also bound to one browser: the first one
to open the start URL gets a random cookie whose SHA-256 the row keeps
(:func:`bind_browser`); the callback and its confirmation are refused without
it, so a forwarded or leaked authorize link cannot be completed elsewhere.

Two steps use a state: the provider's callback (:func:`accept_state`, the code
is exchanged and the token held on the row) and the starter's confirmation
after seeing the account (:func:`confirm_state`); each works once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

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
    state_id: str = ""


@dataclass(frozen=True, slots=True)
class ConfirmedState:
    """A state its starter confirmed: the token held since the callback, and its account."""

    accepted: AcceptedState
    token_enc: str
    account: dict[str, Any]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def cookie_name(state_id: str) -> str:
    """The browser cookie of one authorization (several may run in one browser at once)."""
    return "hookgate_oauth_" + _digest(state_id)[:16]


def csrf_token(browser: str, state_id: str) -> str:
    """What the confirmation form posts back: only the page shown to the bound browser has it."""
    return hmac.new(browser.encode(), state_id.encode(), hashlib.sha256).hexdigest()


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


async def _live_row(session: AsyncSession, state_id: str) -> OAuthState:
    row = await session.get(OAuthState, state_id)
    if row is None:
        raise StateError(
            f"the authorization state is unknown or too old: {RESTART}", reason="invalid"
        )
    if row.expires_at <= utcnow():
        raise StateError(
            f"the authorization expired at {row.expires_at:%Y-%m-%d %H:%M:%S} UTC (it must be "
            f"completed within HOOKGATE_OAUTH_STATE_TTL seconds of its start): {RESTART}",
            reason="expired",
        )
    return row


def _check_browser(row: OAuthState, browser: str | None) -> None:
    if (
        row.browser_hash is None
        or browser is None
        or not hmac.compare_digest(row.browser_hash, _digest(browser))
    ):
        raise StateError(
            "this authorization was started in another browser, or its cookie is gone (cookies "
            "blocked, or more than HOOKGATE_OAUTH_STATE_TTL seconds passed): open the authorize "
            f"URL hookgate gave you in the browser that completes it, or {RESTART}",
            reason="browser",
        )


def _accepted(box: SecretBox, row: OAuthState) -> AcceptedState:
    verifier = box.decrypt(row.code_verifier_enc) if row.code_verifier_enc else None
    return AcceptedState(row.connection_id, row.workspace_id, row.user_id, verifier, row.id)


async def open_state(
    session: AsyncSession, box: SecretBox, value: str, *, provider: str
) -> tuple[str, str, AcceptedState]:
    """Bind the authorization to the browser opening its start URL, once.

    Returns (the state's id, the browser's new random cookie value, the state).
    A second browser opening the same start URL is refused.
    """
    state_id = _state_id(box, value, provider)
    row = await _live_row(session, state_id)
    browser = random_token(32)
    bound = await session.execute(
        update(OAuthState)
        .where(OAuthState.id == state_id, OAuthState.browser_hash.is_(None))
        .values(browser_hash=_digest(browser))
    )
    if row.used_at is not None or not getattr(bound, "rowcount", 0):
        raise StateError(
            "this authorize link was already opened in another browser (each works in one "
            f"browser): {RESTART}",
            reason="used",
        )
    return state_id, browser, _accepted(box, row)


def state_id_of(box: SecretBox, value: str, *, provider: str) -> str:
    """The id inside a state value (to find its cookie); :class:`StateError` if it is not ours."""
    return _state_id(box, value, provider)


async def accept_state(
    session: AsyncSession, box: SecretBox, value: str, *, provider: str, browser: str | None
) -> AcceptedState:
    """Check ``value`` and its browser cookie, and use it up; :class:`StateError` says why not."""
    state_id = _state_id(box, value, provider)
    row = await _live_row(session, state_id)
    _check_browser(row, browser)
    used = await session.execute(
        update(OAuthState)
        .where(OAuthState.id == state_id, OAuthState.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if not getattr(used, "rowcount", 0):
        raise StateError(
            f"this authorization state was already used (a replay, or a reloaded page): {RESTART}",
            reason="used",
        )
    return _accepted(box, row)


async def hold_token(
    session: AsyncSession, state_id: str, token_enc: str, account: dict[str, Any]
) -> None:
    """Keep the exchanged token on the state until its starter confirms the account."""
    await session.execute(
        update(OAuthState)
        .where(OAuthState.id == state_id)
        .values(token_enc=token_enc, account=account)
    )


async def confirm_state(
    session: AsyncSession,
    box: SecretBox,
    value: str,
    *,
    provider: str,
    browser: str | None,
    csrf: str,
) -> ConfirmedState:
    """Check the confirmation of a held token (browser, CSRF token, once) and use it up."""
    state_id = _state_id(box, value, provider)
    row = await _live_row(session, state_id)
    _check_browser(row, browser)
    assert browser is not None
    if not hmac.compare_digest(csrf_token(browser, state_id), csrf):
        raise StateError(
            "the confirmation did not come from hookgate's confirmation page: "
            "confirm the connection on that page",
            reason="invalid",
        )
    held, account = row.token_enc, row.account
    if held is None or account is None:
        raise StateError(
            f"the provider's answer for this authorization was not received: {RESTART}",
            reason="invalid",
        )
    confirmed = await session.execute(
        update(OAuthState)
        .where(OAuthState.id == state_id, OAuthState.confirmed_at.is_(None))
        .values(confirmed_at=utcnow(), token_enc=None)
    )
    if not getattr(confirmed, "rowcount", 0):
        raise StateError(
            f"this connection was already confirmed (a reloaded page): {RESTART}", reason="used"
        )
    return ConfirmedState(_accepted(box, row), held, dict(account))


__all__ = [
    "AcceptedState",
    "ConfirmedState",
    "accept_state",
    "confirm_state",
    "cookie_name",
    "csrf_token",
    "hold_token",
    "issue_state",
    "open_state",
    "state_id_of",
]
