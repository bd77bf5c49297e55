"""The fake Atlassian's state and the knobs tests turn."""

from __future__ import annotations

import itertools
import json
import secrets
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from hookgate.testing.fake_oauth import FakeClient
from starlette.applications import Starlette

from hookgate_jira import jwt_auth
from hookgate_jira.fake.model import (
    Delivery,
    FakeGrant,
    FakeSite,
    FakeToken,
    FakeWebhook,
    Recorded,
)
from hookgate_jira.fake.routes import build_app

LIFETIME = timedelta(days=30)
CAP = 5
CAP_MESSAGE = (
    "The app has reached the limit of 5 webhooks that an OAuth 2.0 app can register "
    "per user per site."
)


class FakeAtlassian:
    """auth.atlassian.com and api.atlassian.com as one ASGI app: ``FakeAtlassian().app``.

    Point both ``HOOKGATE_JIRA_AUTH_URL`` and ``HOOKGATE_JIRA_API_URL`` at it
    (:meth:`settings_env`). ``now`` is the fake's clock: webhooks expire 30 days
    after ``now()`` at registration or refresh. Two sites with projects exist
    from the start (``sites``); the consenting user is ``account_id``.
    """

    def __init__(
        self,
        *,
        base_url: str = "https://atlassian.test",
        client_id: str = "jira-fake-client-id",
        client_secret: str = "jira-fake-client-secret-0123456789abcdef",  # noqa: S107
        callback_url: str = "https://hookgate.test/oauth/jira/callback",
        account_id: str = "5b10ac8d82e05b22cc7d4ef5",
        page_size: int = 2,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.account_id = account_id
        self.user_name = "Ada Admin"
        self.page_size = page_size
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        self.apps: dict[str, FakeClient] = {}
        self.codes: dict[str, FakeGrant] = {}
        self.tokens: dict[str, FakeToken] = {}
        self.grants: list[FakeGrant] = []
        self.webhooks: dict[int, FakeWebhook] = {}
        self.requests: list[Recorded] = []
        self.token_requests = 0
        #: Seconds an access token from the token endpoint lives (Atlassian: 3600).
        self.access_lifetime = 3600
        #: Errors for the next registered webhook entries, in order (Atlassian's messages).
        self.entry_errors: list[str] = []
        self.refused_sites: set[str] = set()
        self.next_failure: tuple[int, str] | None = None
        self._ids = itertools.count(10_001)
        self.client_id = client_id
        self.client_secret = client_secret
        self.register_app(client_id, client_secret, callback_url)
        self.sites = [
            self.add_site("Acme", [("ENG", "Engineering"), ("OPS", "Operations"), ("QA", "QA")]),
            self.add_site("Acme Labs", [("LAB", "Lab")]),
        ]
        self.app: Starlette = build_app(self)

    # -- setting the scene ------------------------------------------------------

    def register_app(self, client_id: str, client_secret: str, callback_url: str) -> FakeClient:
        self.apps[client_id] = FakeClient(client_id, client_secret, callback_url)
        return self.apps[client_id]

    def add_site(
        self, name: str, projects: list[tuple[str, str]], *, jira: bool = True
    ) -> FakeSite:
        slug = name.lower().replace(" ", "-")
        site = FakeSite(
            cloud_id=str(uuid.uuid5(uuid.NAMESPACE_URL, slug)),
            name=name,
            url=f"https://{slug}.atlassian.net",
            projects=[
                {"id": str(10_000 + n), "key": k, "name": v} for n, (k, v) in enumerate(projects)
            ],
            scopes=("read:jira-work", "manage:jira-webhook")
            if jira
            else ("read:confluence-content.all",),
        )
        if hasattr(self, "sites"):
            self.sites.append(site)
        return site

    def settings_env(self) -> dict[str, str]:
        return {
            "HOOKGATE_JIRA_AUTH_URL": self.base_url,
            "HOOKGATE_JIRA_API_URL": self.base_url,
            "HOOKGATE_JIRA_CLIENT_ID": self.client_id,
            "HOOKGATE_JIRA_CLIENT_SECRET": self.client_secret,
        }

    def issue_token(self, client_id: str | None = None, *, lifetime: float = 3600) -> str:
        """An access token of a fresh grant, without the browser dance."""
        grant = FakeGrant(client_id or self.client_id, self.account_id, "", None)
        self.grants.append(grant)
        return self._access(grant, lifetime)

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        """What core hands to the hooks: httpx over ASGITransport, sending the token."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {token or self.issue_token()}"},
        )

    # -- knobs --------------------------------------------------------------------

    def fail_next(self, status: int, *, retry_after: int | str = "") -> None:
        """Answer the next API request with ``status`` (and ``Retry-After`` when given)."""
        self.next_failure = (status, str(retry_after))

    def fail_entries(self, *messages: str) -> None:
        """The next registered webhook entries fail with these Atlassian messages."""
        self.entry_errors.extend(messages)

    def refuse_site(self, cloud_id: str) -> None:
        self.refused_sites.add(cloud_id)

    def add_webhook(self, cloud_id: str, url: str, events: list[str], jql: str) -> FakeWebhook:
        """A webhook of the app registered earlier (by this user), behind hookgate's back."""
        return self._create(cloud_id, self.client_id, self.account_id, url, events, jql)

    def delete_behind_back(self, webhook_id: int) -> None:
        self.webhooks.pop(webhook_id, None)

    def age(self, webhook_id: int, by: timedelta) -> None:
        """Make a webhook ``by`` older: its expiry comes that much closer."""
        self.webhooks[webhook_id].expires_at -= by

    def on_site(self, cloud_id: str) -> list[FakeWebhook]:
        return [w for w in self.webhooks.values() if w.cloud_id == cloud_id]

    def delivery(
        self,
        webhook: FakeWebhook,
        payload: dict[str, Any],
        *,
        identifier: str | None = None,
        secret: str | None = None,
    ) -> Delivery:
        """What Atlassian sends for ``webhook``: the body with matchedWebhookIds, a bearer JWT."""
        body = json.dumps({**payload, "matchedWebhookIds": [webhook.id]}).encode()
        token = jwt_auth.mint(secret or self.apps[webhook.client_id].client_secret, self.now())
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "X-Atlassian-Webhook-Identifier": identifier or str(uuid.uuid4()),
            "X-Atlassian-Webhook-Flow": "Primary",
        }
        return Delivery(webhook.url, headers, body)

    # -- used by the routes ---------------------------------------------------------

    def _access(self, grant: FakeGrant, lifetime: float = 3600) -> str:
        token = "fake-at-" + secrets.token_urlsafe(16)
        self.tokens[token] = FakeToken(token, grant, time.time() + lifetime)
        return token

    def grant_for(self, token: str) -> FakeGrant | None:
        found = self.tokens.get(token)
        if found is None or found.grant.revoked or found.expires_at < time.time():
            return None
        return found.grant

    def _create(
        self, cloud_id: str, client_id: str, account_id: str, url: str, events: list[str], jql: str
    ) -> FakeWebhook:
        hook = FakeWebhook(
            next(self._ids),
            cloud_id,
            client_id,
            account_id,
            url,
            events,
            jql,
            self.now() + LIFETIME,
        )
        self.webhooks[hook.id] = hook
        return hook

    def register(
        self, cloud_id: str, grant: FakeGrant, url: str, entry: dict[str, Any]
    ) -> dict[str, Any]:
        """One ``webhooks[]`` entry of a register call: its ``webhookRegistrationResult``."""
        if self.entry_errors:
            return {"errors": [self.entry_errors.pop(0)]}
        if cloud_id in self.refused_sites:
            return {"errors": ["You do not have permission to register webhooks on this site."]}
        mine = [
            w
            for w in self.on_site(cloud_id)
            if w.client_id == grant.client_id and w.account_id == grant.account_id
        ]
        if len(mine) >= CAP:
            return {"errors": [CAP_MESSAGE]}
        jql = str(entry.get("jqlFilter") or "")
        if not jql or "~" in jql or " is " in f" {jql.lower()} ":
            return {"errors": [f"The JQL query '{jql}' is not supported for webhooks."]}
        hook = self._create(
            cloud_id, grant.client_id, grant.account_id, url, list(entry["events"]), jql
        )
        return {"createdWebhookId": hook.id}


__all__ = ["CAP", "CAP_MESSAGE", "LIFETIME", "FakeAtlassian"]
