"""Zendesk OAuth per subdomain, and what a grant reaches: one account.

Every endpoint lives on the account's subdomain, which the admin gives when
creating the connection (:class:`~hookgate_zendesk.installation.ZendeskConnection`).
Zendesk issues expiring access tokens with rotating refresh tokens (a refresh
deletes the previous pair); core refreshes before expiry, one refresh per
connection at a time, and stores the new pair before anything uses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from hookgate import OAuthAccount, OAuthClientSpec, OAuthToken, ProviderAPIError, Target

from hookgate_zendesk.api import zendesk_api
from hookgate_zendesk.installation import ZendeskConnection, ZendeskInstallation

#: Webhook create/delete are writes; Zendesk's finer scopes for webhooks are to be
#: preferred once their names are confirmed (docs/zendesk.md).
SCOPES: tuple[str, ...] = ("read", "write")
ADMIN_ROLES = frozenset({"admin"})
TRIAL_NOTE = (
    "Zendesk trial accounts allow at most 10 webhooks and 60 webhook invocations a minute: "
    "each registered source uses one webhook."
)


def connection_of(connection: Mapping[str, Any]) -> ZendeskConnection:
    try:
        return ZendeskConnection.model_validate(dict(connection))
    except ValueError as exc:
        raise ValueError(
            "a Zendesk connection needs its subdomain: create it with params "
            '{"subdomain": "acme"} (hookgate connections create --param subdomain=acme)'
        ) from exc


def client_spec(settings: ZendeskInstallation, connection: Mapping[str, Any]) -> OAuthClientSpec:
    base = settings.base_url(connection_of(connection))
    return OAuthClientSpec(
        authorize_url=f"{base}/oauth/authorizations/new",
        token_url=f"{base}/oauth/tokens",
        scopes=SCOPES,
        pkce=True,  # Zendesk supports S256 for the Ticketing API; the secret is sent too
        token_endpoint_auth_method="client_secret_post",  # noqa: S106 - a method name
        scope_separator=" ",
    )


async def account(
    token: OAuthToken,
    client: httpx.AsyncClient,
    settings: ZendeskInstallation,
    connection: Mapping[str, Any],
) -> OAuthAccount:
    """The account (its subdomain) and whether the connected user may manage webhooks."""
    del token  # core's client already sends it
    subdomain = connection_of(connection)
    base = settings.base_url(subdomain)
    api = zendesk_api(client)
    body = await api.call("GET", f"{base}/api/v2/users/me", "read who connected (users/me)")
    user = body.get("user") if isinstance(body, dict) else None
    if not isinstance(user, dict) or user.get("id") in (None, ""):
        raise ProviderAPIError(
            f"Zendesk's users/me answer at {base} has no user: is the subdomain right?"
        )
    role = str(user.get("role") or "")
    may_manage = role in ADMIN_ROLES
    notes = [TRIAL_NOTE]
    if not may_manage:
        notes.insert(
            0,
            f"The connected user is a Zendesk {role or 'user'}, not an admin: registering "
            "webhooks works only if their custom role allows managing webhooks.",
        )
    target = Target(
        type="account",
        name=subdomain.subdomain,
        url=base,
        user=str(user.get("name") or user.get("email") or user["id"]),
        role=role,
        can_manage_webhooks=may_manage,
    )
    return OAuthAccount(
        account_id=subdomain.subdomain,
        name=f"{subdomain.subdomain}.zendesk.com",
        targets=[target],
        notes=notes,
    )


__all__ = ["SCOPES", "TRIAL_NOTE", "account", "client_spec", "connection_of"]
