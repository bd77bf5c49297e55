"""Spellings users bring from the JavaScript tools this language comes from (issue 14)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hookgate.filters import FilterSyntaxError, check_filter, compile_filter, explain, parse
from hookgate.filters.schema_check import lint_filter
from hookgate.filters.tokenizer import WHITESPACE

# -- paths ---------------------------------------------------------------------------


def test_a_bracketed_index_reads_the_array_item(pull_request: Any) -> None:
    assert pull_request["pull_request"]["labels"][0]["name"] == "bug"
    flt = compile_filter('(eq "pull_request.labels[0].name" "bug")')
    assert flt(pull_request)
    assert not compile_filter('(not (eq "pull_request.labels[0].name" "bug"))')(pull_request)
    assert explain(flt, pull_request).matched


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ('(eq "a[0]" 1)', '(eq "a.0" 1)'),
        ("(eq a[0].b 1)", '(eq "a.0.b" 1)'),
        ('(eq "a[1][0]" 1)', '(eq "a.1.0" 1)'),
        ('(has "a[*].b" 1)', '(has "a.*.b" 1)'),
    ],
)
def test_brackets_mean_dots_and_print_as_dots(written: str, canonical: str) -> None:
    assert str(compile_filter(written)) == canonical
    assert parse(written) == parse(canonical)


def test_bracket_and_dot_forms_match_the_same_payloads() -> None:
    assert compile_filter('(eq "a[0]" 1)')({"a": [1]})
    assert compile_filter('(eq "a[0].b" 1)')({"a": [{"b": 1}]})
    assert not compile_filter('(eq "a[0]" 1)')({"a[0]": 1})


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("a[01]", "write [1]"),
        ("a[+1]", "write [1]"),
        ("a[-1]", "negative indexes"),
        ("a[x]", "a key is written after a dot"),
        ("a[]", "write an index such as [0]"),
        ("a[0]b", "a ']' must be followed by '.', '[' or the end"),
        ("a[0", "without its ']'"),
    ],
)
def test_a_bracket_that_is_not_an_index_is_an_error_that_says_how(path: str, expected: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse(f'(eq "{path}" 1)')
    assert expected in caught.value.message


def test_an_index_with_a_leading_zero_is_a_key_not_an_index() -> None:
    flt = compile_filter('(eq "a.01" 2)')
    assert not flt({"a": [1, 2]})
    assert flt({"a": {"01": 2}})
    assert not explain(flt, {"a": [1, 2]}).matched
    assert compile_filter('(eq "a.1" 2)')({"a": [1, 2]})


def test_javascript_length_gets_a_warning_without_a_schema() -> None:
    (problem,) = lint_filter('(gt "pull_request.labels.length" 3)')
    assert (problem.code, problem.severity) == ("js-property", "warning")
    assert problem.suggestion == '(exists "pull_request.labels.3")'


def test_javascript_length_on_a_string_field_is_reported_with_what_works() -> None:
    schema = {"type": "object", "properties": {"title": {"type": "string"}}}
    found = check_filter('(gt "title.length" 3)', schema, warnings=True)
    assert [(p.code, p.severity) for p in found] == [
        ("js-property", "warning"),
        ("type-mismatch", "error"),  # the schema proves it never matches
    ]
    assert "length can't be tested" in found[0].message
    fix = check_filter('(gt "title.length" 0)', schema, warnings=True)[0].suggestion
    assert fix == '(not (eq "title" ""))'
    assert not compile_filter('(gt "title.length" 3)')({"title": "hello"})


def test_javascript_length_on_an_array_suggests_an_index_that_exists() -> None:
    schema = {
        "type": "object",
        "properties": {"labels": {"type": "array", "items": {"type": "object"}}},
    }
    problem = check_filter('(gte "labels.length" 2)', schema, warnings=True)[0]
    assert (problem.code, problem.severity) == ("js-property", "warning")
    assert problem.suggestion == '(exists "labels.1")'
    fix = compile_filter(problem.suggestion)
    assert fix({"labels": [{}, {}]})
    assert not fix({"labels": [{}]})


def test_a_real_field_named_length_is_no_problem() -> None:
    schema = {
        "type": "object",
        "properties": {"video": {"type": "object", "properties": {"length": {"type": "number"}}}},
    }
    assert check_filter('(gt "video.length" 3)', schema, warnings=True) == []


# -- numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "fix"),
    [
        (".5", "write 0.5"),
        ("5.", "write 5,"),
        ("+5", "write 5,"),
        ("0x1F", "write 31"),
        ("007", "write 7"),
        ("-.5", "write -0.5"),
        ("Infinity", "1e308"),
        ("-Infinity", "1e308"),
        ("NaN", '"NaN" in quotes'),
    ],
)
def test_numbers_json_does_not_know_are_refused_with_the_json_spelling(word: str, fix: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse(f'(eq "ratio" {word})')
    assert "is not a JSON number" in caught.value.message
    assert fix in caught.value.message
    assert caught.value.text == word
    with pytest.raises(FilterSyntaxError):
        parse(f'(has-any "ratio" (1 {word}))')


def test_the_suggested_spelling_matches_what_the_user_meant() -> None:
    assert compile_filter('(eq "ratio" 0.5)')({"ratio": 0.5})
    assert compile_filter('(eq "ratio" ".5")')({"ratio": ".5"})  # quoted: the string


@pytest.mark.parametrize(
    ("word", "value"), [("0", 0), ("-0", 0), ("1e3", 1000.0), ("-2.5E-1", -0.25)]
)
def test_json_numbers_are_numbers(word: str, value: float) -> None:
    leaf = parse(f"(eq n {word})")
    assert leaf.values == (value,)  # type: ignore[union-attr]


@pytest.mark.parametrize("word", ["1a2b3c", "v1.2", "-", "x-1", "inf", "1_000"])
def test_words_that_are_not_numbers_stay_strings(word: str) -> None:
    assert parse(f"(eq n {word})").values == (word,)  # type: ignore[union-attr]


# -- whitespace ----------------------------------------------------------------------


def test_a_leading_byte_order_mark_is_skipped() -> None:
    assert compile_filter('\ufeff(eq "a" 1)')({"a": 1})


@pytest.mark.parametrize("char", list(WHITESPACE))
def test_every_documented_whitespace_character_separates_tokens(char: str) -> None:
    assert compile_filter(f"(eq{char}a{char}1)")({"a": 1})


@pytest.mark.parametrize("char", ["\x1c", "\x1d", "\x1e", "\x1f", "\x85"])
def test_information_separators_and_next_line_do_not_split_tokens(char: str) -> None:
    assert parse(f"(eq a{char}b 1)").path.text == f"a{char}b"  # type: ignore[union-attr]


def test_filter_check_warns_about_javascript_properties_without_a_schema() -> None:
    from click.testing import CliRunner
    from hookgate.cli import main

    result = CliRunner().invoke(main, ["filter", "check", '(gt "labels.length" 3)', "--json"])
    assert result.exit_code == 0  # a warning: valid unless --strict
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["code"], problem["suggestion"]) == ("js-property", '(exists "labels.3")')
    strict = CliRunner().invoke(main, ["filter", "check", '(gt "labels.length" 3)', "--strict"])
    assert strict.exit_code == 2
