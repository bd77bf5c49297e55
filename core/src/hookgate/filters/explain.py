"""Say why a payload did or did not match a filter.

Evaluation follows the same short-circuit order as the compiled filter: an
``and`` that fails is explained by its first false operand, an ``or`` that
fails by every operand. The leaves that decided the outcome are reported with
the value they saw, e.g. ``"pull_request.changed_files" is 3, expected > 20``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from hookgate.filters.ast import BoolOp, FieldPath, Leaf, Node, Not, json_type
from hookgate.filters.compiler import Filter, compile_filter
from hookgate.filters.membership import Members
from hookgate.filters.printer import literal, quote, to_text
from hookgate.filters.semantics import (
    MISSING,
    evaluate_leaf,
    resolve,
    resolve_traced,
)

__all__ = ["Explanation", "LeafOutcome", "explain"]

_MAX_SHOWN = 80
# A list of thousands of values is summed up after the first few.
_MAX_LISTED = 10


@dataclass(frozen=True, slots=True)
class LeafOutcome:
    """One leaf that decided the result, with the value it saw."""

    leaf: Leaf
    #: The leaf's own result, before any enclosing ``not``.
    matched: bool
    #: True when an odd number of ``not`` encloses the leaf (it had to be false).
    negated: bool
    #: The value at the leaf's path, or ``MISSING``.
    value: Any
    message: str

    @property
    def line(self) -> int:
        return self.leaf.span.line

    @property
    def column(self) -> int:
        return self.leaf.span.column

    def to_dict(self) -> dict[str, Any]:
        missing = self.value is MISSING
        return {
            "expression": to_text(self.leaf),
            "path": self.leaf.path.text,
            "missing": missing,
            "value": None if missing else self.value,
            "matched": self.matched,
            "negated": self.negated,
            "message": self.message,
            "line": self.line,
            "column": self.column,
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """The result of a filter on one payload and the leaves that decided it."""

    matched: bool
    reasons: tuple[LeafOutcome, ...]

    def __bool__(self) -> bool:
        return self.matched

    def __str__(self) -> str:
        head = "match" if self.matched else "no match"
        lines = [f"  line {r.line}, column {r.column}: {r.message}" for r in self.reasons]
        return "\n".join([head, *lines])

    def to_dict(self) -> dict[str, Any]:
        return {"matched": self.matched, "reasons": [r.to_dict() for r in self.reasons]}


def explain(filter: Filter | str, payload: Any) -> Explanation:
    """Evaluate ``filter`` on ``payload`` and say which leaves decided the result."""
    compiled = compile_filter(filter) if isinstance(filter, str) else filter
    matched, reasons = _evaluate(compiled.node, payload, negated=False)
    return Explanation(matched, tuple(reasons))


def _evaluate(node: Node, payload: Any, *, negated: bool) -> tuple[bool, list[LeafOutcome]]:
    if isinstance(node, Leaf):
        value, depth = resolve_traced(payload, node.path)
        matched = evaluate_leaf(node, value)
        message = _message(node, value, matched, negated, payload, depth)
        return matched, [LeafOutcome(node, matched, negated, value, message)]
    if isinstance(node, Not):
        matched, reasons = _evaluate(node.operand, payload, negated=not negated)
        return not matched, reasons
    return _evaluate_bool(node, payload, negated=negated)


def _evaluate_bool(node: BoolOp, payload: Any, *, negated: bool) -> tuple[bool, list[LeafOutcome]]:
    # `and` stops at the first false operand, `or` at the first true one: that
    # operand alone decided; otherwise every operand did.
    deciding = node.op == "or"
    collected: list[LeafOutcome] = []
    for operand in node.operands:
        matched, reasons = _evaluate(operand, payload, negated=negated)
        if matched is deciding:
            return deciding, reasons
        collected.extend(reasons)
    return not deciding, collected


def _message(leaf: Leaf, value: Any, matched: bool, negated: bool, payload: Any, depth: int) -> str:
    path = quote(leaf.path.text)
    expected = ("not " if negated else "") + _expectation(leaf)
    if value is MISSING:
        return f"{path} is missing ({_why_missing(payload, leaf.path, depth)}), expected {expected}"
    shown = _show(value)
    if matched != negated:
        return f"{path} is {shown}, as required: {expected}"
    note = "" if _type_fits(leaf, value) else f" (a {json_type(value)})"
    if leaf.op == "has-all" and isinstance(value, list) and not negated:
        note = f", without {_listed(Members(leaf.values).absent(value))}"
    return f"{path} is {shown}{note}, expected {expected}"


def _listed(values: tuple[Any, ...] | list[Any]) -> str:
    shown = " ".join(literal(v) for v in values[:_MAX_LISTED])
    more = len(values) - _MAX_LISTED
    return shown + (f" … and {more:,} more" if more > 0 else "")


def _expectation(leaf: Leaf) -> str:
    values = _listed(leaf.values)
    forms = {
        "eq": values,
        "gt": f"> {values}",
        "gte": f">= {values}",
        "lt": f"< {values}",
        "lte": f"<= {values}",
        "starts-with": f"to start with {values}",
        "contains": f"to contain {values}",
        "has": f"an array holding {values}",
        "has-all": f"an array holding all of ({values})",
        "has-any": f"an array holding any of ({values})",
        "exists": "a value that is not null",
    }
    return forms[leaf.op]


def _type_fits(leaf: Leaf, value: Any) -> bool:
    kind = json_type(value)
    if leaf.op == "eq":
        return kind == json_type(leaf.values[0])
    if leaf.op in ("gt", "gte", "lt", "lte"):
        return kind == "number"
    if leaf.op in ("starts-with", "contains"):
        return kind == "string"
    if leaf.op in ("has", "has-all", "has-any"):
        return kind == "array"
    return True


def _why_missing(payload: Any, path: FieldPath, depth: int) -> str:
    if depth == 0 and not isinstance(payload, dict):
        return f"the payload is a {json_type(payload)}, not an object"
    segment = path.segments[depth]
    if depth == 0:
        return f"the payload has no field {quote(segment)}"
    prefix_text = ".".join(path.segments[:depth])
    prefix = resolve(payload, FieldPath(prefix_text, path.segments[:depth]))
    kind = json_type(prefix)
    if segment == "*":
        return f"{quote(prefix_text)} is {_article(kind)}, not an array"
    if kind == "array":
        count = len(prefix)
        return (
            f"{quote(prefix_text)} has {count} item{'' if count == 1 else 's'}, no item {segment}"
        )
    if kind != "object":
        return f"{quote(prefix_text)} is {_article(kind)}, not an object"
    return f"{quote(prefix_text)} has no field {quote(segment)}"


def _article(kind: str) -> str:
    return "null" if kind == "null" else f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"
