"""``explain``: which leaf decided, and what value it saw."""

from __future__ import annotations

from typing import Any

from hookgate.filters import MISSING, compile_filter, explain

DESIGN_EXAMPLE = (
    '(and (eq "action" "opened")\n'
    '     (gt "pull_request.changed_files" 20)\n'
    '     (not (has-any "pull_request.labels.*.name" ("wip" "do-not-review"))))'
)


def test_a_failed_and_names_the_first_false_leaf_and_its_value(pull_request: Any) -> None:
    result = explain(DESIGN_EXAMPLE, pull_request)
    assert not result.matched
    assert not result
    [reason] = result.reasons
    assert reason.message == '"pull_request.changed_files" is 1, expected > 20'
    assert (reason.line, reason.column) == (2, 6)
    assert reason.value == 1
    assert str(result) == (
        'no match\n  line 2, column 6: "pull_request.changed_files" is 1, expected > 20'
    )


def test_a_leaf_under_not_that_matched_is_reported_as_negated(pull_request: Any) -> None:
    result = explain('(not (has "pull_request.labels.*.name" "bug"))', pull_request)
    [reason] = result.reasons
    assert reason.negated
    assert reason.matched
    assert reason.message == (
        '"pull_request.labels.*.name" is ["bug"], expected not an array holding "bug"'
    )


def test_a_failed_or_reports_every_operand(pull_request: Any) -> None:
    result = explain(
        '(or (eq "action" "closed") (exists "pull_request.nope.x") (gt "pull_request.title" 1))',
        pull_request,
    )
    assert [r.message for r in result.reasons] == [
        '"action" is "opened", expected "closed"',
        '"pull_request.nope.x" is missing ("pull_request" has no field "nope"), '
        "expected a value that is not null",
        '"pull_request.title" is "Update the README with new information." (a string), '
        "expected > 1",
    ]
    assert result.reasons[1].value is MISSING


def test_a_match_lists_the_leaves_that_made_it(pull_request: Any) -> None:
    result = explain(
        '(and (eq "action" "opened") (not (has "pull_request.labels.*.name" "wip")))', pull_request
    )
    assert result.matched
    assert [r.message for r in result.reasons] == [
        '"action" is "opened", as required: "opened"',
        '"pull_request.labels.*.name" is ["bug"], as required: not an array holding "wip"',
    ]


def test_missing_fields_say_where_the_path_broke(pull_request: Any) -> None:
    cases = {
        '(eq "nope" 1)': 'the payload has no field "nope"',
        '(eq "pull_request.labels.5.name" "x")': '"pull_request.labels" has 1 item, no item 5',
        '(has "pull_request.title.*" 1)': '"pull_request.title" is a string, not an array',
        '(eq "pull_request.title.x" 1)': '"pull_request.title" is a string, not an object',
        '(eq "pull_request.merged_by.login" "x")': '"pull_request.merged_by" is null',
    }
    for expression, why in cases.items():
        [reason] = explain(expression, pull_request).reasons
        assert why in reason.message, (expression, reason.message)


def test_type_mismatches_are_spelled_out() -> None:
    [reason] = explain('(eq "n" 42)', {"n": "42"}).reasons
    assert reason.message == '"n" is "42" (a string), expected 42'
    [reason] = explain('(has "tags" "bug")', {"tags": "bug"}).reasons
    assert reason.message == '"tags" is "bug" (a string), expected an array holding "bug"'


def test_has_all_names_the_values_that_are_absent() -> None:
    [reason] = explain('(has-all "tags" ("bug" "p1" "ui"))', {"tags": ["ui"]}).reasons
    assert reason.message == (
        '"tags" is ["ui"], without "bug" "p1", expected an array holding all of ("bug" "p1" "ui")'
    )


def test_long_values_are_shortened() -> None:
    [reason] = explain('(eq "body" "x")', {"body": "y" * 500}).reasons
    assert len(reason.message) < 150
    assert "…" in reason.message


def test_explain_agrees_with_the_compiled_filter(pull_request: Any) -> None:
    flt = compile_filter(DESIGN_EXAMPLE)
    assert explain(flt, pull_request).matched is flt(pull_request)


def test_to_dict_is_json_ready(pull_request: Any) -> None:
    data = explain('(gt "pull_request.changed_files" 20)', pull_request).to_dict()
    assert data == {
        "matched": False,
        "reasons": [
            {
                "expression": '(gt "pull_request.changed_files" 20)',
                "path": "pull_request.changed_files",
                "missing": False,
                "value": 1,
                "matched": False,
                "negated": False,
                "message": '"pull_request.changed_files" is 1, expected > 20',
                "line": 1,
                "column": 1,
            }
        ],
    }
