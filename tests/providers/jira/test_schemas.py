"""Jira schemas: every real capture validates, the filters admins write type-check, typos don't."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hookgate.filters import check_filter, compile_filter
from hookgate.plugins import PluginManager
from hookgate.schemas import event_validator, schema_errors
from hookgate.types import EventSchema
from hookgate_jira.registration import DYNAMIC_EVENTS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "jira"
URGENT = '(and (eq "webhookEvent" "jira:issue_created") (has-any "issue.fields.labels" ("urgent")))'
HIGH = '(eq "issue.fields.priority.name" "High")'


@pytest.fixture(scope="module")
def schemas() -> dict[str, EventSchema]:
    return {s.event_type: s for s in PluginManager(["jira"]).provider("jira").event_schemas()}


def _event_type(path: Path) -> str:
    return str(json.loads(path.read_text())["webhookEvent"])


def test_all_eight_dynamic_webhook_events_have_a_described_schema(
    schemas: dict[str, EventSchema],
) -> None:
    assert set(schemas) == set(DYNAMIC_EVENTS)
    for schema in schemas.values():
        assert schema.description
        fields = schema.json_schema["properties"]
        assert all(f.get("description") for f in fields.values()), schema.event_type


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.name)
def test_every_capture_validates(schemas: dict[str, EventSchema], path: Path) -> None:
    payload: Any = json.loads(path.read_text())
    schema = schemas[_event_type(path)]
    assert schema_errors(event_validator(schema), payload) == []


def test_the_filters_from_the_issue_type_check_and_match(schemas: dict[str, EventSchema]) -> None:
    created = schemas["jira:issue_created"]
    for expression in (URGENT, HIGH):
        assert check_filter(expression, created.json_schema) == []
    sample = created.sample
    labelled = {**sample, "issue": {**sample["issue"], "fields": {**sample["issue"]["fields"]}}}
    labelled["issue"]["fields"]["labels"] = ["urgent", "backend"]
    assert compile_filter(URGENT)(labelled)
    assert not compile_filter(URGENT)(sample)


def test_a_comment_raising_issue_updated_is_told_apart(schemas: dict[str, EventSchema]) -> None:
    schema = schemas["jira:issue_updated"].json_schema
    assert "issue_commented" in schema["properties"]["issue_event_type_name"]["description"]
    assert check_filter('(eq "issue_event_type_name" "issue_commented")', schema) == []


def test_a_numeric_operator_on_text_is_refused(schemas: dict[str, EventSchema]) -> None:
    problems = check_filter(
        '(gt "issue.fields.priority.name" 3)', schemas["jira:issue_created"].json_schema
    )
    assert problems
