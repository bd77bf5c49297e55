"""Static check against JSON Schemas: GitHub's published ones and small hand-written ones."""

from __future__ import annotations

from typing import Any

import pytest
from hookgate.filters import FilterSyntaxError, Problem, check_filter, compile_filter, schema_view

DESIGN_EXAMPLE = (
    '(and (eq "action" "opened") (gt "pull_request.changed_files" 20)'
    ' (not (has-any "pull_request.labels.*.name" ("wip" "do-not-review"))))'
)


@pytest.fixture
def check(pull_request_opened_schema: Any, github_resources: dict[str, Any]) -> Any:
    def run(expression: str) -> list[Problem]:
        return check_filter(expression, pull_request_opened_schema, resources=github_resources)

    return run


@pytest.mark.parametrize(
    "expression",
    [
        DESIGN_EXAMPLE,
        '(eq "pull_request.merged" null)',  # boolean or null
        '(eq "pull_request.body" null)',
        '(contains "pull_request.body" "fixes #")',
        '(starts-with "pull_request.head.ref" "fix/")',  # through $ref to a common schema
        '(eq "pull_request.user.login" "octocat")',  # $ref inside a $ref'd schema
        '(eq "pull_request.labels.0.name" "bug")',
        '(has "repository.topics" "python")',
        '(eq "pull_request.milestone.title" "v1")',  # anyOf [milestone, null]
        '(gte "pull_request.changed_files" 2.0)',  # a whole float fits an integer
        '(lt "pull_request.changed_files" 2.5)',
        '(exists "installation.id")',
        '(has-any "pull_request.requested_reviewers.*.login" ("octocat"))',  # oneOf user/team
    ],
)
def test_filters_that_fit_the_real_schema_have_no_problems(check: Any, expression: str) -> None:
    assert check(expression) == []


def test_the_real_payload_matches_filters_the_check_accepts(check: Any, pull_request: Any) -> None:
    expression = '(and (eq "action" "opened") (has "pull_request.labels.*.name" "bug"))'
    assert check(expression) == []
    assert compile_filter(expression)(pull_request)


def test_an_unknown_field_suggests_the_closest_declared_one(check: Any) -> None:
    [problem] = check('(and (eq "action" "opened")\n     (gt "pull_request.chnaged_files" 20))')
    assert problem.code == "unknown-field"
    assert problem.severity == "error"
    assert problem.path == "pull_request.chnaged_files"
    assert problem.suggestion == "pull_request.changed_files"
    assert (problem.line, problem.column) == (2, 10)
    assert 'did you mean "pull_request.changed_files"?' in problem.message
    assert str(problem).startswith("line 2, column 10: error: unknown field")


def test_a_misspelt_field_in_the_middle_keeps_the_rest_in_the_suggestion(check: Any) -> None:
    [problem] = check('(eq "pull_reqest.user.login" "x")')
    assert problem.suggestion == "pull_request.user.login"


@pytest.mark.parametrize(
    ("expression", "code", "fragment"),
    [
        ('(gt "pull_request.title" 3)', "type-mismatch", "gt needs a number"),
        ('(starts-with "pull_request.number" "1")', "type-mismatch", "needs a string"),
        ('(contains "pull_request.labels" "bug")', "type-mismatch", "use has"),
        ('(has "pull_request.title" "x")', "type-mismatch", "use contains"),
        ('(eq "pull_request.changed_files" "20")', "impossible-value", "write 20 without quotes"),
        ('(eq "pull_request.title" 20)', "impossible-value", 'write "20" in quotes'),
        ('(eq "pull_request.merged" "true")', "impossible-value", "a boolean or null"),
        ('(eq "pull_request.number" 1.5)', "impossible-value", "an integer, never 1.5"),
        ('(has "pull_request.labels" "bug")', "impossible-value", "holds items that are an object"),
        ('(has "repository.topics" 1)', "impossible-value", "holds items that are a string"),
        ('(eq "action" "opend")', "impossible-value", 'did you mean "opened"?'),
        ('(eq "pull_request.state" "closed")', "impossible-value", 'only "open"'),
        ('(eq "pull_request.labels.*.name" "bug")', "type-mismatch", "use has"),
        ('(gt "pull_request.labels.*.id" 1)', "type-mismatch", "use has-any"),
        ('(has "pull_request.title.*" "x")', "not-an-array", "remove the .*"),
        ('(eq "pull_request.title.length" 3)', "type-mismatch", "has no fields"),
        ('(eq "pull_request.user.nmae" "x")', "unknown-field", '"pull_request.user.name"'),
    ],
)
def test_what_the_schema_rules_out_is_reported(
    check: Any, expression: str, code: str, fragment: str
) -> None:
    problems = check(expression)
    assert [p.code for p in problems] == [code]
    assert fragment in problems[0].message


def test_every_leaf_is_checked(check: Any) -> None:
    problems = check('(or (gt "action" 1) (not (eq "pull_request.nope" 1)) (eq "number" "1"))')
    assert [p.code for p in problems] == ["type-mismatch", "unknown-field", "impossible-value"]


def test_a_filter_object_and_text_give_the_same_problems(check: Any) -> None:
    flt = compile_filter('(gt "pull_request.title" 3)')
    assert check_filter(flt, {"properties": {"pull_request": {}}}) == []
    assert check(str(flt)) == check('(gt "pull_request.title" 3)')


def test_check_of_invalid_text_raises_the_syntax_error() -> None:
    with pytest.raises(FilterSyntaxError):
        check_filter("(gt", {})


def test_issues_schema_follows_refs_through_allof(
    issues_labeled_schema: Any, github_resources: dict[str, Any]
) -> None:
    def problems(expression: str) -> list[str]:
        found = check_filter(expression, issues_labeled_schema, resources=github_resources)
        return [p.code for p in found]

    assert problems('(has "issue.labels.*.name" "bug")') == []
    assert problems('(eq "label.name" "bug")') == []
    assert problems('(eq "issue.milestone.title" "v1.0")') == []
    assert problems('(eq "issue.comments" "3")') == ["impossible-value"]
    assert problems('(eq "issue.lables" 1)') == ["unknown-field"]


# -- hand-written schemas: each keyword on its own ---------------------------------------

OPEN = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "count": {"type": ["integer", "null"]},
        "ratio": {"type": "number", "nullable": True},
        "owner": {"$ref": "#/definitions/user"},
        "either": {
            "oneOf": [
                {"type": "object", "properties": {"id": {"type": "integer"}}},
                {"type": "string"},
            ]
        },
        "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
        "pair": {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]},
        "labels": {"type": "array", "items": {"$ref": "label.json"}},
        "meta": {
            "type": "object",
            "patternProperties": {"^x-": {"type": "integer"}},
            "additionalProperties": False,
        },
        "extras": {"type": "object", "additionalProperties": {"type": "boolean"}},
        "kind": {"const": "push"},
        "anything": {},
        "self": {"$ref": "#"},
        "broken": {"$ref": "nowhere.json#/definitions/x"},
    },
    "definitions": {
        "user": {
            "type": "object",
            "properties": {"login": {"type": "string"}},
            "additionalProperties": False,
        }
    },
}
LABEL = {
    "$id": "label.json",
    "type": "object",
    "properties": {"name": {"type": "string"}},
    "required": ["name"],
}


def _codes(expression: str, *, warnings: bool = False) -> list[str]:
    problems = check_filter(expression, OPEN, resources={"label.json": LABEL}, warnings=warnings)
    return [p.code for p in problems]


@pytest.mark.parametrize(
    ("expression", "codes"),
    [
        ("(eq count null)", []),
        ("(gt count 1)", []),
        ("(eq ratio null)", []),
        ("(eq ratio 0.5)", []),
        ("(eq count 0.5)", ["impossible-value"]),
        ("(eq owner.login x)", []),  # local #/definitions pointer
        ("(eq owner.id 1)", ["unknown-field"]),  # additionalProperties false
        ("(eq either.id 1)", []),  # oneOf: the object branch
        ("(eq either x)", []),  # oneOf: the string branch
        ("(gt either 1)", ["type-mismatch"]),  # neither branch is a number
        ("(has tags a)", []),
        ("(has tags c)", ["impossible-value"]),  # enum on items
        ("(has pair 1)", []),  # tuple items: any position
        ("(has pair true)", ["impossible-value"]),
        ("(has labels.*.name bug)", []),  # $ref to a resource by $id
        ("(has labels.*.name 1)", ["impossible-value"]),
        ("(eq meta.x-one 1)", []),  # patternProperties
        ("(eq meta.other 1)", ["unknown-field"]),
        ("(eq extras.anything true)", []),  # additionalProperties with a schema
        ("(eq extras.anything 1)", ["impossible-value"]),
        ("(eq kind push)", []),
        ("(eq kind pull)", ["impossible-value"]),  # const
        ("(gt anything.deep.er 1)", []),  # {} allows anything
        ("(eq self.self.name x)", []),  # a recursive $ref
        ("(gt self.self.name 1)", ["type-mismatch"]),
        ("(eq broken.whatever 1)", []),  # an unresolvable $ref constrains nothing
        ("(eq undeclared 1)", []),  # open object: only a warning
    ],
)
def test_schema_keywords(expression: str, codes: list[str]) -> None:
    assert _codes(expression) == codes


def test_undeclared_fields_of_an_open_schema_are_warnings_when_asked_for() -> None:
    assert _codes("(eq nmae x)") == []
    problems = check_filter("(eq nmae x)", OPEN, warnings=True)
    assert [(p.code, p.severity, p.suggestion) for p in problems] == [
        ("undocumented-field", "warning", "name")
    ]


def test_a_problem_has_a_json_form() -> None:
    [problem] = check_filter("(gt name 1)", OPEN)
    assert problem.to_dict() == {
        "code": "type-mismatch",
        "severity": "error",
        "message": problem.message,
        "path": "name",
        "line": 1,
        "column": 1,
        "suggestion": None,
    }


def test_a_schema_full_of_branches_is_checked_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nested anyOf multiplies alternatives; the view caps them instead of exploding. The
    # work is counted (merges of alternatives), not timed, so a loaded machine cannot fail it.
    merges = 0
    real_merge = schema_view._merge

    def counting_merge(*args: Any) -> Any:
        nonlocal merges
        merges += 1
        return real_merge(*args)

    monkeypatch.setattr(schema_view, "_merge", counting_merge)
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(12):
        schema = {"anyOf": [schema, {"type": "object", "properties": {"x": schema}}]}
    problems = check_filter("(eq x.x.x.x.x.x.x.x 1)", schema)
    assert merges < 20_000
    assert [p.code for p in problems] in ([], ["impossible-value"])
