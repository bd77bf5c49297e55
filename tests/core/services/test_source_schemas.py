"""Schemas attached to (or inferred for) a source: the service, the filter check, dispatch.

Every test runs on SQLite and on PostgreSQL (``database_url``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hookgate.config import Settings
from hookgate.services import Invalid, NotFound, ServiceError
from hookgate.services.common import ensure_user
from hookgate.services.events import get_event, list_events
from hookgate.services.source_schemas import (
    attach_schema,
    delete_schema,
    get_schema,
    infer_schema,
    list_schemas,
)
from hookgate.services.sources import SourceView, create_source
from hookgate.services.triggers import create_trigger, update_trigger

from tests.support import Served, eventually, serving, settings_for

pytestmark = pytest.mark.anyio

JIRA = Path(__file__).resolve().parents[2] / "fixtures" / "jira"

ORDER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "order": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "amount": {"type": "integer"},
                "tags": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["id", "amount"],
            "additionalProperties": False,
        },
        "type": {"type": "string"},
    },
    "required": ["order"],
}
ORDER = {"type": "order.paid", "order": {"id": "o_1", "amount": 1200, "tags": ["vip"]}}


def _settings(database_url: str) -> Settings:
    # jira is there for a provider that has schemas of its own.
    return settings_for(database_url, providers="custom,jira")


async def _source(served: Served, name: str = "shop", **options: Any) -> SourceView:
    config = {"signature_format": "prefixed-hex", "event_type_field": "type"}
    config.update(options.pop("config", {}))
    return await create_source(
        served.runtime, served.actor, provider="custom", name=name, config=config, **options
    )


async def _post(served: Served, source: SourceView, body: bytes) -> None:
    headers = await served.signed_headers(source.id, body)
    response = await served.client.post(source.url, content=body, headers=headers)
    assert response.status_code == 202, response.text


async def test_attach_list_show_replace_delete(database_url: str) -> None:
    async with serving(_settings(database_url), worker=False) as served:
        rt, actor = served.runtime, served.actor
        source = await _source(served)
        view = await attach_schema(
            rt, actor, source.id, "order.paid", ORDER_SCHEMA, "An order was paid", ORDER
        )
        assert (view.event_type, view.origin, view.sample) == ("order.paid", "attached", ORDER)

        shown = await get_schema(rt, actor, source.id, "order.paid")
        assert shown.json_schema == ORDER_SCHEMA
        assert shown.description == "An order was paid"

        replaced = await attach_schema(rt, actor, source.id, "order.paid", {"type": "object"})
        assert replaced.json_schema == {"type": "object"}
        assert replaced.sample is None
        assert replaced.updated_at >= view.updated_at
        assert [v.event_type for v in await list_schemas(rt, actor, source.id)] == ["order.paid"]

        await delete_schema(rt, actor, source.id, "order.paid")
        assert await list_schemas(rt, actor, source.id) == []
        with pytest.raises(NotFound, match=r"no schema for event type 'order\.paid'"):
            await get_schema(rt, actor, source.id, "order.paid")


@pytest.mark.parametrize(
    ("schema", "sample", "message"),
    [
        ({"type": "objekt"}, None, "not a valid JSON Schema at type"),
        (["not", "an", "object"], None, "a schema is a JSON object"),
        ({"$ref": "https://example.com/s.json"}, None, "points outside the schema"),
        ({"$ref": "#/$defs/missing"}, None, "points to nothing"),
        (ORDER_SCHEMA, {"order": {"id": "o_1", "amount": "12"}}, r"order\.amount: '12' is not"),
        (ORDER_SCHEMA, ["a list"], "the sample is a JSON object"),
    ],
)
async def test_attach_refuses_what_cannot_work(
    sqlite_url: str, schema: Any, sample: Any, message: str
) -> None:
    async with serving(_settings(sqlite_url), worker=False) as served:
        source = await _source(served)
        with pytest.raises(Invalid, match=message):
            await attach_schema(served.runtime, served.actor, source.id, "x", schema, sample=sample)
        assert await list_schemas(served.runtime, served.actor, source.id) == []


async def test_local_refs_are_fine(sqlite_url: str) -> None:
    schema = {
        "$defs": {"money": {"type": "integer", "minimum": 0}},
        "type": "object",
        "properties": {"amount": {"$ref": "#/$defs/money"}},
    }
    async with serving(_settings(sqlite_url), worker=False) as served:
        source = await _source(served)
        view = await attach_schema(
            served.runtime, served.actor, source.id, "x", schema, sample={"amount": 3}
        )
        assert view.json_schema == schema


async def test_members_read_but_do_not_change(database_url: str) -> None:
    async with serving(_settings(database_url), worker=False) as served:
        rt = served.runtime
        source = await _source(served)
        await attach_schema(rt, served.actor, source.id, "order.paid", ORDER_SCHEMA)
        async with rt.db.session() as session, session.begin():
            member = await ensure_user(session, "default", "mia", "member")
        assert len(await list_schemas(rt, member, source.id)) == 1
        for call in (
            attach_schema(rt, member, source.id, "order.paid", {"type": "object"}),
            delete_schema(rt, member, source.id, "order.paid"),
            infer_schema(rt, member, source.id),
        ):
            with pytest.raises(ServiceError, match="only workspace admins"):
                await call
        async with rt.db.session() as session, session.begin():
            other = await ensure_user(session, "elsewhere", "eve", "admin")
        with pytest.raises(NotFound):
            await list_schemas(rt, other, source.id)


async def test_provider_schemas_win(database_url: str) -> None:
    async with serving(_settings(database_url), worker=False) as served:
        source = await create_source(served.runtime, served.actor, provider="jira", name="j")
        with pytest.raises(Invalid, match="provider jira defines the schema of 'jira:issue_"):
            await attach_schema(
                served.runtime, served.actor, source.id, "jira:issue_created", ORDER_SCHEMA
            )


async def test_filter_check_uses_the_attached_schema(database_url: str) -> None:
    async with serving(_settings(database_url), worker=False) as served:
        rt, actor = served.runtime, served.actor
        source = await _source(served)

        def trigger(event_type: str | None, text: str) -> Any:
            return create_trigger(
                rt, actor, source_id=source.id, agent_id="a", event_type=event_type, filter=text
            )

        # Without a schema, any field goes.
        await trigger("order.paid", '(gt "order.amont" 10)')
        await attach_schema(rt, actor, source.id, "order.paid", ORDER_SCHEMA)
        with pytest.raises(Invalid, match=r'unknown field "amont".*did you mean "order\.amount"'):
            await trigger("order.paid", '(gt "order.amont" 10)')
        with pytest.raises(Invalid, match="needs a number"):
            await trigger("order.paid", '(gt "order.id" 10)')
        ok = await trigger("order.paid", '(and (gt "order.amount" 10) (has "order.tags" "vip"))')
        assert ok.filter is not None
        # The schema is for order.paid only: other and unspecified event types are unchecked.
        await trigger("order.refunded", '(gt "order.amont" 10)')
        await trigger(None, '(gt "order.amont" 10)')
        with pytest.raises(Invalid, match=r"schema attached to the source for 'order\.paid'"):
            await update_trigger(rt, actor, ok.id, filter='(eq "order.idd" "o_1")')


async def test_enforce_stops_invalid_payloads_and_changes_apply_at_once(database_url: str) -> None:
    async with serving(_settings(database_url)) as served:
        rt, actor = served.runtime, served.actor
        source = await _source(served, schema_policy="enforce")
        await attach_schema(rt, actor, source.id, "order.paid", ORDER_SCHEMA)
        bad = {"type": "order.paid", "order": {"id": "o_2", "amount": "12.00"}}

        async def statuses() -> list[str | None]:
            events = await list_events(rt, actor, source_id=source.id)
            return [e.status for e in reversed(events)]

        async def settled(count: int) -> bool:
            found = await statuses()
            return len(found) == count and not {"pending", "processing"} & set(found)

        await _post(served, source, json.dumps(ORDER).encode())
        await _post(served, source, json.dumps(bad).encode())
        await eventually(lambda: settled(2))
        assert await statuses() == ["done", "schema_invalid"]
        invalid = (await list_events(rt, actor, source_id=source.id, status="schema_invalid"))[0]
        shown = await get_event(rt, actor, invalid.id)
        assert shown.schema_errors == ["order.amount: '12.00' is not of type 'integer'"]

        # A replaced schema is used by the very next event.
        loose = {**ORDER_SCHEMA, "properties": {"order": {"type": "object"}}}
        await attach_schema(rt, actor, source.id, "order.paid", loose)
        await _post(served, source, json.dumps({**bad, "n": 3}).encode())
        await eventually(lambda: settled(3))
        assert (await statuses())[-1] == "done"

        # So is a deleted one.
        await attach_schema(rt, actor, source.id, "order.paid", ORDER_SCHEMA)
        await delete_schema(rt, actor, source.id, "order.paid")
        await _post(served, source, json.dumps({**bad, "n": 4}).encode())
        await eventually(lambda: settled(4))
        assert (await statuses())[-1] == "done"


async def test_record_policy_keeps_going_with_the_errors(sqlite_url: str) -> None:
    async with serving(_settings(sqlite_url)) as served:
        rt, actor = served.runtime, served.actor
        source = await _source(served)
        await attach_schema(rt, actor, source.id, "order.paid", ORDER_SCHEMA)
        await _post(served, source, b'{"type": "order.paid", "order": {"id": 7, "amount": 1}}')

        async def done() -> bool:
            events = await list_events(rt, actor, source_id=source.id, status="done")
            return len(events) == 1

        await eventually(done)
        event = (await list_events(rt, actor, source_id=source.id))[0]
        assert (await get_event(rt, actor, event.id)).schema_errors == [
            "order.id: 7 is not of type 'string'"
        ]


def _keywords(schema: dict[str, Any]) -> set[str]:
    """Every keyword used anywhere in an inferred schema (property names excluded)."""
    found = set(schema)
    for sub in schema.get("properties", {}).values():
        found |= _keywords(sub)
    if "items" in schema:
        found |= _keywords(schema["items"])
    return found


async def _send_jira_fixtures(served: Served) -> SourceView:
    source = await _source(served, name="jira-by-hand", config={"event_type_field": "webhookEvent"})
    for path in sorted(JIRA.glob("*.json")):
        await _post(served, source, path.read_bytes())
    return source


async def test_infer_from_real_payloads(database_url: str) -> None:
    async with serving(_settings(database_url), worker=False) as served:
        rt, actor = served.runtime, served.actor
        source = await _send_jira_fixtures(served)
        inferred = {i.event_type: i for i in await infer_schema(rt, actor, source.id)}
        assert set(inferred) == {
            "comment_created",
            "comment_deleted",
            "comment_updated",
            "jira:issue_created",
            "jira:issue_deleted",
            "jira:issue_updated",
        }
        assert inferred["jira:issue_updated"].samples == 2
        assert not any(i.saved for i in inferred.values())
        assert await list_schemas(rt, actor, source.id) == []
        for path in JIRA.glob("*.json"):
            payload = json.loads(path.read_bytes())
            jsonschema.validate(payload, inferred[payload["webhookEvent"]].json_schema)

        schema = inferred["jira:issue_updated"].json_schema
        props = schema["properties"]
        assert props["timestamp"] == {"type": "integer"}
        assert {"webhookEvent", "issue", "changelog", "timestamp"} <= set(schema["required"])
        item = props["changelog"]["properties"]["items"]["items"]
        assert item["properties"]["from"]["type"] == ["string", "null"]
        assert _keywords(schema) <= {"$schema", "type", "properties", "required", "items"}


async def test_infer_one_type_from_the_last_events_and_save(database_url: str) -> None:
    async with serving(_settings(database_url), worker=False) as served:
        rt, actor = served.runtime, served.actor
        source = await _send_jira_fixtures(served)
        (only,) = await infer_schema(
            rt, actor, source.id, event_type="jira:issue_updated", last=1, save=True, closed=True
        )
        assert (only.samples, only.saved) == (1, True)
        saved = await get_schema(rt, actor, source.id, "jira:issue_updated")
        assert (saved.origin, saved.json_schema) == ("inferred", only.json_schema)

        # A closed inferred schema refuses typos in filters, with a suggestion.
        with pytest.raises(Invalid, match=r'did you mean "issue.fields.summary"'):
            await create_trigger(
                rt,
                actor,
                source_id=source.id,
                agent_id="a",
                event_type="jira:issue_updated",
                filter='(contains "issue.fields.sumary" "bug")',
            )

        # Saving again replaces an inferred schema but never an attached one.
        await attach_schema(rt, actor, source.id, "comment_created", {"type": "object"})
        results = {i.event_type: i for i in await infer_schema(rt, actor, source.id, save=True)}
        assert results["jira:issue_updated"].saved
        assert not results["comment_created"].saved
        assert "an admin attached its schema" in str(results["comment_created"].skipped)
        kept = await get_schema(rt, actor, source.id, "comment_created")
        assert (kept.origin, kept.json_schema) == ("attached", {"type": "object"})


async def test_infer_needs_events(sqlite_url: str) -> None:
    async with serving(_settings(sqlite_url), worker=False) as served:
        source = await _source(served)
        with pytest.raises(Invalid, match="no stored events with a JSON body"):
            await infer_schema(served.runtime, served.actor, source.id)
        with pytest.raises(Invalid, match="1 to 1000"):
            await infer_schema(served.runtime, served.actor, source.id, last=0)
