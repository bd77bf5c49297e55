"""Every operator on every JSON type: strict types, missing fields, null, arrays, wildcards.

Each case runs through the compiled filter and through ``explain`` (which
evaluates the tree plainly), so the two implementations are held to one table.
"""

from __future__ import annotations

from typing import Any

import pytest
from hookgate.filters import MISSING, compile_filter, explain

# One value of every JSON type (and the awkward ones Python conflates).
VALUES: dict[str, Any] = {
    "missing": MISSING,
    "null": None,
    "true": True,
    "false": False,
    "zero": 0,
    "one": 1,
    "one-float": 1.0,
    "int": 42,
    "float": 2.5,
    "negative": -3,
    "empty-string": "",
    "string": "feature/login",
    "numeric-string": "42",
    "empty-array": [],
    "strings": ["bug", "wip"],
    "numbers": [1, 2, 42],
    "mixed": [True, "1", None, 0.0],
    "nested": [["bug"], ["wip"]],
    "objects": [{"name": "bug"}],
    "object": {"name": "bug"},
    "empty-object": {},
}


def _cases(expression: str, true_for: set[str]) -> list[Any]:
    unknown = true_for - VALUES.keys()
    assert not unknown, unknown
    return [
        pytest.param(expression, name, name in true_for, id=f"{expression}-{name}")
        for name in VALUES
    ]


TABLE = [
    *_cases('(eq "f" "bug")', set()),
    *_cases('(eq "f" "feature/login")', {"string"}),
    *_cases('(eq "f" "42")', {"numeric-string"}),
    *_cases('(eq "f" "")', {"empty-string"}),
    *_cases('(eq "f" 42)', {"int"}),
    *_cases('(eq "f" 42.0)', {"int"}),
    *_cases('(eq "f" 1)', {"one", "one-float"}),
    *_cases('(eq "f" 0)', {"zero"}),
    *_cases('(eq "f" 2.5)', {"float"}),
    *_cases('(eq "f" true)', {"true"}),
    *_cases('(eq "f" false)', {"false"}),
    *_cases('(eq "f" null)', {"null"}),
    *_cases('(starts-with "f" "feature/")', {"string"}),
    *_cases('(starts-with "f" "")', {"string", "empty-string", "numeric-string"}),
    *_cases('(starts-with "f" "Feature/")', set()),
    *_cases('(contains "f" "login")', {"string"}),
    *_cases('(contains "f" "bug")', set()),
    *_cases('(contains "f" "4")', {"numeric-string"}),
    *_cases('(has "f" "bug")', {"strings"}),
    *_cases('(has "f" 1)', {"numbers"}),
    *_cases('(has "f" true)', {"mixed"}),
    *_cases('(has "f" "1")', {"mixed"}),
    *_cases('(has "f" null)', {"mixed"}),
    *_cases('(has "f" 0)', {"mixed"}),
    *_cases('(has "f" false)', set()),
    *_cases('(has-all "f" ("bug" "wip"))', {"strings"}),
    *_cases('(has-all "f" ("bug" "nope"))', set()),
    *_cases('(has-all "f" (1 42))', {"numbers"}),
    *_cases('(has-any "f" ("nope" "wip"))', {"strings"}),
    *_cases('(has-any "f" (false 2))', {"numbers"}),
    *_cases('(has-any "f" (false "x"))', set()),
    *_cases('(gt "f" 1)', {"int", "float"}),
    *_cases('(gt "f" 0)', {"one", "one-float", "int", "float"}),
    *_cases('(gte "f" 1)', {"one", "one-float", "int", "float"}),
    *_cases('(lt "f" 1)', {"zero", "negative"}),
    *_cases('(lte "f" 1)', {"zero", "one", "one-float", "negative"}),
    *_cases('(lte "f" -3.5)', set()),
    *_cases('(exists "f")', VALUES.keys() - {"missing", "null"}),
    *_cases('(not (exists "f"))', {"missing", "null"}),
    *_cases('(not (eq "f" "bug"))', set(VALUES)),
    *_cases('(not (gt "f" 1))', VALUES.keys() - {"int", "float"}),
]


@pytest.mark.parametrize(("expression", "name", "expected"), TABLE)
def test_operator_on_value(expression: str, name: str, expected: bool) -> None:
    value = VALUES[name]
    payload = {} if value is MISSING else {"f": value}
    assert compile_filter(expression)(payload) is expected
    assert explain(expression, payload).matched is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("pull_request.labels.*.name", ["bug"]),
        ("pull_request.labels.0.name", "bug"),
        ("pull_request.labels.1.name", None),
        ("pull_request.requested_reviewers", []),
        ("pull_request.requested_reviewers.*.login", []),
        ("repository.topics.*", []),
        ("pull_request.user.login", "Codertocat"),
        ("pull_request.title.*", None),
        ("pull_request.nope", None),
    ],
)
def test_paths_in_a_real_pull_request(pull_request: Any, path: str, expected: Any) -> None:
    has_value = compile_filter(f'(exists "{path}")')
    if expected is None:
        assert not has_value(pull_request)
    elif isinstance(expected, list):
        assert has_value(pull_request)
        assert compile_filter(f'(eq "{path}" 0)')(pull_request) is False  # an array is no number
        for item in expected:
            assert compile_filter(f'(has "{path}" "{item}")')(pull_request)
    else:
        assert compile_filter(f'(eq "{path}" "{expected}")')(pull_request)


WILDCARDS = {
    "items": [
        {"name": "a", "tags": ["x", "y"], "sub": [{"id": 1}, {"id": 2}]},
        {"name": "b", "tags": ["z"], "sub": [{"id": 3}, {"other": 4}]},
        {"tags": "not-a-list", "sub": {"id": 9}},
        "a scalar",
        None,
    ],
    "scalars": ["x", 1, True],
    "nested": [[1, 2], [3]],
    "not_a_list": {"name": "a"},
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('(has "items.*.name" "a")', True),
        ('(has-all "items.*.name" ("a" "b"))', True),
        ('(has "items.*.tags.*" "z")', True),  # two wildcards flatten
        ('(has "items.*.tags" "z")', False),  # without the second, items are lists
        ('(has "items.*.sub.*.id" 3)', True),
        ('(has "items.*.sub.*.id" 9)', False),  # .* skips the object that is not a list
        ('(has "items.*.sub.*.id" 4)', False),  # elements without the key are dropped
        ('(has "items.*.sub.1.id" 2)', True),  # an index inside a mapped path
        ('(has "scalars.*" 1)', True),  # .* over scalars yields them as they are
        ('(has "scalars.*" "1")', False),
        ('(has "nested.*" 3)', False),
        ('(has "nested.*.*" 3)', True),
        ('(has "nested.0" 2)', True),
        ('(exists "not_a_list.*")', False),  # .* over an object is missing
        ('(exists "not_a_list.*.name")', False),
        ('(exists "missing.*.name")', False),
        ('(not (has "missing.*.name" "a"))', True),
        ('(exists "scalars.*.name")', True),  # .* always yields an array, here empty
        ('(has-any "scalars.*.name" ("a"))', False),
        ('(eq "items.*.name" "a")', False),  # an array never equals a string
    ],
)
def test_wildcards_map_over_arrays(expression: str, expected: bool) -> None:
    assert compile_filter(expression)(WILDCARDS) is expected
    assert explain(expression, WILDCARDS).matched is expected


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"0": "object key"}, True),  # a digit segment on an object is a key
        ({"x": 1}, False),
    ],
)
def test_digit_segment_on_an_object_reads_the_key(payload: Any, expected: bool) -> None:
    assert compile_filter('(eq "0" "object key")')(payload) is expected


def test_only_ascii_digits_index_an_array() -> None:
    # "²" and "١" are digits to str.isdigit() but not indexes: they are plain keys.
    payload = {"a": ["x", "y"], "b": {"²": "sq"}}
    assert not compile_filter('(exists "a.²")')(payload)
    assert not compile_filter('(exists "a.١")')(payload)
    assert compile_filter('(eq "b.²" "sq")')(payload)
    assert compile_filter('(has "a.*" "y")')(payload)


@pytest.mark.parametrize("payload", [None, [], "text", 42, [{"a": 1}]])
def test_a_payload_that_is_not_an_object_has_no_fields(payload: Any) -> None:
    assert compile_filter('(exists "a")')(payload) is False
    assert compile_filter('(exists "0.a")')(payload) is False
    assert compile_filter('(not (eq "a" 1))')(payload) is True


def test_and_or_short_circuit_like_the_words_say() -> None:
    payload = {"a": 1, "b": 2}
    assert compile_filter("(and (eq a 1) (eq b 2))")(payload)
    assert not compile_filter("(and (eq a 1) (eq b 3))")(payload)
    assert compile_filter("(or (eq a 9) (eq b 2))")(payload)
    assert not compile_filter("(or (eq a 9) (eq b 9))")(payload)
    assert compile_filter("(and (eq a 1))")(payload)
    assert not compile_filter("(or (eq a 2))")(payload)


def test_strings_are_compared_case_sensitively() -> None:
    payload = {"title": "WIP: thing"}
    assert compile_filter('(starts-with "title" "WIP")')(payload)
    assert not compile_filter('(starts-with "title" "wip")')(payload)
    assert not compile_filter('(eq "title" "wip: thing")')(payload)
    assert not compile_filter('(contains "title" "THING")')(payload)


def test_long_value_lists_behave_like_short_ones() -> None:
    many = " ".join(f'"v{i}"' for i in range(50))
    assert compile_filter(f'(has-any "f" ({many} true))')({"f": [True]})
    assert not compile_filter(f'(has-any "f" ({many} 1))')({"f": [True]})
    assert compile_filter(f'(has-all "f" ({many}))')({"f": [f"v{i}" for i in range(50)]})
    assert not compile_filter(f'(has-all "f" ({many} 0))')({"f": [f"v{i}" for i in range(50)]})


def test_the_design_doc_example_on_real_payloads(pull_request: Any) -> None:
    flt = compile_filter(
        '(and (eq "action" "opened") (gt "pull_request.changed_files" 20)'
        ' (not (has-any "pull_request.labels.*.name" ("wip" "do-not-review"))))'
    )
    assert pull_request["pull_request"]["changed_files"] == 1
    assert flt(pull_request) is False
    big = {**pull_request, "pull_request": {**pull_request["pull_request"], "changed_files": 21}}
    assert flt(big) is True
    wip = {**big, "pull_request": {**big["pull_request"], "labels": [{"name": "wip"}]}}
    assert flt(wip) is False
