"""``TriggerIndex``: the same matches as running every filter, from far fewer filters."""

from __future__ import annotations

from typing import Any

import pytest
from hookgate.filters import FilterSyntaxError, TriggerIndex, compile_filter, parse
from hookgate.filters.index import requirements


def test_match_returns_the_ids_whose_filters_match(pull_request: Any) -> None:
    index = TriggerIndex()
    index.add("opened", '(eq "action" "opened")')
    index.add("closed", '(eq "action" "closed")')
    index.add("bug", '(has "pull_request.labels.*.name" "bug")')
    index.add("opened-bug", compile_filter("(and (eq action opened) (has labels.*.name bug))"))
    assert index.match(pull_request) == {"opened", "bug"}
    assert index.match({"action": "closed"}) == {"closed"}
    assert index.match({}) == set()


def test_only_candidates_are_evaluated() -> None:
    index = TriggerIndex()
    for repo in range(1000):
        index.add(f"t{repo}", f'(and (eq "repository.full_name" "org/r{repo}") (eq action opened))')
    index.add("any", '(gt "pull_request.changed_files" 10)')
    event = {"action": "opened", "repository": {"full_name": "org/r7"}}
    assert index.match(event) == {"t7"}
    # The one filter for org/r7 and the one that pins nothing, not all 1001.
    assert index.candidates(event) == 2


def test_an_or_of_equalities_on_one_path_is_indexed() -> None:
    index = TriggerIndex()
    index.add("t", "(or (eq action opened) (eq action reopened))")
    assert index.match({"action": "reopened"}) == {"t"}
    assert index.candidates({"action": "closed"}) == 0


def test_values_of_different_json_types_do_not_collide() -> None:
    index = TriggerIndex()
    index.add("one", "(eq n 1)")
    index.add("true", "(eq n true)")
    index.add("text", '(eq n "1")')
    index.add("null", "(eq n null)")
    assert index.match({"n": 1}) == {"one"}
    assert index.match({"n": 1.0}) == {"one"}
    assert index.match({"n": True}) == {"true"}
    assert index.match({"n": "1"}) == {"text"}
    assert index.match({"n": None}) == {"null"}
    assert index.match({"n": [1]}) == set()


def test_add_replaces_and_remove_forgets() -> None:
    index = TriggerIndex()
    index.add("t", "(eq action opened)")
    index.add("t", "(eq action closed)")
    assert len(index) == 1
    assert index.match({"action": "opened"}) == set()
    assert index.match({"action": "closed"}) == {"t"}
    assert "t" in index
    assert str(index.get("t")) == '(eq "action" "closed")'
    index.remove("t")
    assert "t" not in index
    assert index.match({"action": "closed"}) == set()
    with pytest.raises(KeyError):
        index.remove("t")
    index.discard("t")  # no error
    assert list(index) == []


def test_an_invalid_filter_is_refused_and_leaves_the_index_unchanged() -> None:
    index = TriggerIndex()
    index.add("t", "(eq action opened)")
    with pytest.raises(FilterSyntaxError):
        index.add("t", "(eq action")
    assert index.match({"action": "opened"}) == {"t"}


def test_refiling_after_many_changes_keeps_results() -> None:
    index = TriggerIndex()
    # First filed by "action" (the only path seen), later refiled by the rarer repo path.
    for i in range(300):
        index.add(f"t{i}", f"(and (eq action opened) (eq repo r{i % 30}) (gte n {i}))")
    event = {"action": "opened", "repo": "r3", "n": 1000}
    assert index.match(event) == {f"t{i}" for i in range(3, 300, 30)}
    assert index.candidates(event) == 10
    for i in range(0, 300, 2):
        index.remove(f"t{i}")
    assert index.match(event) == {f"t{i}" for i in range(3, 300, 30)}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("(eq a 1)", {("eq", "a"): {("n", 1)}}),
        (
            "(and (eq a 1) (eq b x) (gt c 1))",
            {("eq", "a"): {("n", 1)}, ("eq", "b"): {("s", "x")}},
        ),
        ("(and (eq a 1) (and (eq b true)))", {("eq", "a"): {("n", 1)}, ("eq", "b"): {("b", True)}}),
        ("(or (eq a 1) (eq a null))", {("eq", "a"): {("n", 1), ("z", None)}}),
        ("(or (eq a 1) (eq b 1))", {}),
        ("(or (and (eq a 1) (eq b 2)) (eq a 3))", {("eq", "a"): {("n", 1), ("n", 3)}}),
        ("(not (eq a 1))", {}),
        ("(eq a.*.b 1)", {}),  # an array never equals a scalar: nothing to look up
        ("(has a.*.b 1)", {("has", "a.*.b"): {("n", 1)}}),
        ("(has-any a (1 x))", {("has", "a"): {("n", 1), ("s", "x")}}),
        ("(has-all a (1 x))", {("has", "a"): {("n", 1)}}),
        ("(or (has a 1) (has-any a (2)))", {("has", "a"): {("n", 1), ("n", 2)}}),
        ("(gt a 1)", {}),
        ("(and (eq a 1) (eq a 2))", {("eq", "a"): {("n", 1)}}),
    ],
)
def test_requirements(expression: str, expected: dict[Any, set[Any]]) -> None:
    assert requirements(parse(expression)) == expected


def test_array_requirements_file_filters_by_label() -> None:
    index = TriggerIndex()
    for i in range(200):
        index.add(f"t{i}", f'(and (eq action opened) (has "labels.*.name" "area/{i}"))')
    index.add("two", '(has-any "labels.*.name" ("area/1" "area/2"))')
    event = {"action": "opened", "labels": [{"name": "area/1"}, {"name": "area/2"}]}
    assert index.match(event) == {"t1", "t2", "two"}
    assert index.candidates(event) == 3  # "two" is filed under both labels, runs once


def test_identical_filters_of_different_triggers_run_once() -> None:
    index = TriggerIndex()
    for i in range(100):
        index.add(f"t{i}", '(gt "pull_request.changed_files" 10)')
    event = {"pull_request": {"changed_files": 11}}
    assert index.match(event) == {f"t{i}" for i in range(100)}
    assert index.candidates(event) == 1
    index.remove("t0")
    assert "t0" not in index.match(event)
    assert len(index.match(event)) == 99
