"""The syntax tree of a filter and the table of operators.

Nodes are frozen and hashable. Positions (:class:`Span`) are kept for error
messages and static-check problems but take no part in equality, so an
expression and its canonical form compare equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TypeAlias

__all__ = [
    "BOOLEAN_OPERATORS",
    "LEAF_OPERATORS",
    "OPERATORS",
    "BoolOp",
    "FieldPath",
    "Leaf",
    "Node",
    "Not",
    "OpKind",
    "OpSpec",
    "Scalar",
    "Span",
    "json_type",
    "walk_leaves",
]

#: A literal value in an expression: what a JSON scalar can be.
Scalar: TypeAlias = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node starts in the expression text (1-based line and column)."""

    offset: int
    line: int
    column: int
    length: int = 1


_NO_SPAN = Span(0, 1, 1, 0)


@dataclass(frozen=True, slots=True)
class FieldPath:
    """A dotted path into the JSON body: ``pull_request.labels.*.name``.

    Segments are kept as written: ``*`` maps over an array, a segment of digits
    indexes an array (or is a key when the value is an object).
    """

    text: str
    segments: tuple[str, ...]

    @property
    def has_wildcard(self) -> bool:
        return "*" in self.segments

    def __str__(self) -> str:
        return self.text


class OpKind(Enum):
    """How many and which arguments an operator takes."""

    BOOLEAN = "boolean"  # one or more expressions: and, or
    NOT = "not"  # exactly one expression
    VALUE = "value"  # a field and one literal
    LIST = "list"  # a field and a non-empty list of literals
    FIELD = "field"  # a field alone


@dataclass(frozen=True, slots=True)
class OpSpec:
    """What one operator accepts; ``value_types`` are JSON type names of its literals."""

    name: str
    kind: OpKind
    value_types: frozenset[str] = frozenset()
    summary: str = ""


_ANY = frozenset({"string", "number", "boolean", "null"})
_NUMBER = frozenset({"number"})
_STRING = frozenset({"string"})

OPERATORS: dict[str, OpSpec] = {
    spec.name: spec
    for spec in (
        OpSpec("and", OpKind.BOOLEAN, summary="every operand is true"),
        OpSpec("or", OpKind.BOOLEAN, summary="at least one operand is true"),
        OpSpec("not", OpKind.NOT, summary="the operand is false"),
        OpSpec("eq", OpKind.VALUE, _ANY, "the field equals the value, same JSON type"),
        OpSpec("starts-with", OpKind.VALUE, _STRING, "the string field starts with the value"),
        OpSpec("contains", OpKind.VALUE, _STRING, "the string field contains the value"),
        OpSpec("has", OpKind.VALUE, _ANY, "the array field holds the value"),
        OpSpec("has-all", OpKind.LIST, _ANY, "the array field holds every value"),
        OpSpec("has-any", OpKind.LIST, _ANY, "the array field holds at least one value"),
        OpSpec("gt", OpKind.VALUE, _NUMBER, "the number field is greater than the value"),
        OpSpec("gte", OpKind.VALUE, _NUMBER, "the number field is at least the value"),
        OpSpec("lt", OpKind.VALUE, _NUMBER, "the number field is less than the value"),
        OpSpec("lte", OpKind.VALUE, _NUMBER, "the number field is at most the value"),
        OpSpec("exists", OpKind.FIELD, summary="the field is present and not null"),
    )
}
BOOLEAN_OPERATORS = frozenset(n for n, s in OPERATORS.items() if s.kind is OpKind.BOOLEAN)
LEAF_OPERATORS = frozenset(
    n for n, s in OPERATORS.items() if s.kind not in (OpKind.BOOLEAN, OpKind.NOT)
)


@dataclass(frozen=True, slots=True)
class Leaf:
    """A test on one field.

    ``values`` holds the literals: none for ``exists``, the list for
    ``has-all``/``has-any``, exactly one for every other operator.
    """

    op: str
    path: FieldPath
    values: tuple[Scalar, ...]
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)
    path_span: Span = field(default=_NO_SPAN, compare=False, repr=False)
    # Python says 1 == True; the language does not, so equality also compares types.
    kinds: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", tuple(json_type(v) for v in self.values))

    @property
    def value(self) -> Scalar:
        """The single literal of a one-value operator."""
        return self.values[0]


@dataclass(frozen=True, slots=True)
class BoolOp:
    """``and`` / ``or`` over one or more operands."""

    op: str
    operands: tuple[Node, ...]
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node
    span: Span = field(default=_NO_SPAN, compare=False, repr=False)


Node: TypeAlias = Leaf | BoolOp | Not


def walk_leaves(node: Node) -> list[Leaf]:
    """Every leaf in evaluation order (iterative: depth is bounded, but cheaply so)."""
    leaves: list[Leaf] = []
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Leaf):
            leaves.append(current)
        elif isinstance(current, Not):
            stack.append(current.operand)
        else:
            stack.extend(reversed(current.operands))
    return leaves


def json_type(value: object) -> str:
    """The JSON type name of a decoded JSON value (``bool`` is not a number)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__
