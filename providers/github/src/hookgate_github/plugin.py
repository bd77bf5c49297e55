"""The GitHub provider's hook implementations: thin wiring to the modules that do the work."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import httpx
from hookgate import (
    EventIdentity,
    EventSchema,
    OAuthAccount,
    OAuthClientSpec,
    OAuthToken,
    ProviderInfo,
    RemoteHook,
    SourceContext,
    Target,
    Verification,
    WebhookRequest,
    hookimpl,
)

from hookgate_github import deliveries, manual, oauth, registration
from hookgate_github.api import GitHubAPI
from hookgate_github.schemas import load_schemas
from hookgate_github.settings import load_github_settings


@hookimpl
def provider_info() -> ProviderInfo:
    return ProviderInfo(
        name="github",
        title="GitHub",
        description="Repository and organization webhooks from GitHub.com or GitHub Enterprise.",
        needs_oauth=True,
        docs_url="https://docs.github.com/en/webhooks",
        kept_headers=(
            "x-github-event",
            "x-github-delivery",
            "x-github-hook-id",
            "x-github-hook-installation-target-type",
            "x-github-hook-installation-target-id",
            "x-hub-signature-256",
            "user-agent",
        ),
    )


@hookimpl
def event_schemas() -> Sequence[EventSchema]:
    return load_schemas()


# -- deliveries -------------------------------------------------------------------


@hookimpl
def verify_signature(source: SourceContext, request: WebhookRequest) -> Verification:
    return deliveries.verify(source, request)


@hookimpl
def identify_event(request: WebhookRequest) -> EventIdentity:
    return deliveries.identify(request)


@hookimpl
def sign_payload(source: SourceContext, body: bytes, timestamp: datetime) -> Mapping[str, str]:
    del timestamp  # GitHub's scheme carries no timestamp
    return deliveries.sign(source, body)


@hookimpl
def setup_instructions(source: SourceContext) -> str:
    return manual.instructions(source)


# -- OAuth ------------------------------------------------------------------------


@hookimpl
def oauth_client() -> OAuthClientSpec:
    return oauth.client_spec(load_github_settings())


@hookimpl
async def oauth_account(token: OAuthToken, client: httpx.AsyncClient) -> OAuthAccount:
    return await oauth.account(token, client, load_github_settings())


# -- registration -----------------------------------------------------------------


def _api(client: httpx.AsyncClient) -> GitHubAPI:
    return GitHubAPI(client, load_github_settings().api_url)


@hookimpl
async def list_webhooks(target: Target, client: httpx.AsyncClient) -> list[RemoteHook]:
    return await registration.list_hooks(_api(client), target)


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
