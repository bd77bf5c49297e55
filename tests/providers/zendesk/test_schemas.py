"""Event schemas: every required event with a described schema, samples, filters type-check."""

from __future__ import annotations

from typing import Any

import pytest
from hookgate.filters import check_filter, compile_filter
from hookgate.provider_hooks import ProviderHooks
from hookgate.schemas import event_validator
from hookgate.types import EventSchema

REQUIRED = {
    "zen:event-type:ticket.created",
    "zen:event-type:ticket.status_changed",
    "zen:event-type:ticket.priority_changed",
    "zen:event-type:ticket.comment_added",
    "zen:event-type:ticket.agent_assignment_changed",
    "zen:event-type:ticket.tags_changed",
    "zen:event-type:user.created",
    "zen:event-type:organization.created",
}
ENVELOPE = ("type", "id", "time", "account_id", "zendesk_event_version", "subject", "detail")


@pytest.fixture(scope="module")
def schemas(hooks: ProviderHooks) -> dict[str, EventSchema]:
    return {s.event_type: s for s in hooks.event_schemas()}


def test_required_events_have_described_envelopes(schemas: dict[str, EventSchema]) -> None:
    assert set(schemas) >= REQUIRED
    for schema in schemas.values():
        props = schema.json_schema["properties"]
        for field in (*ENVELOPE, "event"):
            assert props[field]["description"], (schema.event_type, field)
        assert schema.sample["type"] == schema.event_type


def test_ids_may_be_strings_or_integers(schemas: dict[str, EventSchema]) -> None:
    schema = schemas["zen:event-type:ticket.created"]
    sample: dict[str, Any] = {**schema.sample}
    sample["detail"] = {**sample["detail"], "id": 351, "requester_id": 8447388090494}
    assert not list(event_validator(schema).iter_errors(sample))
    sample["detail"]["id"] = {"not": "an id"}
    assert list(event_validator(schema).iter_errors(sample))


@pytest.mark.parametrize(
    ("event", "expression"),
    [
        (
            "zen:event-type:ticket.created",
            '(and (eq "type" "zen:event-type:ticket.created") (eq "detail.priority" "URGENT"))',
        ),
        (
            "zen:event-type:ticket.created",
            '(and (contains "detail.subject" "urgent") (not (exists "detail.assignee_id")))',
        ),
        ("zen:event-type:ticket.status_changed", '(eq "event.current" "SOLVED")'),
        ("zen:event-type:ticket.comment_added", '(contains "event.comment.body" "urgent")'),
        ("zen:event-type:ticket.tags_changed", '(has "event.tags_added" "vip")'),
        ("zen:event-type:user.created", '(eq "detail.role" "agent")'),
    ],
)
def test_filters_type_check(schemas: dict[str, EventSchema], event: str, expression: str) -> None:
    schema = schemas[event]
    problems = check_filter(
        compile_filter(expression), schema.json_schema, resources=schema.resources
    )
    assert problems == []


def test_impossible_filter_is_refused(schemas: dict[str, EventSchema]) -> None:
    schema = schemas["zen:event-type:ticket.created"]
    problems = check_filter(compile_filter('(gt "detail.tags" 2)'), schema.json_schema)
    assert [p.code for p in problems] == ["type-mismatch"]
