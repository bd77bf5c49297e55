"""Parsing: what users write is read as they meant it, and every error says where."""

from __future__ import annotations

import time

import pytest
from hookgate.filters import (
    MAX_DEPTH,
    MAX_LENGTH,
    BoolOp,
    FilterSyntaxError,
    Leaf,
    Not,
    compile_filter,
    parse,
)

DESIGN_EXAMPLE = """(and (eq "action" "opened")
     (gt "pull_request.changed_files" 20)
     (not (has-any "pull_request.labels.*.name" ("wip" "do-not-review"))))"""


def test_the_design_doc_example_parses_into_the_tree_it_says() -> None:
    node = parse(DESIGN_EXAMPLE)
    assert isinstance(node, BoolOp)
    assert node.op == "and"
    first, second, third = node.operands
    assert first == Leaf("eq", first.path, ("opened",))
    assert first.path.text == "action"
    assert isinstance(second, Leaf)
    assert (second.op, second.path.segments, second.values) == (
        "gt",
        ("pull_request", "changed_files"),
        (20,),
    )
    assert isinstance(third, Not)
    assert isinstance(third.operand, Leaf)
    assert third.operand.op == "has-any"
    assert third.operand.path.segments == ("pull_request", "labels", "*", "name")
    assert third.operand.values == ("wip", "do-not-review")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('(eq "f" "text")', "text"),
        ("(eq f bare-word)", "bare-word"),
        ("(eq f 42)", 42),
        ("(eq f -7)", -7),
        ("(eq f 2.5)", 2.5),
        ("(eq f 1e3)", 1000.0),
        ("(eq f true)", True),
        ("(eq f false)", False),
        ("(eq f null)", None),
        ('(eq f "true")', "true"),
        ('(eq f "42")', "42"),
        ('(eq f "say \\"hi\\"")', 'say "hi"'),
        ('(eq f "back\\\\slash")', "back\\slash"),
        ('(eq f "(not) a ) paren (")', "(not) a ) paren ("),
        ('(eq f "two\nlines")', "two\nlines"),
        ('(eq f "")', ""),
        ("(eq f héllo)", "héllo"),
    ],
)
def test_literals_are_read_with_their_json_type(text: str, value: object) -> None:
    leaf = parse(text)
    assert isinstance(leaf, Leaf)
    assert leaf.values == (value,)
    assert type(leaf.values[0]) is type(value)


def test_a_bare_word_field_is_the_same_as_a_quoted_one() -> None:
    assert parse("(eq action opened)") == parse('(eq "action" "opened")')


def test_whitespace_and_newlines_between_tokens_do_not_matter() -> None:
    assert parse("\n\t( and\n(eq a 1)\r\n   (eq b 2) )  \n") == parse("(and (eq a 1) (eq b 2))")


def test_equal_trees_compare_types_not_python_equality() -> None:
    # Python says 1 == True; for filters they are different literals.
    assert parse("(eq f 1)") != parse("(eq f true)")
    assert parse("(eq f 0)") != parse("(eq f false)")
    assert parse("(eq f 1)") != parse('(eq f "1")')


def test_spans_point_at_each_node() -> None:
    node = parse('(and\n  (eq "action" "opened"))')
    assert isinstance(node, BoolOp)
    leaf = node.operands[0]
    assert isinstance(leaf, Leaf)
    assert (node.span.line, node.span.column) == (1, 1)
    assert (leaf.span.line, leaf.span.column) == (2, 3)
    assert (leaf.path_span.line, leaf.path_span.column) == (2, 7)


@pytest.mark.parametrize(
    ("text", "fragment", "line", "column", "offending"),
    [
        ('(starts_with "ref" "x")', "did you mean 'starts-with'?", 1, 2, "starts_with"),
        ('(EQ "a" 1)', "did you mean 'eq'?", 1, 2, "EQ"),
        ('(== "a" 1)', "did you mean 'eq'?", 1, 2, "=="),
        ('(has_any "a" ("x"))', "did you mean 'has-any'?", 1, 2, "has_any"),
        ('(eq "a" "b") (eq "c" "d")', "after the end of the filter", 1, 14, "("),
        ('(eq "a" "b") trailing', "after the end of the filter", 1, 14, "trailing"),
        ('(eq "a" "open', "unterminated string", 1, 14, ""),
        ('(and (eq "a" 1)', "is never closed", 1, 16, ""),
        ('(has-any "a" ("x" "y"', "is never closed", 1, 22, ""),
        ('(has-any "a" ())', "needs at least one value", 1, 15, ")"),
        ('(has-all "a" ())', "needs at least one value", 1, 15, ")"),
        ('(has-any "a" "x")', "list of values in parentheses", 1, 14, '"x"'),
        ("(and)", "and needs at least one expression", 1, 5, ")"),
        ("(or)", "or needs at least one expression", 1, 4, ")"),
        ("(not)", "not needs one expression", 1, 5, ")"),
        ("(not (eq a 1) (eq b 2))", "not takes exactly one expression", 1, 15, "("),
        ('(and "a")', "and takes expressions in parentheses", 1, 6, '"a"'),
        ("(eq a)", "expected a value", 1, 6, ")"),
        ("(eq a 1 2)", "unexpected '2', expected ')'", 1, 9, "2"),
        ("(exists a 1)", "takes only a field", 1, 11, "1"),
        ('(gt "n" "20")', "gt compares with a number", 1, 9, '"20"'),
        ("(lt n true)", "lt compares with a number", 1, 7, "true"),
        ("(starts-with ref 1)", "starts-with compares with a string", 1, 18, "1"),
        ("(contains title null)", "contains compares with a string", 1, 17, "null"),
        ("(eq 42 1)", "expected a field path", 1, 5, "42"),
        ("(eq null 1)", "expected a field path", 1, 5, "null"),
        ("(eq a (1))", "a list of values goes with has-all or has-any", 1, 7, "("),
        ('(eq "a..b" 1)', "empty part", 1, 8, "."),
        ('(eq ".a" 1)', "empty part", 1, 6, "."),
        ('(eq "a\\n" 1)', "unknown escape", 1, 7, "\\n"),
        ("(eq a 1e999)", "out of range", 1, 7, "1e999"),
        ("()", "expected an operator", 1, 2, ")"),
        ('("eq" a 1)', "expected an operator", 1, 2, '"eq"'),
        ("", "the filter is empty", 1, 1, ""),
        ("   \n  ", "the filter is empty", 2, 3, ""),
        ("eq a 1", "a filter starts with '('", 1, 1, "eq"),
        (")", "a filter starts with '('", 1, 1, ")"),
        ("\n\n  (and (eq a 1)\n   (foo b))", "unknown operator 'foo'", 4, 5, "foo"),
    ],
)
def test_errors_say_what_and_where(
    text: str, fragment: str, line: int, column: int, offending: str
) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse(text)
    error = caught.value
    assert fragment in error.message
    assert (error.line, error.column, error.text) == (line, column, offending)
    assert f"line {line}, column {column}" in str(error)


def test_render_puts_a_caret_under_the_offending_text() -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse('(and (eq "action" "opened")\n     (starts_with "ref" "x"))')
    lines = caught.value.render().splitlines()
    assert lines[0] == '2 |      (starts_with "ref" "x"))'
    assert lines[1] == "          ^^^^^^^^^^^"
    assert lines[2].startswith("error: unknown operator 'starts_with'; did you mean 'starts-with'?")


def test_render_of_an_error_at_the_end_points_past_the_last_character() -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse('(eq "a" 1')
    first, caret, _ = caught.value.render().splitlines()
    assert caret.index("^") == len(first)


def test_render_of_a_huge_line_shows_a_window_around_the_error() -> None:
    text = "(and " + '(eq "a" 1) ' * 1000 + "(bogus a))"
    with pytest.raises(FilterSyntaxError) as caught:
        parse(text)
    source, caret, _ = caught.value.render().splitlines()
    assert len(source) < 200
    assert source[caret.index("^") :].startswith("bogus")


def test_to_dict_carries_message_position_and_text() -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse("(gt n x)")
    assert caught.value.to_dict() == {
        "message": caught.value.message,
        "line": 1,
        "column": 7,
        "text": "x",
    }


def test_nesting_up_to_the_limit_parses_and_compiles() -> None:
    text = "(not " * (MAX_DEPTH - 1) + "(eq a 1)" + ")" * (MAX_DEPTH - 1)
    flt = compile_filter(text)
    assert flt({"a": 1}) is (MAX_DEPTH % 2 == 1)


def test_nesting_past_the_limit_is_an_error_at_the_paren_that_crosses_it() -> None:
    text = "(and " * MAX_DEPTH + "(eq a 1)" + ")" * MAX_DEPTH
    with pytest.raises(FilterSyntaxError) as caught:
        parse(text)
    assert "nests deeper than 64 levels" in caught.value.message
    assert caught.value.column == len("(and ") * MAX_DEPTH + 1


@pytest.mark.parametrize(
    "hostile",
    [
        "(" * (10 * 1024 * 1024),
        ")" * (10 * 1024 * 1024),
        '"' * (10 * 1024 * 1024),
        "(and " * 5000 + "(eq a 1)" + ")" * 5000,
        "(not " * 10_000,
        '(eq a "' + "\\" * (MAX_LENGTH - 20),
        "(has-any a (" + "x " * (MAX_LENGTH // 2 - 10),
    ],
    ids=["10MB-open", "10MB-close", "10MB-quotes", "deep-and", "deep-not", "backslashes", "list"],
)
def test_hostile_input_fails_fast_with_a_syntax_error(hostile: str) -> None:
    started = time.perf_counter()
    with pytest.raises(FilterSyntaxError):
        parse(hostile)
    assert time.perf_counter() - started < 0.5


def test_an_overlong_filter_names_the_limit() -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse("(" * (MAX_LENGTH + 1))
    assert f"the limit is {MAX_LENGTH:,}" in caught.value.message
