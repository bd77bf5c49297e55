"""A filter as a tree of closures: for filters too large to be worth generating code for.

Python's ``compile()`` costs about a millisecond per few leaves of generated
source, so a filter near the size budget would take a tenth of a second to
compile. Above :data:`~hookgate.filters.compiler.GENERATE_UP_TO` leaves the
filter is built from closures instead: no ``compile()``, proportional to the size of
the filter to build, and a few times slower per event than generated code
(still proportional to the payload: the literal lists are sets built here, once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hookgate.filters.ast import Leaf, Node, Not
from hookgate.filters.membership import Members
from hookgate.filters.semantics import MISSING, evaluate_leaf, resolve

__all__ = ["interpreted"]

Predicate = Callable[[Any], bool]


def interpreted(node: Node) -> Predicate:
    """A predicate equal to the generated one, built without ``compile()``."""
    if isinstance(node, Leaf):
        return _leaf(node)
    if isinstance(node, Not):
        inner = interpreted(node.operand)
        return lambda payload: not inner(payload)
    parts = tuple(interpreted(operand) for operand in node.operands)
    if node.op == "and":
        return lambda payload: all(part(payload) for part in parts)
    return lambda payload: any(part(payload) for part in parts)


def _leaf(leaf: Leaf) -> Predicate:
    path = leaf.path
    if leaf.op in ("has-any", "has-all"):
        members = Members(leaf.values)
        holds = members.holds_any if leaf.op == "has-any" else members.holds_all

        def membership(payload: Any) -> bool:
            value = resolve(payload, path)
            return type(value) is list and holds(value)

        return membership

    def test(payload: Any) -> bool:
        value = resolve(payload, path)
        return value is not MISSING and evaluate_leaf(leaf, value)

    return test
