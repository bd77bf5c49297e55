"""The Jira provider's hook implementations: thin wiring to the modules that do the work."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from hookgate import ProviderInfo, hookimpl

from hookgate_jira import deliveries, manual, oauth, registration
from hookgate_jira.api import JiraAPI
from hookgate_jira.schemas import load_schemas
from hookgate_jira.settings import JiraInstallation, load_jira_settings

if TYPE_CHECKING:
    import httpx
    from hookgate import (
        EventIdentity,
        EventSchema,
        OAuthAccount,
        OAuthClientSpec,
        OAuthToken,
        RemoteHook,
        SourceContext,
        Target,
        Verification,
        WebhookRequest,
    )
    from pydantic import BaseModel


@hookimpl
def provider_info() -> ProviderInfo:
    return ProviderInfo(
        name="jira",
        title="Jira Cloud",
        description="Issue, comment and issue-property events from Jira Cloud sites.",
        needs_oauth=True,
        installation_model=JiraInstallation,
        config_model=deliveries.JiraSourceSettings,
        docs_url="https://developer.atlassian.com/cloud/jira/platform/webhooks/",
        # Never authorization: it holds a bearer credential.
        kept_headers=(
            "x-atlassian-webhook-identifier",
            "x-atlassian-webhook-flow",
            "x-atlassian-webhook-retry",
            "x-atlassian-webhook-trace",
        ),
    )


@hookimpl
def event_schemas() -> Sequence[EventSchema]:
    return load_schemas()


# -- deliveries -------------------------------------------------------------------


@hookimpl
def verify_signature(
    source: SourceContext, request: WebhookRequest, installation: BaseModel | None
) -> Verification:
    return deliveries.verify(source, request, installation)


@hookimpl
def identify_event(source: SourceContext, request: WebhookRequest) -> EventIdentity:
    return deliveries.identify(source, request)


@hookimpl
def sign_payload(
    source: SourceContext, body: bytes, timestamp: datetime, installation: BaseModel | None
) -> Mapping[str, str]:
    return deliveries.sign(source, body, timestamp, installation)


@hookimpl
def setup_instructions(source: SourceContext) -> str | None:
    return manual.instructions(source)


# -- OAuth ------------------------------------------------------------------------


@hookimpl
def oauth_client() -> OAuthClientSpec:
    return oauth.client_spec(load_jira_settings())


@hookimpl
async def oauth_account(token: OAuthToken, client: httpx.AsyncClient) -> OAuthAccount:
    return await oauth.account(token, client, load_jira_settings())


# -- registration -----------------------------------------------------------------


def _api(client: httpx.AsyncClient) -> JiraAPI:
    return JiraAPI(client, load_jira_settings().api_url)


@hookimpl
async def list_webhooks(
    source: SourceContext, target: Target, client: httpx.AsyncClient
) -> list[RemoteHook]:
    return await registration.list_hooks(_api(client), source, target)


@hookimpl
async def create_webhook(
    source: SourceContext, target: Target, client: httpx.AsyncClient
) -> RemoteHook:
    return await registration.create_hook(_api(client), source, target)


@hookimpl
async def update_webhook(
    source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
) -> RemoteHook:
    return await registration.update_hook(_api(client), source, hook)


@hookimpl
async def delete_webhook(hook: RemoteHook, client: httpx.AsyncClient) -> None:
    await registration.delete_hook(_api(client), hook)


@hookimpl
async def refresh_webhook(hook: RemoteHook, client: httpx.AsyncClient) -> RemoteHook:
    return await registration.refresh_hook(_api(client), hook)


__all__ = [
    "create_webhook",
    "delete_webhook",
    "event_schemas",
    "identify_event",
    "list_webhooks",
    "oauth_account",
    "oauth_client",
    "provider_info",
    "refresh_webhook",
    "setup_instructions",
    "sign_payload",
    "update_webhook",
    "verify_signature",
]
