"""End to end: a real hookgate server receives GitHub deliveries signed by githubkit.

Every fixture is posted to ``/hooks/...`` the way GitHub sends it (compact
JSON, ``X-GitHub-*`` headers); ``ping`` is answered as a handshake and marks
the source verified; the other events become runs of triggers whose filters
(type-checked by core against the GitHub schemas) match them.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from githubkit.webhooks import sign as githubkit_sign
from hookgate import Target
from hookgate.services.events import list_runs
from hookgate.services.sources import SourceView, create_source, get_source
from hookgate.services.triggers import TriggerView, create_trigger
from hookgate.store.models import Event
from hookgate_github.fake import FakeGitHub
from sqlalchemy import select

from tests.support import Served, eventually, serving, settings_for

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "github"
HOOK_ID = "4242"
#: One trigger per event type; the filter matches every fixture of that type.
TRIGGERS = {
    "pull_request": '(has "pull_request.labels.*.name" "bug")',
    "issues": '(and (exists "issue.number") (eq "repository.private" false))',
    "issue_comment": '(starts-with "comment.user.login" "Codertocat")',
    "push": '(starts-with "ref" "refs/")',
    "release": '(and (eq "action" "published") (eq "release.draft" false))',
    "workflow_run": '(eq "action" "completed")',
}
DESIGN_DOC_FILTER = '(and (eq "action" "opened") (gt "pull_request.changed_files" 0))'


def _fixtures() -> list[tuple[str, bytes]]:
    """(event type, the compact JSON GitHub would send) for every fixture."""
    found = []
    for path in sorted(FIXTURES.glob("*.json")):
        compact = json.dumps(json.loads(path.read_bytes()), separators=(",", ":")).encode()
        found.append((path.name.split(".")[0], compact))
    return found


async def _deliver(
    served: Served,
    source: SourceView,
    event: str,
    body: bytes,
    delivery: str,
    content_type: str = "application/json",
) -> httpx.Response:
    assert source.url is not None
    assert source.secret is not None
    headers = {
        "Content-Type": content_type,
        "User-Agent": "GitHub-Hookshot/044aadd",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-GitHub-Hook-ID": HOOK_ID,
        "X-Hub-Signature-256": githubkit_sign(source.secret, body),
    }
    return await served.client.post(source.url, content=body, headers=headers)


async def _source(served: Served) -> SourceView:
    events = sorted({event for event, _ in _fixtures()})
    return await create_source(
        served.runtime, served.actor, provider="github", name="webapp", events=events
    )


async def _trigger(served: Served, source: SourceView, event: str, expression: str) -> TriggerView:
    """A trigger whose filter core type-checks against the GitHub schema of ``event``."""
    return await create_trigger(
        served.runtime,
        served.actor,
        source_id=source.id,
        agent_id=f"agent-{event}",
        event_type=event,
        filter=expression,
    )


async def _run_count(served: Served, trigger_id: str) -> int:
    return len(await list_runs(served.runtime, served.actor, trigger_id=trigger_id))


async def test_every_fixture_end_to_end(sqlite_url: str) -> None:
    async with serving(settings_for(sqlite_url)) as served:
        source = await _source(served)
        triggers = {
            event: await _trigger(served, source, event, expression)
            for event, expression in TRIGGERS.items()
        }
        design = await _trigger(served, source, "pull_request", DESIGN_DOC_FILTER)
        expected = dict.fromkeys(TRIGGERS, 0)
        for event, body in _fixtures():
            answer = await _deliver(served, source, event, body, str(uuid.uuid4()))
            if event == "ping":
                assert answer.status_code == 200, answer.text
                assert answer.json() == {"ok": True}
            else:
                assert answer.status_code == 202, answer.text
                expected[event] += 1

        async def all_runs() -> bool:
            counts = {e: await _run_count(served, t.id) for e, t in triggers.items()}
            return counts == expected and await _run_count(served, design.id) == 1

        await eventually(all_runs)
        view = await get_source(served.runtime, served.actor, source.id)
        assert view.verified_at is not None  # the ping proved the source works
        async with served.runtime.db.session() as session:
            stored = (await session.scalars(select(Event))).all()
        assert {e.headers.get("hookgate.hook_id") for e in stored} == {HOOK_ID}


async def test_form_encoded_delivery_and_redelivery(sqlite_url: str) -> None:
    async with serving(settings_for(sqlite_url)) as served:
        source = await _source(served)
        trigger = await create_trigger(
            served.runtime,
            served.actor,
            source_id=source.id,
            agent_id="triage",
            event_type="issues",
            filter='(and (eq "action" "opened") (has "issue.labels.*.name" "bug"))',
        )
        payload = (FIXTURES / "issues.opened.json").read_text()
        form = urlencode({"payload": payload}).encode()
        form_type = "application/x-www-form-urlencoded"
        first = await _deliver(served, source, "issues", form, "d-form-1", form_type)
        again = await _deliver(served, source, "issues", form, "d-form-1", form_type)
        assert first.status_code == 202, first.text
        assert (again.status_code, again.json()["duplicate"]) == (200, True)
        await eventually(lambda: _has_runs(served, trigger.id, 1))
        assert await _run_count(served, trigger.id) == 1


async def _has_runs(served: Served, trigger_id: str, count: int) -> bool:
    return await _run_count(served, trigger_id) == count


async def test_a_registered_hooks_ping_arrives(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an admin sees after connecting: hookgate registers the hook, GitHub pings it."""
    github = FakeGitHub()
    for name, value in github.settings_env().items():
        monkeypatch.setenv(name, value)
    github.add_repo("octo-org/webapp")
    async with serving(settings_for(sqlite_url)) as served:
        source = await _source(served)
        record = await served.runtime.sources.load(source.id)
        assert record is not None
        # With HOOKGATE_PUBLIC_URL set, core's source URL is absolute like this one.
        context = replace(record.context(), url=served.base_url + record.url)
        hooks = served.runtime.plugins.provider("github")
        target = Target(type="repository", name="octo-org/webapp")
        async with github.client(github.issue_token(client_id=github.client_id)) as client:
            await hooks.create_webhook(context, target, client)
        [ping] = github.deliveries
        answer = await github.send(ping, served.client)
        assert answer.status_code == 200, answer.text
        view = await get_source(served.runtime, served.actor, source.id)
        assert view.verified_at is not None
