"""The compiled ``Filter``: calling it, its fields, its canonical text."""

from __future__ import annotations

from typing import Any

import pytest
from hookgate.filters import Filter, FilterSyntaxError, compile_filter, parse, to_text

DESIGN_EXAMPLE = (
    '(and (eq "action" "opened") (gt "pull_request.changed_files" 20)'
    ' (not (has-any "pull_request.labels.*.name" ("wip" "do-not-review"))))'
)


def test_compile_filter_returns_a_callable_filter(pull_request: Any) -> None:
    flt = compile_filter('(eq "action" "opened")')
    assert isinstance(flt, Filter)
    assert flt(pull_request) is True
    assert flt({"action": "closed"}) is False


def test_compile_filter_raises_the_syntax_error() -> None:
    with pytest.raises(FilterSyntaxError):
        compile_filter("(eq action)")


def test_fields_lists_each_path_once_in_order_of_use() -> None:
    flt = compile_filter(
        "(or (and (eq action opened) (gt pull_request.changed_files 1))"
        " (and (eq action reopened) (exists pull_request.labels.*.name)))"
    )
    assert flt.fields == ("action", "pull_request.changed_files", "pull_request.labels.*.name")


def test_canonical_text_is_pretty_and_quoted() -> None:
    flt = compile_filter(DESIGN_EXAMPLE.replace('"', ""))
    assert str(flt) == (
        '(and (eq "action" "opened")\n'
        '     (gt "pull_request.changed_files" 20)\n'
        '     (not (has-any "pull_request.labels.*.name" ("wip" "do-not-review"))))'
    )


def test_short_filters_stay_on_one_line() -> None:
    assert str(compile_filter("(and (eq a 1)\n (eq b x))")) == '(and (eq "a" 1) (eq "b" "x"))'


@pytest.mark.parametrize(
    "text",
    [
        DESIGN_EXAMPLE,
        '(eq "f" "say \\"hi\\" \\\\ (ok)")',
        "(eq f 1e+16)",
        "(eq f 0.1)",
        "(eq f -0.0)",
        "(eq f 12345678901234567890)",
        "(has-any f (1 2.5 true false null x))",
        '(or (not (exists "a.0.b")) (starts-with "c.*" "x"))',
        "(and " + " ".join(f'(eq "field{i}" "value number {i}")' for i in range(10)) + ")",
    ],
)
def test_canonical_text_parses_back_to_an_equal_filter(text: str) -> None:
    flt = compile_filter(text)
    again = compile_filter(str(flt))
    assert again == flt
    assert str(again) == str(flt)


def test_equal_filters_hash_equal_and_differ_from_other_filters() -> None:
    assert compile_filter("(eq a 1)") == compile_filter('(eq "a"   1)')
    assert hash(compile_filter("(eq a 1)")) == hash(compile_filter('(eq "a" 1)'))
    assert compile_filter("(eq a 1)") != compile_filter("(eq a 2)")
    assert compile_filter("(eq a 1)") != "(eq a 1)"


def test_repr_and_source() -> None:
    flt = compile_filter("(and (eq a 1)\n     (eq b 2))")
    assert repr(flt) == 'Filter(\'(and (eq "a" 1) (eq "b" 2))\')'
    assert flt.source == "(and (eq a 1)\n     (eq b 2))"


def test_a_filter_can_be_compiled_from_a_tree() -> None:
    node = parse("(has labels bug)")
    flt = compile_filter(node)
    assert flt({"labels": ["bug"]})
    assert flt.source == str(flt) == to_text(node)


def test_to_text_width_controls_line_breaking() -> None:
    node = parse("(and (eq a 1) (eq b 2))")
    assert to_text(node, width=10) == '(and (eq "a" 1)\n     (eq "b" 2))'


def test_generated_code_never_contains_expression_text_unquoted() -> None:
    # A string built to break out of a Python literal stays a plain value.
    sneaky = "x') or __import__('os') or ('"
    flt = compile_filter(f'(eq "{sneaky}" "{sneaky}")')
    assert flt({sneaky: sneaky}) is True
    assert flt({"x": "x"}) is False
    assert "__import__('os') or" not in flt.code.replace(repr(sneaky), "")


def test_a_filter_never_raises_on_odd_json(pull_request: Any) -> None:
    flt = compile_filter(
        "(or (gt a.b 1) (starts-with a.0 x) (has a.*.c 1) (has-all a.b (1 2)) (contains a z))"
    )
    odd: list[Any] = [
        {"a": {"b": "1"}},
        {"a": [None, [], {}]},
        {"a": "string"},
        {"a": [{"c": [1]}, {"c": 1}]},
        {"a": {"b": [1, [2]]}},
        {"a": float("nan")},
        pull_request,
    ]
    assert [flt(p) for p in odd] == [False, False, False, True, False, False, False]
