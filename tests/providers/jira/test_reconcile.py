"""Webhooks never expire silently: the scheduled reconcile against the fake Atlassian's clock.

A webhook registered 24 days ago (the fake's clock set back) is refreshed, one
that expired anyway or vanished is replaced; the source shows the expiry, the
last refresh and any error. Registration failures leave nothing behind.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hookgate.services import registration

from tests.providers.jira.conftest import Site, jira_site

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def _scheduled_reconcile(site: Site) -> None:
    site.runtime.settings.reconcile_interval = 0.001  # every source is due
    ran = await registration.reconcile_due(site.runtime)
    assert ran == 1


async def _shown(site: Site, source_id: str) -> dict[str, object]:
    answer = await site.api.get(f"/sources/{source_id}")
    assert answer.status_code == 200, answer.text
    shown: dict[str, object] = answer.json()
    return shown


async def test_refresh_within_seven_days_and_replace_when_expired_or_gone(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with jira_site(database_url, monkeypatch, worker=False) as site:
        connection = await site.connect()
        now = datetime.now(UTC)
        site.clock.now = now - timedelta(days=24)  # registered 24 days ago: 6 days left
        created = await site.create_source(connection, "ENG")
        assert created.status_code == 201, created.text
        source = created.json()
        (hook,) = site.atlassian.webhooks.values()
        site.clock.now = now

        await _scheduled_reconcile(site)
        assert list(site.atlassian.webhooks) == [hook.id]  # refreshed, not replaced
        assert hook.expires_at == now + timedelta(days=30)
        shown = await _shown(site, source["id"])
        assert shown["registration_status"] == "active"
        (webhook,) = shown["webhooks"]  # type: ignore[misc]
        assert webhook["remote_id"] == str(hook.id)
        shown_expiry = datetime.fromisoformat(webhook["expires_at"])
        assert abs(shown_expiry - hook.expires_at) < timedelta(seconds=1)  # epoch ms
        assert webhook["refreshed_at"] is not None

        site.atlassian.age(hook.id, timedelta(days=31))  # refreshes failed for a month
        await _scheduled_reconcile(site)
        (replacement,) = site.atlassian.webhooks.values()
        assert replacement.id != hook.id
        assert replacement.jql == 'project IN ("ENG")'
        (webhook,) = (await _shown(site, source["id"]))["webhooks"]  # type: ignore[misc]
        assert webhook["remote_id"] == str(replacement.id)

        site.atlassian.delete_behind_back(replacement.id)  # an admin deleted it in Jira
        await _scheduled_reconcile(site)
        (again,) = site.atlassian.webhooks.values()
        assert again.id not in (hook.id, replacement.id)
        assert (await _shown(site, source["id"]))["registration_status"] == "active"


async def test_a_refused_registration_leaves_nothing_and_says_why(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with jira_site(database_url, monkeypatch, worker=False) as site:
        connection = await site.connect()
        site.atlassian.fail_entries("The clause watchCount is unsupported")
        refused = await site.create_source(connection, "ENG")
        assert refused.status_code >= 400
        assert "The clause watchCount is unsupported" in refused.text
        assert site.atlassian.webhooks == {}
        assert (await site.api.get("/sources")).json()["items"] == []

        bad_jql = await site.create_source(connection, name="own-jql")
        assert bad_jql.status_code >= 400  # neither projects nor JQL: refused before any call

        cloud = site.atlassian.sites[0].cloud_id
        for n in range(5):
            site.atlassian.add_webhook(
                cloud, f"https://other.test/{n}", ["comment_created"], "project = QA"
            )
        capped = await site.create_source(connection, "ENG")
        assert capped.status_code >= 400
        assert "5 webhooks per OAuth app, per user, per site" in capped.text
        assert len(site.atlassian.webhooks) == 5


async def test_advanced_jql_is_checked_before_any_call(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with jira_site(database_url, monkeypatch, worker=False) as site:
        connection = await site.connect()
        cloud = site.atlassian.sites[1].cloud_id
        before = len(site.atlassian.requests)
        target = {"type": "site", "name": cloud, "jql": "project = LAB AND summary ~ urgent"}
        body = {
            "provider": "jira",
            "name": "lab",
            "connection_id": connection,
            "targets": [target],
            "events": ["jira:issue_created"],
        }
        refused = await site.api.post("/sources", json=body)
        assert refused.status_code >= 400
        assert "not accepted by Jira webhooks" in refused.text
        assert site.atlassian.requests[before:] == []

        target["jql"] = 'project = LAB AND issuetype IN (Bug, "Story")'
        accepted = await site.api.post("/sources", json=body)
        assert accepted.status_code == 201, accepted.text
        (hook,) = site.atlassian.webhooks.values()
        assert hook.jql == target["jql"]


async def test_a_projects_or_events_change_replaces_the_webhook_new_one_first(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with jira_site(database_url, monkeypatch, worker=False) as site:
        connection = await site.connect()
        source = (await site.create_source(connection, "ENG")).json()
        (old,) = site.atlassian.webhooks.values()
        target = {**source["targets"][0], "projects": ["ENG", "QA"]}
        seen = len(site.atlassian.requests)
        changed = await site.api.patch(f"/sources/{source['id']}", json={"targets": [target]})
        assert changed.status_code == 200, changed.text
        assert changed.json()["registration_status"] == "active"
        (new,) = site.atlassian.webhooks.values()
        assert new.id != old.id
        assert new.jql == 'project IN ("ENG", "QA")'
        calls = [(r.method, r.path.rsplit("/", 1)[-1]) for r in site.atlassian.requests[seen:]]
        assert calls.index(("POST", "webhook")) < calls.index(("DELETE", "webhook"))

        events = await site.api.patch(
            f"/sources/{source['id']}", json={"events": ["jira:issue_updated"]}
        )
        assert events.status_code == 200, events.text
        (latest,) = site.atlassian.webhooks.values()
        assert (latest.events, latest.jql) == (["jira:issue_updated"], new.jql)
