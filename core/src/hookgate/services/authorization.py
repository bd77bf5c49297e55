"""The browser side of connecting a provider: start URL, callback, confirmation.

An admin's browser opens the start URL (``/oauth/{provider}/start?state=...``,
what ``POST /api/v1/connections`` answers as ``authorize_url``), which binds
the authorization to that browser with a cookie and sends it to the
provider. The provider sends it back to the callback with a code; the code is
exchanged at once and the token held, and the page shows which provider
account would be connected to which workspace. Only the starter's
confirmation (a POST from that page, with its CSRF token and the cookie)
makes the connection active, and only while the starter is still an admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hookgate.errors import ConfigurationError, ProviderAPIError
from hookgate.oauth import flow
from hookgate.oauth.errors import OAuthNotConfigured, StateError
from hookgate.oauth.state import AcceptedState, cookie_name, csrf_token, state_id_of
from hookgate.services.common import Actor, Forbidden, ServiceError, audit
from hookgate.services.connections import ConnectionView, OAuthNotSetUp, get_connection, translate
from hookgate.store.models import User, Workspace
from hookgate.types import OAuthAccount

if TYPE_CHECKING:
    from hookgate.runtime import Runtime


class StateRefused(ServiceError):
    """The ``state`` is tampered with, replayed, expired, unknown, or from another browser."""

    status = 400
    code = "invalid_state"


class AuthorizationRefused(ServiceError):
    """The provider reported an error on the callback (the user denied the grant)."""

    status = 400
    code = "authorization_failed"


@dataclass(frozen=True, slots=True)
class PendingConfirmation:
    """A grant received and held: what the confirmation page shows and posts back."""

    connection_id: str
    provider: str
    account: OAuthAccount
    workspace: str
    state: str
    csrf: str


def cookie_for(runtime: Runtime, provider: str, state: str) -> str:
    """The name of the browser cookie that belongs to ``state``."""
    try:
        return cookie_name(state_id_of(runtime.secret_box, state, provider=provider))
    except StateError as exc:
        raise StateRefused(str(exc), details={"reason": exc.reason}) from exc


async def open_authorization(runtime: Runtime, provider: str, state: str) -> flow.Opened:
    """Bind the authorization to the browser opening the start URL; where to send it next."""
    try:
        return await flow.open(runtime, provider, state)
    except StateError as exc:
        raise StateRefused(str(exc), details={"reason": exc.reason}) from exc
    except (OAuthNotConfigured, ConfigurationError) as exc:
        raise OAuthNotSetUp(str(exc)) from exc


async def _starter(runtime: Runtime, accepted: AcceptedState) -> tuple[Actor, str]:
    """The admin who started the authorization, as they are now, and their workspace's name."""
    async with runtime.db.session() as session:
        user = await session.get(User, accepted.user_id)
        workspace = await session.get(Workspace, accepted.workspace_id)
    if user is None or workspace is None or user.workspace_id != accepted.workspace_id:
        raise Forbidden("the user who started this authorization no longer exists")
    if user.role != "admin":
        raise Forbidden(
            f"{user.name} started this authorization as an admin of {workspace.name} but is "
            "no longer one: an admin has to connect the provider"
        )
    return Actor(workspace.id, user.id, "admin", user.name), workspace.name


async def complete_authorization(
    runtime: Runtime,
    provider: str,
    *,
    state: str,
    browser: str | None,
    code: str | None = None,
    error: str | None = None,
    error_description: str | None = None,
) -> PendingConfirmation:
    """The provider's redirect back: check state and browser, exchange the code, hold it."""
    try:
        accepted = await flow.accept(runtime, provider, state, browser)
    except StateError as exc:
        raise StateRefused(str(exc), details={"reason": exc.reason}) from exc
    if error or not code:
        detail = f"{error}: {error_description}" if error_description else (error or "no code")
        reason = f"the provider did not grant access ({detail})"
        await flow.refuse(runtime, accepted, reason)
        raise AuthorizationRefused(f"{reason}: start the connection again to retry")
    _, workspace = await _starter(runtime, accepted)
    try:
        account = await flow.exchange(runtime, provider, accepted, code)
    except ProviderAPIError as exc:
        raise translate(exc, "cannot complete the authorization") from exc
    assert browser is not None  # accept() checked it
    return PendingConfirmation(
        accepted.connection_id,
        provider,
        account,
        workspace,
        state,
        csrf_token(browser, accepted.state_id),
    )


async def confirm_authorization(
    runtime: Runtime, provider: str, *, state: str, browser: str | None, csrf: str
) -> ConnectionView:
    """The starter confirmed the account: if they are still an admin, the connection is active."""
    try:
        held = await flow.confirmed(runtime, provider, state, browser=browser, csrf=csrf)
    except StateError as exc:
        raise StateRefused(str(exc), details={"reason": exc.reason}) from exc
    actor, _ = await _starter(runtime, held.accepted)
    done = await flow.activate(runtime, held)
    async with runtime.db.session() as session, session.begin():
        audit(
            session,
            actor,
            "connection.authorized",
            done.connection_id,
            provider=provider,
            account=done.account.name,
        )
    return await get_connection(runtime, actor, done.connection_id)


__all__ = [
    "AuthorizationRefused",
    "PendingConfirmation",
    "StateRefused",
    "complete_authorization",
    "confirm_authorization",
    "cookie_for",
    "open_authorization",
]
