"""What a filter may cost: linear membership tests and the size budgets (issue 14).

The time bounds here are generous (10x or more above what the code needs on a
loaded machine) and an order of magnitude below what the quadratic code took;
performance figures themselves are in bench/filters.py.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from hookgate.filters import (
    MAX_LEAVES,
    MAX_VALUES,
    MAX_WILDCARDS,
    MAX_WILDCARDS_PER_PATH,
    FilterSyntaxError,
    compile_filter,
    explain,
    parse,
)
from hookgate.filters.membership import Members

WIDE = '(has-any "a" (' + " ".join(f'"v{i}"' for i in range(2000)) + "))"


def _items(count: int) -> dict[str, Any]:
    return {"a": [f"w{i}" for i in range(count)]}


def test_has_any_with_2000_values_over_10000_items_is_linear() -> None:
    # The member reproducer: 13.5 s of server time before (every value against every item).
    started = time.perf_counter()
    flt = compile_filter(WIDE)
    payload = _items(10_000)
    assert not flt(payload)
    explanation = explain(flt, payload)
    assert not explanation.matched
    assert time.perf_counter() - started < 1.0
    assert flt({"a": [*payload["a"], "v1999"]})


def test_the_explanation_of_a_long_list_is_summed_up() -> None:
    (reason,) = explain(WIDE, _items(3)).reasons
    assert "… and 1,990 more" in reason.message
    assert len(reason.message) < 400


def test_has_all_over_many_items_lists_only_the_absent_values() -> None:
    values = " ".join(f'"v{i}"' for i in range(20))
    payload = {"a": [f"v{i}" for i in range(19)] * 500}
    (reason,) = explain(f'(has-all "a" ({values}))', payload).reasons
    assert 'without "v19"' in reason.message


MIXED = (1, 2.5, True, None, "1", "x", 0, False, "y", -3)


@pytest.mark.parametrize(
    ("items", "any_", "all_"),
    [
        ([1.0], True, False),  # 1 = 1.0
        ([True], True, False),  # true is itself, not 1
        (["1"], True, False),
        ([2], False, False),  # nothing equal: 2 is neither 2.5 nor true
        (["true", "null", "2.5"], False, False),
        ([{"a": 1}, [1]], False, False),  # objects and arrays equal no literal
        ([1, 2.5, True, None, "1", "x", 0, False, "y", -3.0], True, True),
        ([1, 2.5, 1, None, "1", "x", 0.0, 0, "y", -3], True, False),  # no true, no false
    ],
)
def test_a_long_mixed_list_keeps_strict_typing(items: list[Any], any_: bool, all_: bool) -> None:
    listed = " ".join(
        "null"
        if v is None
        else str(v).lower()
        if isinstance(v, bool)
        else f'"{v}"'
        if isinstance(v, str)
        else repr(v)
        for v in MIXED
    )
    has_any = compile_filter(f'(has-any "a" ({listed}))')
    has_all = compile_filter(f'(has-all "a" ({listed}))')
    payload = {"a": items}
    assert has_any(payload) is any_ is explain(has_any, payload).matched
    assert has_all(payload) is all_ is explain(has_all, payload).matched
    assert Members(MIXED).holds_any(items) is any_


def test_string_lists_over_arrays_of_objects_still_compare_strictly() -> None:
    members = Members([f"v{i}" for i in range(20)])
    assert members.holds_any([{"v1": 1}, ["v1"], 1, "v3"])
    assert not members.holds_any([{"v1": 1}, ["v1"], 1])
    assert members.holds_all([{"x": 1}, *[f"v{i}" for i in range(20)]])


# -- budgets -------------------------------------------------------------------------


def test_a_path_of_16000_wildcards_is_refused_at_once_naming_the_limit() -> None:
    # The member reproducer: 16.7 s and +122 MB in the schema check before.
    text = '(has "a' + ".*" * 16_000 + '" 1)'
    started = time.perf_counter()
    with pytest.raises(FilterSyntaxError) as caught:
        parse(text)
    assert time.perf_counter() - started < 0.5
    assert "16,000 wildcards" in caught.value.message
    assert f"the limit is {MAX_WILDCARDS_PER_PATH} per path" in caught.value.message


def test_the_wildcard_limit_per_path_is_small_and_exact() -> None:
    ok = '(has "a' + ".*" * MAX_WILDCARDS_PER_PATH + '" 1)'
    assert compile_filter(ok)({"a": [[[[1]]]]})
    with pytest.raises(FilterSyntaxError):
        parse('(has "a' + ".*" * (MAX_WILDCARDS_PER_PATH + 1) + '" 1)')


def test_too_many_wildcards_in_one_filter_names_the_limit_and_the_size() -> None:
    leaves = " ".join('(has "a.*.*" 1)' for _ in range(MAX_WILDCARDS // 2 + 1))
    with pytest.raises(FilterSyntaxError) as caught:
        parse(f"(or {leaves})")
    assert f"has {MAX_WILDCARDS + 2} wildcards (.*)" in caught.value.message
    assert f"the limit is {MAX_WILDCARDS} per filter" in caught.value.message


def test_too_many_conditions_names_the_limit_and_the_size() -> None:
    text = "(or " + " ".join(f'(eq "a" {i})' for i in range(MAX_LEAVES + 10)) + ")"
    with pytest.raises(FilterSyntaxError) as caught:
        parse(text)
    assert f"has {MAX_LEAVES + 10:,} conditions" in caught.value.message
    assert f"the limit is {MAX_LEAVES:,} per filter" in caught.value.message
    assert caught.value.column == text.index(f'(eq "a" {MAX_LEAVES})') + 1


def test_too_many_values_names_the_limit_and_the_filter_size() -> None:
    text = '(has-any "a" (' + " ".join(str(i) for i in range(MAX_VALUES + 1)) + "))"
    with pytest.raises(FilterSyntaxError) as caught:
        parse(text)
    assert f"the limit is {MAX_VALUES:,} per filter" in caught.value.message
    assert f"({len(text):,} characters)" in caught.value.message


def test_values_count_over_every_leaf_of_the_filter() -> None:
    half = " ".join(str(i) for i in range(MAX_VALUES // 2 + 1))
    with pytest.raises(FilterSyntaxError) as caught:
        parse(f'(or (has-any "a" ({half})) (has-any "b" ({half})))')
    assert f"the limit is {MAX_VALUES:,} per filter" in caught.value.message


def test_a_filter_at_every_limit_still_compiles() -> None:
    values = " ".join(str(i) for i in range(MAX_VALUES // MAX_LEAVES))
    leaves = " ".join(f'(has-any "a{i}" ({values}))' for i in range(MAX_LEAVES))
    flt = compile_filter(f"(or {leaves})")
    assert flt({"a7": [3]})


@pytest.mark.parametrize(
    "items",
    [
        [True] * 100,
        [1.0] * 100,
        ["1"] * 100 + [{"x": 1}],
        [False] * 100 + [0],
        [None, *range(2, 102)],
    ],
)
def test_the_index_finds_candidates_in_large_arrays_with_strict_typing(items: list[Any]) -> None:
    from hookgate.filters import TriggerIndex

    index = TriggerIndex()
    texts = ['(has "a" 1)', '(has "a" true)', '(has "a" "1")', '(has "a" 0)', '(has "a" null)']
    texts += ['(has-any "a" (false "x"))', '(has-all "a" (5 6))']
    for text in texts:
        index.add(text, text)
    payload = {"a": items}
    assert index.match(payload) == {t for t in texts if compile_filter(t)(payload)}
