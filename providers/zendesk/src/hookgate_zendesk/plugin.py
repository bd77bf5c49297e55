"""The Zendesk provider's hook implementations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hookgate import EventIdentity, ProviderInfo, Verification, hookimpl

from hookgate_zendesk import deliveries, manual, oauth, registration
from hookgate_zendesk.installation import ZendeskConnection, ZendeskInstallation, load_installation
from hookgate_zendesk.schemas import load_schemas
from hookgate_zendesk.settings import ZendeskSettings

if TYPE_CHECKING:
    import httpx
    from hookgate import (
        EventSchema,
        OAuthAccount,
        OAuthClientSpec,
        OAuthToken,
        RemoteHook,
        SourceContext,
        Target,
        WebhookRequest,
    )


@hookimpl
def provider_info() -> ProviderInfo:
    return ProviderInfo(
        name="zendesk",
        needs_oauth=True,
        config_model=ZendeskSettings,
        installation_model=ZendeskInstallation,
        connection_model=ZendeskConnection,
        title="Zendesk",
        description="Ticket, user and organization events from Zendesk webhooks.",
        docs_url="https://developer.zendesk.com/documentation/webhooks/",
        kept_headers=(
            "x-zendesk-webhook-id",
            "x-zendesk-account-id",
            "x-zendesk-webhook-invocation-id",
        ),
    )


@hookimpl
def event_schemas() -> Sequence[EventSchema]:
    return load_schemas()


@hookimpl
def verify_signature(source: SourceContext, request: WebhookRequest) -> Verification:
    return deliveries.verify(source, request)


@hookimpl
def identify_event(source: SourceContext, request: WebhookRequest) -> EventIdentity:
    return deliveries.identify(source, request)


@hookimpl
def sign_payload(source: SourceContext, body: bytes, timestamp: datetime) -> Mapping[str, str]:
    return deliveries.sign(source, body, timestamp)


@hookimpl
def signing_key(source: SourceContext, secret: str) -> bytes | None:
    deliveries.check_secret(source, secret)
    return None  # the key is the secret string's bytes, as Zendesk uses it


@hookimpl
def oauth_client(connection: Mapping[str, Any]) -> OAuthClientSpec:
    return oauth.client_spec(load_installation(), connection)


@hookimpl
async def oauth_account(
    token: OAuthToken, client: httpx.AsyncClient, connection: Mapping[str, Any]
) -> OAuthAccount:
    return await oauth.account(token, client, load_installation(), connection)


@hookimpl
async def list_webhooks(
    source: SourceContext, target: Target, client: httpx.AsyncClient
) -> list[RemoteHook]:
    return await registration.list_webhooks(source, target, client)


@hookimpl
async def create_webhook(
    source: SourceContext, target: Target, client: httpx.AsyncClient
) -> RemoteHook:
    return await registration.create_webhook(source, target, client)


@hookimpl
async def update_webhook(
    source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
) -> RemoteHook:
    return await registration.update_webhook(source, hook, client)


@hookimpl
async def delete_webhook(
    source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
) -> None:
    await registration.delete_webhook(source, hook, client)


@hookimpl
async def rotate_webhook_secret(
    source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
) -> RemoteHook:
    return await registration.rotate_webhook_secret(source, hook, client)


@hookimpl
def setup_instructions(source: SourceContext) -> str | None:
    return manual.instructions(source)


__all__ = [
    "create_webhook",
    "delete_webhook",
    "event_schemas",
    "identify_event",
    "list_webhooks",
    "oauth_account",
    "oauth_client",
    "provider_info",
    "rotate_webhook_secret",
    "setup_instructions",
    "sign_payload",
    "signing_key",
    "update_webhook",
    "verify_signature",
]
