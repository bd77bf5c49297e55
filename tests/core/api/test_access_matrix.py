"""Every route of the admin API × admin / member / other-workspace admin / no key / revoked key.

Each cell asserts the status, that the answer conforms to the OpenAPI document,
and, where the route shows data, that the caller sees exactly what is theirs:
members get no source secrets, triggers and runs are their owner's only, and
nothing crosses workspaces (an id of another workspace answers 404, not 403).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hookgate.services import events as event_service
from hookgate.services import sources as source_service
from hookgate.services import triggers as trigger_service
from hookgate.store.models import OAuthConnection, new_id

from tests.core.api.support import CALLERS, Contract, World, world
from tests.support import eventually

pytestmark = pytest.mark.anyio

PAYLOAD = {"action": "opened", "number": 7, "title": "private title"}
Ids = dict[str, str]
Check = Callable[[str, httpx.Response, Ids], None]


@dataclass(frozen=True)
class Cell:
    method: str
    template: str
    #: Status per caller; callers with a 4xx go first, so a success that changes or
    #: deletes the object comes last.
    expect: dict[str, int]
    id: str | None = None
    body: Callable[[Ids, str], Any] | None = None
    check: Check | None = None

    def url(self, ids: Ids) -> str:
        return self.template.replace("{id}", ids[self.id]) if self.id else self.template


def _statuses(admin: int, member: int, other: int, public: bool = False) -> dict[str, int]:
    locked = 200 if public else 401
    return {
        "admin": admin,
        "member": member,
        "other": other,
        "anonymous": locked,
        "revoked": locked,
    }


_names = itertools.count()


def _new_source(ids: Ids, who: str) -> dict[str, Any]:
    return {
        "provider": "custom",
        "name": f"new-{who}-{next(_names)}",
        "config": {"signature_header": "X-Signature", "algorithm": "sha256"},
    }


def _items(response: httpx.Response) -> list[dict[str, Any]]:
    return list(response.json()["items"])


def _source_secrets(who: str, response: httpx.Response, ids: Ids) -> None:
    items = _items(response) if "items" in response.json() else [response.json()]
    if who == "other":
        assert all(i["id"] not in (ids["source"], ids["doomed_source"]) for i in items)
        return
    assert ids["source"] in {i["id"] for i in items}
    for item in items:
        if who == "admin":
            assert item["url"].startswith("/hooks/")
            assert item["secret_hint"].startswith("…")
        else:  # members never see the URL secret nor the signing secret's hint
            assert item["url"] is None
            assert item["secret_hint"] is None
        assert "secret" not in item


def _created_source(who: str, response: httpx.Response, ids: Ids) -> None:
    if response.status_code == 201:
        body = response.json()
        assert len(body["secret"]) >= 32
        assert body["url"].startswith("/hooks/")


def _own_triggers(who: str, response: httpx.Response, ids: Ids) -> None:
    found = {t["id"] for t in _items(response)}
    owners = {"admin_trigger": "admin", "member_trigger": "member", "doomed_trigger": "member"}
    assert all(ids[name] not in found for name, owner in owners.items() if owner != who)
    if who in ("admin", "member"):
        assert ids[f"{who}_trigger"] in found


def _own_runs(who: str, response: httpx.Response, ids: Ids) -> None:
    seen = {r["trigger_id"] for r in _items(response)}
    for owner in ("admin", "member"):
        # their trigger made at setup, and the one made through POST /triggers
        triggers = {ids[f"{owner}_trigger"], ids.get(f"{owner} POST /triggers")}
        if owner == who:
            assert ids[f"{who}_run"] in {r["id"] for r in _items(response)}
        else:
            assert not seen & triggers, f"{who} sees runs of {owner}'s triggers"


def _event_detail(who: str, response: httpx.Response, ids: Ids) -> None:
    if response.status_code != 200:
        return
    event = response.json()
    assert [r["id"] for r in event["runs"]] == [ids[f"{who}_run"]]
    outcomes = {o["trigger_id"]: o["matched"] for o in event["outcomes"]}
    assert outcomes[ids[f"{who}_trigger"]] is True
    other = "member" if who == "admin" else "admin"
    assert ids[f"{other}_trigger"] not in outcomes
    assert event["payload"] == PAYLOAD  # admin: all; member: through their own run


def _source_events(who: str, response: httpx.Response, ids: Ids) -> None:
    if response.status_code == 200:
        assert ids["event"] in {e["id"] for e in _items(response)}
        assert all("payload" not in e for e in _items(response))


def _audit(who: str, response: httpx.Response, ids: Ids) -> None:
    if response.status_code != 200:
        return
    targets = {e["target"] for e in _items(response)}
    if who == "admin":
        assert ids["source"] in targets
    else:  # another workspace's log holds nothing of acme's
        assert not targets & {ids["source"], ids["doomed_source"]}


def _connections(who: str, response: httpx.Response, ids: Ids) -> None:
    found = {c["id"] for c in _items(response)}
    mine = {ids["connection"], ids["doomed_connection"]}
    assert found >= mine if who == "admin" else not found & mine


FILTER = '(eq "action" "opened")'
CELLS = [
    Cell("GET", "/sources", _statuses(200, 200, 200), check=_source_secrets),
    Cell("POST", "/sources", _statuses(201, 403, 201), body=_new_source, check=_created_source),
    Cell("GET", "/sources/{id}", _statuses(200, 200, 404), "source", check=_source_secrets),
    Cell("PATCH", "/sources/{id}", _statuses(200, 403, 404), "source", lambda i, w: {"events": []}),
    Cell("DELETE", "/sources/{id}", _statuses(204, 403, 404), "doomed_source"),
    Cell(
        "POST",
        "/sources/{id}/rotate-secret",
        _statuses(200, 403, 404),
        "source",
        lambda i, w: {"grace": 1},
    ),
    Cell("GET", "/sources/{id}/events", _statuses(200, 200, 404), "source", check=_source_events),
    Cell("POST", "/sources/{id}/reconcile", _statuses(200, 403, 404), "source"),
    Cell("GET", "/triggers", _statuses(200, 200, 200), check=_own_triggers),
    Cell(
        "POST",
        "/triggers",
        _statuses(201, 201, 404),
        body=lambda i, w: {"source_id": i["source"], "agent": f"agent-{w}"},
    ),
    Cell("GET", "/triggers/{id}", _statuses(404, 200, 404), "member_trigger"),
    Cell(
        "PATCH",
        "/triggers/{id}",
        _statuses(404, 200, 404),
        "member_trigger",
        lambda i, w: {"description": "triage"},
    ),
    Cell("DELETE", "/triggers/{id}", _statuses(404, 204, 404), "doomed_trigger"),
    Cell("GET", "/events/{id}", _statuses(200, 200, 404), "event", check=_event_detail),
    Cell("POST", "/events/{id}/replay", _statuses(202, 403, 404), "event"),
    Cell("GET", "/runs", _statuses(200, 200, 200), check=_own_runs),
    Cell("GET", "/runs/{id}", _statuses(404, 200, 404), "member_run"),
    Cell("POST", "/runs/{id}/replay", _statuses(404, 202, 404), "member_run"),
    Cell(
        "POST",
        "/filters/check",
        _statuses(200, 200, 200),
        body=lambda i, w: {"filter": FILTER, "provider": "github", "event_type": "issues"},
    ),
    Cell(
        "POST",
        "/filters/test",
        _statuses(200, 200, 200),
        body=lambda i, w: {"filter": FILTER, "payload": PAYLOAD},
    ),
    Cell(
        "POST",
        "/filters/dry-run",
        _statuses(200, 200, 404),
        body=lambda i, w: {"filter": FILTER, "source_id": i["source"]},
    ),
    Cell(
        "POST",
        "/filters/generate",
        _statuses(503, 503, 404),  # no generator configured here: test_resources has one
        body=lambda i, w: {"description": "opened issues", "source_id": i["source"]},
    ),
    Cell("GET", "/providers", _statuses(200, 200, 200)),
    Cell("GET", "/providers/{id}", _statuses(200, 200, 200), "provider"),
    Cell("GET", "/connections", _statuses(200, 403, 200), check=_connections),
    # custom needs no OAuth: refused for what it is, after the role check
    Cell(
        "POST", "/connections", _statuses(422, 403, 422), body=lambda i, w: {"provider": "custom"}
    ),
    Cell("GET", "/connections/{id}", _statuses(200, 403, 404), "connection"),
    # pending: its grant is not finished
    Cell("GET", "/connections/{id}/account", _statuses(409, 403, 404), "connection"),
    # no OAuth app configured for github here
    Cell("POST", "/connections/{id}/reauthorize", _statuses(422, 403, 404), "connection"),
    Cell("DELETE", "/connections/{id}", _statuses(204, 403, 404), "doomed_connection"),
    Cell("GET", "/audit", _statuses(200, 403, 200), check=_audit),
    Cell("GET", "/openapi.json", _statuses(200, 200, 200, public=True)),
]


async def _objects(w: World) -> Ids:
    """acme's objects: sources, triggers of ada and of max, one event with a run of each."""
    rt, admin, member = w.runtime, w.actors["admin"], w.actors["member"]
    config = {"signature_header": "X-Signature", "algorithm": "sha256"}
    source = await source_service.create_source(
        rt, admin, provider="custom", name="acme", config=config
    )
    doomed = await source_service.create_source(
        rt, admin, provider="custom", name="doomed", config=config
    )
    mine = await trigger_service.create_trigger(
        rt, admin, source_id=source.id, agent_id="ada-agent", filter=FILTER
    )
    theirs = await trigger_service.create_trigger(
        rt, member, source_id=source.id, agent_id="max-agent"
    )
    spare = await trigger_service.create_trigger(rt, member, source_id=source.id, agent_id="x")
    await trigger_service.update_trigger(rt, member, spare.id, status="disabled")
    answer = await w.served.send(source, PAYLOAD)
    assert answer.status_code == 202, answer.text
    runs = {"admin": [], "member": []}

    async def delivered() -> bool:
        for who in runs:
            runs[who] = await event_service.list_runs(rt, w.actors[who])
        return all(len(r) == 1 and r[0].status == "delivered" for r in runs.values())

    await eventually(delivered)
    async with rt.db.session() as session, session.begin():
        pending = [
            OAuthConnection(id=new_id("con"), workspace_id=admin.workspace_id, provider="github")
            for _ in range(2)
        ]
        session.add_all(pending)
    return {
        "connection": pending[0].id,
        "doomed_connection": pending[1].id,
        "source": source.id,
        "doomed_source": doomed.id,
        "admin_trigger": mine.id,
        "member_trigger": theirs.id,
        "doomed_trigger": spare.id,
        "event": answer.json()["event_id"],
        "admin_run": runs["admin"][0].id,
        "member_run": runs["member"][0].id,
        "provider": "custom",
    }


async def _run_cell(w: World, cell: Cell, ids: Ids, contract: Contract) -> list[str]:
    failures: list[str] = []
    order = sorted(CALLERS, key=lambda who: cell.expect[who] < 300)
    for who in order:
        body = cell.body(ids, who) if cell.body else None
        response = await w.clients[who].request(cell.method, cell.url(ids), json=body)
        where = f"{cell.method} {cell.template} as {who}"
        if response.status_code != cell.expect[who]:
            failures.append(f"{where}: {response.status_code}, expected {cell.expect[who]}")
            continue
        failures += contract.problems(cell.method, cell.template, response)
        if response.status_code == 201:
            ids[f"{who} {cell.method} {cell.template}"] = response.json()["id"]
        if response.status_code >= 400:
            assert set(response.json()) == {"error"}, where
        elif cell.check is not None:
            try:
                cell.check(who, response, ids)
            except AssertionError as exc:
                failures.append(f"{where}: {exc}")
    return failures


def test_the_matrix_covers_every_documented_operation() -> None:
    assert {(c.method, c.template) for c in CELLS} == Contract().operations()


async def test_access_matrix(database_url: str) -> None:
    async with world(database_url) as w:
        ids = await _objects(w)
        contract = Contract()
        failures: list[str] = []
        for cell in CELLS:
            failures += await _run_cell(w, cell, ids, contract)
        assert failures == []
