"""A fake provider plugin that registers webhooks through :class:`FakeProviderAPI`.

It implements every hook a provider with ``needs_oauth`` has, the way a real
provider would (translated errors, retryable failures with ``retry_after``,
"already gone" deletes), so core's OAuth and registration lifecycle can be
tested end to end, and provider authors can copy the pattern::

    api = FakeProviderAPI()
    plugins = PluginManager(entry_points=False)
    plugins.add_provider(FakeProvider(api), "fake")
    # HOOKGATE_FAKE_CLIENT_ID / HOOKGATE_FAKE_CLIENT_SECRET = api.client_id / api.client_secret

Deliveries are signed ``X-Fake-Signature: sha256=<hex HMAC of the body>``;
``X-Fake-Event`` names the event (``ping`` is a handshake) and
``X-Fake-Delivery`` the delivery.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import httpx

from hookgate.errors import ProviderAPIError
from hookgate.httputil import retry_after
from hookgate.markers import hookimpl
from hookgate.testing.fake_api import FakeProviderAPI
from hookgate.types import (
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
)

EVENTS = ("item.created", "item.deleted")


class FakeRateLimited(ProviderAPIError):
    """The fake asked to slow down: ``retry_after`` seconds, as real providers' errors carry."""

    def __init__(self, message: str, *, status: int, retry_after: float) -> None:
        super().__init__(message, status=status, retry_after=retry_after)


def _failure(response: httpx.Response, doing: str) -> ProviderAPIError:
    try:
        message = str(response.json().get("message") or response.json().get("error"))
    except (ValueError, AttributeError):
        message = response.text[:200]
    status = response.status_code
    text = f"the fake provider refused to {doing} ({status}): {message}"
    if status == 429:
        wait = retry_after(response.headers.get("retry-after"))
        return FakeRateLimited(text, status=status, retry_after=wait if wait is not None else 1.0)
    return ProviderAPIError(text, status=status, retryable=status >= 500)


class FakeProvider:
    """The plugin object: register with ``plugins.add_provider(FakeProvider(api), "fake")``."""

    def __init__(self, api: FakeProviderAPI, *, name: str = "fake") -> None:
        self.api = api
        self.name = name

    # -- plumbing ---------------------------------------------------------------------

    async def _call(
        self, client: httpx.AsyncClient, method: str, path: str, doing: str, **options: Any
    ) -> Any:
        try:
            response = await client.request(method, f"{self.api.base_url}{path}", **options)
        except httpx.TransportError as exc:
            raise ProviderAPIError(
                f"the fake provider did not answer while trying to {doing} ({type(exc).__name__})",
                retryable=True,
            ) from exc
        if not response.is_success:
            raise _failure(response, doing)
        return response.json() if response.content else None

    def _hook(self, data: Mapping[str, Any]) -> RemoteHook:
        expires = data.get("expires_at")
        return RemoteHook(
            remote_id=str(data["id"]),
            target=Target.model_validate(data["target"]),
            url=str(data["url"]),
            events=tuple(data.get("events") or ()),
            active=bool(data.get("active", True)),
            expires_at=datetime.fromisoformat(expires) if expires else None,
        )

    @staticmethod
    def _desired(source: SourceContext) -> dict[str, Any]:
        secret = source.secrets[0] if source.secrets else ""
        return {"url": source.url, "events": list(source.events), "secret": secret, "active": True}

    # -- identity and ingest ---------------------------------------------------------------

    @hookimpl
    def provider_info(self) -> ProviderInfo:
        return ProviderInfo(name=self.name, title="Fake", needs_oauth=True)

    @hookimpl
    def event_schemas(self) -> Sequence[EventSchema]:
        schema = {"type": "object", "properties": {"id": {"type": "string"}}}
        return [
            EventSchema(event_type=e, description=f"A fake {e}", schema=schema, sample={"id": "1"})
            for e in EVENTS
        ]

    @hookimpl
    def verify_signature(self, source: SourceContext, request: WebhookRequest) -> Verification:
        given = request.headers.get("x-fake-signature", "")
        for secret in source.secrets:
            expected = (
                "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
            )
            if hmac.compare_digest(expected, given):
                return Verification.ok()
        return Verification.fail("signature mismatch" if given else "missing X-Fake-Signature")

    @hookimpl
    def identify_event(self, request: WebhookRequest) -> EventIdentity:
        event = request.headers.get("x-fake-event", "")
        if not event:
            raise ValueError("missing X-Fake-Event header")
        delivery = request.headers.get("x-fake-delivery")
        return EventIdentity(event_type=event, delivery_id=delivery, handshake=event == "ping")

    @hookimpl
    def sign_payload(self, source: SourceContext, body: bytes) -> Mapping[str, str]:
        digest = hmac.new(source.secrets[0].encode(), body, hashlib.sha256).hexdigest()
        return {"X-Fake-Signature": f"sha256={digest}", "X-Fake-Event": EVENTS[0]}

    # -- OAuth ------------------------------------------------------------------------------

    @hookimpl
    def oauth_client(self) -> OAuthClientSpec:
        return OAuthClientSpec(
            authorize_url=f"{self.api.base_url}/oauth/authorize",
            token_url=f"{self.api.base_url}/oauth/token",
            scopes=("account:read", "hooks:write"),
            pkce=True,
        )

    @hookimpl
    async def oauth_account(self, token: OAuthToken, client: httpx.AsyncClient) -> OAuthAccount:
        data = await self._call(client, "GET", "/api/account", "read the account")
        targets = [Target.model_validate(t) for t in data["targets"]]
        return OAuthAccount(account_id=str(data["id"]), name=str(data["name"]), targets=targets)

    # -- registration ------------------------------------------------------------------------

    @hookimpl
    async def list_webhooks(self, target: Target, client: httpx.AsyncClient) -> list[RemoteHook]:
        params = {"target_type": target.type, "target_name": target.name}
        found = await self._call(
            client, "GET", "/api/hooks", f"list hooks on {target.name}", params=params
        )
        return [self._hook(h) for h in found]

    @hookimpl
    async def create_webhook(
        self, source: SourceContext, target: Target, client: httpx.AsyncClient
    ) -> RemoteHook:
        body = {"target": target.model_dump(mode="json"), **self._desired(source)}
        doing = f"create a hook on {target.name}"
        return self._hook(await self._call(client, "POST", "/api/hooks", doing, json=body))

    @hookimpl
    async def update_webhook(
        self, source: SourceContext, hook: RemoteHook, client: httpx.AsyncClient
    ) -> RemoteHook:
        path, doing = f"/api/hooks/{hook.remote_id}", f"update hook {hook.remote_id}"
        return self._hook(
            await self._call(client, "PATCH", path, doing, json=self._desired(source))
        )

    @hookimpl
    async def delete_webhook(self, hook: RemoteHook, client: httpx.AsyncClient) -> None:
        try:
            await self._call(
                client, "DELETE", f"/api/hooks/{hook.remote_id}", f"delete hook {hook.remote_id}"
            )
        except ProviderAPIError as exc:
            if exc.status != 404:  # already gone is not an error
                raise

    @hookimpl
    async def refresh_webhook(self, hook: RemoteHook, client: httpx.AsyncClient) -> RemoteHook:
        path, doing = f"/api/hooks/{hook.remote_id}/refresh", f"refresh hook {hook.remote_id}"
        return self._hook(await self._call(client, "POST", path, doing))


__all__ = ["EVENTS", "FakeProvider", "FakeProviderAPI", "FakeRateLimited"]
