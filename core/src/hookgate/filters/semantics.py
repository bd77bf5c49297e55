"""The meaning of each operator, written plainly.

This is the reference the compiler's generated code must agree with (a
property test checks it) and what :mod:`~hookgate.filters.explain` evaluates.
It is not on the per-event path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from hookgate.filters.ast import FieldPath, Leaf, Node, Not, Scalar
from hookgate.filters.budget import Deadline
from hookgate.filters.membership import Members, holds
from hookgate.filters.paths import is_index

__all__ = [
    "MISSING",
    "Missing",
    "evaluate",
    "evaluate_leaf",
    "is_index",
    "resolve",
    "resolve_traced",
    "step",
    "strict_equal",
]


class Missing:
    """The value of a field the payload does not have (distinct from JSON ``null``)."""

    _instance: Missing | None = None

    def __new__(cls) -> Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<missing>"

    def __bool__(self) -> bool:
        return False


MISSING: Final = Missing()


def resolve(payload: Any, path: FieldPath) -> Any:
    """The value at ``path``, or :data:`MISSING`."""
    return resolve_traced(payload, path)[0]


def resolve_traced(
    payload: Any, path: FieldPath, deadline: Deadline | None = None
) -> tuple[Any, int]:
    """The value at ``path`` and how many segments resolved before it went missing.

    Before the first ``*`` a missing step makes the whole path missing. A ``*``
    needs an array and turns the value into a list; after it each step maps over
    the list, dropping elements that lack the step, so the result is always a
    list (possibly empty).
    """
    if not isinstance(payload, dict):
        # A webhook body is a JSON object; anything else has no fields at all.
        return MISSING, 0
    value: Any = payload
    mapped = False
    for depth, segment in enumerate(path.segments):
        if mapped:
            if deadline is not None:
                deadline.check()  # each mapped step reads up to the whole payload
            value = _map_step(value, segment)
            continue
        if segment == "*":
            if not isinstance(value, list):
                return MISSING, depth
            value, mapped = list(value), True
            continue
        value = step(value, segment)
        if value is MISSING:
            return MISSING, depth
    return value, len(path.segments)


def step(value: Any, segment: str) -> Any:
    """One step of a path: a key of an object, or an index into an array."""
    if isinstance(value, dict):
        return value.get(segment, MISSING)
    if isinstance(value, list) and is_index(segment):
        index = int(segment)
        return value[index] if index < len(value) else MISSING
    return MISSING


def _map_step(values: list[Any], segment: str) -> list[Any]:
    if segment == "*":
        return [item for value in values if isinstance(value, list) for item in value]
    stepped = (step(value, segment) for value in values)
    return [value for value in stepped if value is not MISSING]


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def strict_equal(left: object, right: Scalar) -> bool:
    """JSON equality without Python's coercions: ``1 != True``, ``1 != "1"``, ``1 == 1.0``."""
    if is_number(right):
        return is_number(left) and left == right
    if right is None or isinstance(right, bool):
        return left is right
    return isinstance(left, str) and left == right


def _compare(check: Callable[[Any, Any], bool]) -> Callable[[Any, tuple[Scalar, ...]], bool]:
    return lambda value, lits: is_number(value) and check(value, lits[0])


_OPERATIONS: dict[str, Callable[[Any, tuple[Scalar, ...]], bool]] = {
    "eq": lambda value, lits: strict_equal(value, lits[0]),
    "starts-with": lambda value, lits: isinstance(value, str) and value.startswith(str(lits[0])),
    "contains": lambda value, lits: isinstance(value, str) and str(lits[0]) in value,
    "has": lambda value, lits: isinstance(value, list) and holds(value, lits[0]),
    # A set of the literals keeps these O(items + values), not O(items x values).
    "has-all": lambda value, lits: isinstance(value, list) and Members(lits).holds_all(value),
    "has-any": lambda value, lits: isinstance(value, list) and Members(lits).holds_any(value),
    "gt": _compare(lambda a, b: a > b),
    "gte": _compare(lambda a, b: a >= b),
    "lt": _compare(lambda a, b: a < b),
    "lte": _compare(lambda a, b: a <= b),
    "exists": lambda value, lits: value is not None,
}


def evaluate(node: Node, payload: Any, deadline: Deadline | None = None) -> bool:
    """The filter's result, interpreted (what a dry run uses: it can stop at ``deadline``)."""
    if isinstance(node, Leaf):
        if deadline is not None:
            deadline.check()
        return evaluate_leaf(node, resolve_traced(payload, node.path, deadline)[0])
    if isinstance(node, Not):
        return not evaluate(node.operand, payload, deadline)
    if node.op == "and":
        return all(evaluate(operand, payload, deadline) for operand in node.operands)
    return any(evaluate(operand, payload, deadline) for operand in node.operands)


def evaluate_leaf(leaf: Leaf, value: Any) -> bool:
    """Whether ``leaf`` holds for the resolved ``value``; every operator is false on MISSING."""
    if value is MISSING:
        return False
    return _OPERATIONS[leaf.op](value, leaf.values)
