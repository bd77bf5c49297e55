"""Property tests: random filters, random payloads, random text."""

from __future__ import annotations

from typing import Any

import pytest
from hookgate.filters import (
    BoolOp,
    FieldPath,
    FilterSyntaxError,
    Leaf,
    Node,
    Not,
    TriggerIndex,
    compile_filter,
    explain,
    parse,
    to_text,
)
from hookgate.filters.interpreted import interpreted
from hookgate.filters.semantics import evaluate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

KEYS = ["a", "b", "c", "0", "1"]
SEGMENTS = [*KEYS, "*"]
SCALARS = st.sampled_from(
    ["x", "y", "", "a b", 'q"uote', "back\\", "1", 0, 1, 1.0, -2, 2.5, True, False, None]
)
STRINGS = st.sampled_from(["x", "y", "", "a b", 'q"uote', "1"])
NUMBERS = st.sampled_from([0, 1, 1.0, -2, 2.5, 10**20])

paths = st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=3).map(
    lambda parts: FieldPath(".".join(parts), tuple(parts))
)


@st.composite
def leaves(draw: st.DrawFn) -> Leaf:
    op = draw(
        st.sampled_from(
            [
                "eq",
                "starts-with",
                "contains",
                "has",
                "has-all",
                "has-any",
                "gt",
                "gte",
                "lt",
                "lte",
                "exists",
            ]
        )
    )
    path = draw(paths)
    if op == "exists":
        values: tuple[Any, ...] = ()
    elif op in ("has-all", "has-any"):
        values = tuple(draw(st.lists(SCALARS, min_size=1, max_size=4)))
    elif op in ("starts-with", "contains"):
        values = (draw(STRINGS),)
    elif op in ("gt", "gte", "lt", "lte"):
        values = (draw(NUMBERS),)
    else:
        values = (draw(SCALARS),)
    return Leaf(op, path, values)


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    bools = st.builds(
        BoolOp,
        st.sampled_from(["and", "or"]),
        st.lists(children, min_size=1, max_size=4).map(tuple),
    )
    return st.one_of(bools, st.builds(Not, children))


filters: st.SearchStrategy[Node] = st.recursive(leaves(), _extend, max_leaves=12)

json_values: st.SearchStrategy[Any] = st.recursive(
    SCALARS | st.integers(-3, 3),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=20,
)
payloads = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=5)

RELAXED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INDEX = settings(RELAXED, max_examples=150)


@RELAXED
@given(filters)
def test_canonical_text_round_trips(node: Node) -> None:
    flt = compile_filter(node)
    again = compile_filter(str(flt))
    assert again == flt
    assert str(again) == str(flt)
    assert parse(to_text(node, width=10**9)) == node  # the one-line form too


@pytest.mark.slow
@RELAXED
@given(filters, payloads)
def test_compiled_code_agrees_with_the_plain_evaluation(node: Node, payload: Any) -> None:
    assert compile_filter(node)(payload) is explain(compile_filter(node), payload).matched


@RELAXED
@given(filters, payloads)
def test_large_filters_built_from_closures_agree_with_generated_code(
    node: Node, payload: Any
) -> None:
    # Filters over GENERATE_UP_TO leaves are built from closures, not generated code.
    assert interpreted(node)(payload) is compile_filter(node)(payload)
    assert evaluate(node, payload) is compile_filter(node)(payload)


# "[" starts a bracketed index (labels[0]), so no key written in a path holds one.
odd_segments = st.text(
    st.characters(blacklist_characters='."\\[', blacklist_categories=("Cs",)),
    min_size=1,
    max_size=3,
)
odd_paths = st.lists(st.one_of(st.sampled_from(SEGMENTS), odd_segments), min_size=1, max_size=4)


@RELAXED
@given(odd_paths, st.sampled_from(["exists", "eq", "has"]), payloads)
def test_any_path_compiles_and_agrees_with_the_plain_evaluation(
    parts: list[str], op: str, payload: Any
) -> None:
    path = FieldPath(".".join(parts), tuple(parts))
    node = Leaf(op, path, () if op == "exists" else ("x",))
    flt = compile_filter(node)
    assert flt(payload) is explain(flt, payload).matched
    assert parse(str(flt)) == node


@pytest.mark.slow
@INDEX
@given(st.lists(filters, min_size=1, max_size=30), st.lists(payloads, min_size=1, max_size=5))
def test_the_index_matches_exactly_what_brute_force_matches(
    nodes: list[Node], events: list[Any]
) -> None:
    index = TriggerIndex()
    compiled = {f"t{i}": compile_filter(node) for i, node in enumerate(nodes)}
    for trigger_id, flt in compiled.items():
        index.add(trigger_id, flt)
    for trigger_id in list(compiled)[::3]:
        index.remove(trigger_id)
        del compiled[trigger_id]
    for event in events:
        assert index.match(event) == {t for t, flt in compiled.items() if flt(event)}


@st.composite
def indexable_filters(draw: st.DrawFn) -> Node:
    """Filters that pin fields with eq, the shape the index is built for."""
    pins = draw(
        st.lists(
            st.builds(
                Leaf,
                st.just("eq"),
                paths.filter(lambda p: not p.has_wildcard),
                SCALARS.map(lambda v: (v,)),
            ),
            min_size=1,
            max_size=3,
        )
    )
    rest = draw(st.lists(filters, max_size=2))
    return BoolOp("and", (*pins, *rest))


@pytest.mark.slow
@INDEX
@given(st.lists(indexable_filters(), min_size=1, max_size=40), st.lists(payloads, max_size=5))
def test_the_index_matches_brute_force_on_pinned_filters(
    nodes: list[Node], events: list[Any]
) -> None:
    index = TriggerIndex()
    compiled = [compile_filter(node) for node in nodes]
    for i, flt in enumerate(compiled):
        index.add(str(i), flt)
    for event in events:
        assert index.match(event) == {str(i) for i, flt in enumerate(compiled) if flt(event)}


TOKENS = st.sampled_from(
    [
        "(",
        ")",
        '"',
        "\\",
        " ",
        "\n",
        "and",
        "or",
        "not",
        "eq",
        "has-any",
        "gt",
        "exists",
        "a.b",
        "*",
        "1",
        "-2.5e3",
        "true",
        "null",
        "x",
        '"s"',
        "..",
        "starts_with",
    ]
)
text_soup = st.lists(TOKENS, max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=200), text_soup))
def test_the_parser_only_ever_raises_filter_syntax_error(text: str) -> None:
    try:
        node = parse(text)
    except FilterSyntaxError as error:
        rendered = error.render()
        line, column = error.line, error.column
    else:
        assert parse(str(compile_filter(node))) == node
        return
    assert line >= 1
    assert column >= 1
    assert f"(line {line}, column {column})" in rendered
