"""End to end on real servers: hookgate and a fake Atlassian on loopback, through the admin API.

Connect (authorize on Atlassian, confirm in hookgate) → the account lists both
sites with their projects → a source on one site and two projects registers
one webhook with ``project IN ("ENG", "OPS")`` → a delivery with a bearer JWT
becomes a run, one without is refused with a reason → deleting the source
deletes the webhook.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from hookgate.store.models import Event
from sqlalchemy import select

from tests.providers.jira.conftest import EVENTS, Site, jira_site
from tests.providers.jira.support import bearer
from tests.support import eventually

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "jira"


def _alg_none() -> str:
    header, claims = (
        base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()
        for part in ({"alg": "none", "typ": "JWT"}, {"exp": 4102444800})
    )
    return f"Bearer {header}.{claims}."


async def _runs(site: Site, trigger_id: str) -> list[dict[str, object]]:
    answer = await site.api.get("/runs", params={"trigger_id": trigger_id})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["items"])


async def test_connect_register_deliver_and_delete(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with jira_site(database_url, monkeypatch) as site:
        connection = await site.connect()
        account = (await site.api.get(f"/connections/{connection}/account")).json()
        assert [t["site_name"] for t in account["targets"]] == ["Acme", "Acme Labs"]
        assert [p["key"] for p in account["targets"][0]["projects"]] == ["ENG", "OPS", "QA"]
        assert any("app's owner" in note for note in account["notes"])

        created = await site.create_source(connection, "ENG", "OPS")
        assert created.status_code == 201, created.text
        source = created.json()
        assert source["registration_status"] == "active", source["registration_error"]
        (webhook,) = site.atlassian.on_site(site.atlassian.sites[0].cloud_id)
        assert webhook.jql == 'project IN ("ENG", "OPS")'
        assert (webhook.url, webhook.events) == (source["url"], EVENTS)
        assert site.atlassian.on_site(site.atlassian.sites[1].cloud_id) == []

        trigger = await site.api.post(
            "/triggers",
            json={
                "source_id": source["id"],
                "agent": "triage",
                "event_type": "jira:issue_created",
                "filter": '(eq "issue.fields.project.key" "TES")',
            },
        )
        assert trigger.status_code == 201, trigger.text
        payload = json.loads((FIXTURES / "jira.issue_created.json").read_text())
        delivery = site.atlassian.delivery(webhook, payload, identifier="wh-1")
        async with httpx.AsyncClient() as jira:
            sent = await jira.post(delivery.url, content=delivery.body, headers=delivery.headers)
            assert sent.status_code == 202, sent.text
            again = await jira.post(delivery.url, content=delivery.body, headers=delivery.headers)
            assert again.status_code == 200  # Atlassian's retry keeps the identifier
            forged = {
                **delivery.headers,
                "Authorization": bearer("not-the-client-secret-0123456789"),
            }
            refused = await jira.post(delivery.url, content=delivery.body, headers=forged)
            assert refused.status_code == 401
            assert "signature mismatch" in refused.headers["x-hookgate-reason"]
            past = datetime.now(UTC) - timedelta(minutes=10)
            for token, reason in [
                (bearer(site.atlassian.client_secret, at=past), "expired"),
                (_alg_none(), "'none' is refused"),
            ]:
                headers = {**delivery.headers, "Authorization": token}
                answer = await jira.post(delivery.url, content=delivery.body, headers=headers)
                assert answer.status_code == 401
                assert reason in answer.headers["x-hookgate-reason"]
            bare = {k: v for k, v in delivery.headers.items() if k != "Authorization"}
            assert (
                await jira.post(delivery.url, content=delivery.body, headers=bare)
            ).status_code == 401

        async def one_run() -> bool:
            return len(await _runs(site, trigger.json()["id"])) == 1

        await eventually(one_run)
        async with site.runtime.db.session() as session:
            (stored,) = (await session.scalars(select(Event))).all()
        assert (stored.event_type, stored.delivery_id) == ("jira:issue_created", "wh-1")
        assert stored.headers["hookgate.matched_webhook_ids"] == str(webhook.id)
        assert stored.headers["hookgate.flow"] == "Primary"
        assert "authorization" not in {k.lower() for k in stored.headers}

        deleted = await site.api.delete(f"/sources/{source['id']}")
        assert deleted.status_code == 204, deleted.text
        assert site.atlassian.webhooks == {}
