"""End to end on real servers: hookgate and a fake Zendesk on loopback, through the admin API.

Connect with a subdomain → authorize on the fake (PKCE) → confirm → a source with
three event types registers one event-subscribed webhook and stores the secret
Zendesk issued → a delivery signed with it becomes a run (its retry starts
nothing; forged, stale and test-secret ones are refused) → reconciling again
adopts instead of duplicating → rotation resets the secret at Zendesk and both
verify during the grace period → an expired token is refreshed once → deleting
the source deletes the webhook → a revoked grant shows needs_reauth.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hookgate import Runtime, create_app
from hookgate.plugins import PluginManager
from hookgate.services import identity
from hookgate.services.common import Actor
from hookgate_zendesk.fake import FakeWebhook, FakeZendesk

from tests.core.oauth.support import JSON, confirm_in
from tests.providers.zendesk.test_deliveries import TEST_SECRET
from tests.server import running_server
from tests.support import eventually, settings_for

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
EVENTS = [
    "zen:event-type:ticket.created",
    "zen:event-type:ticket.comment_added",
    "zen:event-type:ticket.status_changed",
]
URGENT_UNASSIGNED = '(and (eq "detail.priority" "URGENT") (not (exists "detail.assignee_id")))'
TICKET = {"id": "35436", "subject": "Printer on fire", "priority": "URGENT", "assignee_id": None}


@dataclass
class Site:
    runtime: Runtime
    api: httpx.AsyncClient
    browser: httpx.AsyncClient
    zendesk: FakeZendesk

    async def connect(self, subdomain: str = "acme") -> str:
        body = {"provider": "zendesk", "params": {"subdomain": subdomain}}
        started = await self.api.post("/connections", json=body)
        assert started.status_code == 201, started.text
        shown = await self.browser.get(started.json()["authorize_url"], headers=JSON)
        assert shown.status_code == 200, shown.text
        done = await confirm_in(self.browser, shown)
        assert done.status_code == 200, done.text
        return str(started.json()["id"])

    async def send(self, hook: FakeWebhook, **kwargs: object) -> httpx.Response:
        delivery = self.zendesk.delivery(hook, EVENTS[0], TICKET, **kwargs)  # type: ignore[arg-type]
        async with httpx.AsyncClient() as client:
            return await client.post(delivery.url, content=delivery.body, headers=delivery.headers)


@contextlib.asynccontextmanager
async def zendesk_site(database_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Site]:
    zendesk = FakeZendesk()
    runtime = Runtime(
        settings_for(database_url, providers="zendesk"), plugins=PluginManager(["zendesk"])
    )
    async with (
        running_server(zendesk.app) as zendesk_url,
        running_server(create_app(runtime)) as base_url,
        httpx.AsyncClient(follow_redirects=True) as browser,
    ):
        runtime.settings.public_url = base_url
        zendesk.base_url = zendesk_url
        zendesk.oauth.clients[zendesk.client_id].redirect_uri = f"{base_url}/oauth/zendesk/callback"
        for name, value in zendesk.settings_env().items():
            monkeypatch.setenv(name, value)
        user = await identity.create_user(runtime, workspace="default", name="ada", role="admin")
        key = await identity.create_key(runtime, Actor.operator(user.workspace_id), user.id)
        headers = {"Authorization": f"Bearer {key.key}"}
        async with httpx.AsyncClient(base_url=f"{base_url}/api/v1", headers=headers) as api:
            yield Site(runtime, api, browser, zendesk)


async def test_refused_subdomains_never_reach_a_url(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with zendesk_site(database_url, monkeypatch) as site:
        for bad in ("evil.example.com/x", "a@b", "acme:8080", ""):
            body = {"provider": "zendesk", "params": {"subdomain": bad}}
            answer = await site.api.post("/connections", json=body)
            assert answer.status_code == 422, answer.text
            assert "subdomain" in answer.text


async def test_connect_register_deliver_rotate_and_delete(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with zendesk_site(database_url, monkeypatch) as site:
        connection = await site.connect()
        account = (await site.api.get(f"/connections/{connection}/account")).json()
        assert account["name"] == "acme.zendesk.com"
        (target,) = account["targets"]
        assert (target["name"], target["can_manage_webhooks"]) == ("acme", True)
        assert any("trial" in note for note in account["notes"])

        created = await site.api.post(
            "/sources",
            json={
                "provider": "zendesk",
                "name": "support",
                "connection_id": connection,
                "targets": [target],
                "events": EVENTS,
            },
        )
        assert created.status_code == 201, created.text
        source = created.json()
        assert source["registration_status"] == "active", source["registration_error"]
        (hook,) = site.zendesk.webhooks_to("acme", source["url"])
        assert (hook.subscriptions, hook.http_method, hook.status) == (EVENTS, "POST", "active")
        assert hook.name.startswith("hookgate ")
        assert source["secret"] == hook.signing_secret  # the one Zendesk issued

        trigger = await site.api.post(
            "/triggers",
            json={
                "source_id": source["id"],
                "agent": "triage",
                "event_type": EVENTS[0],
                "filter": URGENT_UNASSIGNED,
            },
        )
        assert trigger.status_code == 201, trigger.text
        delivery = site.zendesk.delivery(hook, EVENTS[0], TICKET)
        async with httpx.AsyncClient() as zd:
            sent = await zd.post(delivery.url, content=delivery.body, headers=delivery.headers)
            assert sent.status_code == 202, sent.text
            again = await zd.post(delivery.url, content=delivery.body, headers=delivery.headers)
            assert again.status_code == 200  # the same invocation id: nothing starts
            tampered = delivery.body.replace(b"URGENT", b"LOW")
            refused = await zd.post(delivery.url, content=tampered, headers=delivery.headers)
            assert refused.status_code == 401
        stale = await site.send(hook, when=datetime.now(UTC) - timedelta(hours=2))
        assert stale.status_code == 401
        assert "tolerance" in stale.headers["x-hookgate-reason"]
        assert (await site.send(hook, secret="not-the-issued-secret-0123456789")).status_code == 401
        test_request = await site.send(hook, secret=TEST_SECRET)
        assert test_request.status_code == 401
        assert "public test secret" in test_request.headers["x-hookgate-reason"]

        async def one_run() -> bool:
            answer = await site.api.get("/runs", params={"trigger_id": trigger.json()["id"]})
            return len(answer.json()["items"]) == 1

        await eventually(one_run)

        reconciled = await site.api.post(f"/sources/{source['id']}/reconcile")
        assert reconciled.status_code == 200, reconciled.text
        assert len(site.zendesk.webhooks_to("acme", source["url"])) == 1  # adopted, not doubled

        old_secret = hook.signing_secret
        rotated = await site.api.post(f"/sources/{source['id']}/rotate-secret", json={"grace": 1})
        assert rotated.status_code == 200, rotated.text
        assert hook.signing_secret != old_secret  # reset at Zendesk
        assert rotated.json()["secret"] == hook.signing_secret
        assert (await site.send(hook)).status_code == 202
        assert (await site.send(hook, secret=old_secret)).status_code == 202  # grace period

        site.zendesk.oauth.expire_access_tokens()
        before = site.zendesk.oauth.refresh_requests
        both = await asyncio.gather(
            site.api.get(f"/connections/{connection}/account"),
            site.api.get(f"/connections/{connection}/account"),
        )
        assert [a.status_code for a in both] == [200, 200]
        assert site.zendesk.oauth.refresh_requests == before + 1  # one refresh for both

        deleted = await site.api.delete(f"/sources/{source['id']}")
        assert deleted.status_code == 204, deleted.text
        assert site.zendesk.accounts["acme"].webhooks == {}

        other = await site.api.post(
            "/sources",
            json={
                "provider": "zendesk",
                "name": "users",
                "connection_id": connection,
                "targets": [target],
                "events": ["zen:event-type:user.created"],
            },
        )
        assert other.status_code == 201, other.text
        site.zendesk.oauth.revoke_all()
        site.zendesk.oauth.expire_access_tokens()
        gone = await site.api.get(f"/connections/{connection}/account")
        assert gone.status_code == 409, gone.text
        shown = (await site.api.get(f"/connections/{connection}")).json()
        assert shown["status"] == "needs_reauth"
        await site.api.post(f"/sources/{other.json()['id']}/reconcile")
        waiting = (await site.api.get(f"/sources/{other.json()['id']}")).json()
        assert waiting["registration_status"] == "needs_reauth"
