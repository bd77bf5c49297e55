"""Event schemas: real payloads validate, design-doc filters type-check, typos get suggestions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hookgate.filters import check_filter, compile_filter
from hookgate.provider_hooks import ProviderHooks
from hookgate.schemas import event_validator, schema_errors
from hookgate.types import EventSchema

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "github"
REQUIRED_EVENTS = {
    "pull_request",
    "issues",
    "issue_comment",
    "push",
    "pull_request_review",
    "release",
    "workflow_run",
    "projects_v2_item",
    "ping",
}


@pytest.fixture(scope="module")
def schemas(hooks: ProviderHooks) -> dict[str, EventSchema]:
    return {s.event_type: s for s in hooks.event_schemas()}


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def test_every_required_event_has_a_schema_and_sample(schemas: dict[str, EventSchema]) -> None:
    assert set(schemas) >= REQUIRED_EVENTS
    for schema in schemas.values():
        assert schema.sample, schema.event_type
        assert not schema_errors(event_validator(schema), schema.sample)


@pytest.mark.parametrize("fixture", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_every_fixture_validates(schemas: dict[str, EventSchema], fixture: str) -> None:
    schema = schemas[fixture.split(".")[0]]
    assert schema_errors(event_validator(schema), _fixture(fixture)) == []


def test_the_2018_payload_validates(schemas: dict[str, EventSchema]) -> None:
    """issues.closed.json predates fields GitHub now always sends; the schema must not care."""
    old = _fixture("issues.closed.json")
    assert "reactions" not in old["issue"]
    assert schema_errors(event_validator(schemas["issues"]), old) == []


def test_fields_added_later_are_accepted(schemas: dict[str, EventSchema]) -> None:
    payload = _fixture("pull_request.opened.json")
    payload["brand_new_field"] = {"x": 1}
    payload["pull_request"]["another_new_field"] = [1, 2]
    payload["action"] = "some_future_action"
    assert schema_errors(event_validator(schemas["pull_request"]), payload) == []


def test_action_is_documented_not_closed(schemas: dict[str, EventSchema]) -> None:
    for name, schema in schemas.items():
        action = schema.json_schema["properties"].get("action")
        if action is None:
            continue
        assert "enum" not in action, name
        assert "const" not in action, name
        assert action["examples"], name


def test_filtered_fields_are_described(schemas: dict[str, EventSchema]) -> None:
    pr = schemas["pull_request"].json_schema["properties"]["pull_request"]["properties"]
    for field in ("changed_files", "labels", "draft", "title", "user", "base", "head"):
        assert pr[field]["description"], field


@pytest.mark.parametrize(
    ("event", "expression"),
    [
        ("pull_request", '(and (eq "action" "opened") (gt "pull_request.changed_files" 20))'),
        ("pull_request", '(has "pull_request.labels.*.name" "bug")'),
        (
            "pull_request",
            '(and (eq "action" "opened") (gt "pull_request.changed_files" 20) '
            '(not (has-any "pull_request.labels.*.name" ("wip" "do-not-review"))))',
        ),
        ("issues", '(and (eq "action" "labeled") (eq "label.name" "bug"))'),
        ("issue_comment", '(and (exists "issue.pull_request") (contains "comment.body" "/run"))'),
        ("push", '(and (eq "ref" "refs/heads/main") (not (eq "forced" true)))'),
        ("pull_request_review", '(eq "review.state" "approved")'),
        (
            "workflow_run",
            '(and (eq "action" "completed") (eq "workflow_run.conclusion" "failure"))',
        ),
        ("release", '(and (eq "action" "published") (eq "release.prerelease" false))'),
        ("projects_v2_item", '(eq "changes.field_value.field_name" "Status")'),
    ],
)
def test_filters_type_check(schemas: dict[str, EventSchema], event: str, expression: str) -> None:
    schema = schemas[event]
    problems = check_filter(
        compile_filter(expression), schema.json_schema, resources=schema.resources
    )
    assert problems == []


def test_design_doc_filter_matches_the_sample(schemas: dict[str, EventSchema]) -> None:
    payload = _fixture("pull_request.labeled.json")
    label = payload["pull_request"]["labels"][0]["name"]
    assert compile_filter(f'(has "pull_request.labels.*.name" "{label}")')(payload)


def test_unknown_field_gets_a_suggestion(schemas: dict[str, EventSchema]) -> None:
    """A misspelt field is reported with the field it probably meant.

    The schemas are open (GitHub adds fields), so core's checker reports an
    undescribed field as a warning rather than an error; see the report on
    issue 8 for the core option that would let triggers refuse it.
    """
    schema = schemas["pull_request"]
    expression = '(gt "pull_request.chnaged_files" 20)'
    problems = check_filter(
        compile_filter(expression), schema.json_schema, resources=schema.resources, warnings=True
    )
    assert [(p.code, p.suggestion) for p in problems] == [
        ("undocumented-field", "pull_request.changed_files")
    ]


@pytest.mark.parametrize(
    ("expression", "code"),
    [
        ('(gt "pull_request.title" 20)', "type-mismatch"),
        ('(eq "pull_request.labels.name" "bug")', "type-mismatch"),
        ('(contains "pull_request.labels" "bug")', "type-mismatch"),
        ('(eq "pull_request.changed_files" "20")', "impossible-value"),
    ],
)
def test_impossible_filters_are_refused(
    schemas: dict[str, EventSchema], expression: str, code: str
) -> None:
    schema = schemas["pull_request"]
    problems = check_filter(
        compile_filter(expression), schema.json_schema, resources=schema.resources
    )
    assert [p.code for p in problems] == [code]
    assert problems[0].severity == "error"
