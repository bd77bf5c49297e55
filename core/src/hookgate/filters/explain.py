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
from hookgate.filters.budget import Deadline
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
# What to_dict() keeps of a large value: strings, entries of arrays and objects, nesting.
_MAX_VALUE_CHARS = 1000
_MAX_VALUE_ITEMS = 100
_MAX_VALUE_DEPTH = 8


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

    @property
    def redacted(self) -> str:
        """The message without anything read from the payload: the condition and its result."""
        return f"{to_text(self.leaf)} is {'true' if self.matched else 'false'}"

    def to_dict(self, *, values: bool = True) -> dict[str, Any]:
        """The JSON form; without ``values``, nothing read from the payload (not even presence)."""
        missing = self.value is MISSING
        return {
            "expression": to_text(self.leaf),
            "path": self.leaf.path.text,
            "missing": missing if values else None,
            "value": None if missing or not values else _bounded(self.value),
            "matched": self.matched,
            "negated": self.negated,
            "message": self.message if values else self.redacted,
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
        return self.render()

    def render(self, *, values: bool = True) -> str:
        """What ``filter test --explain`` prints; without ``values``, nothing from the payload."""
        head = "match" if self.matched else "no match"
        return "\n".join([head, *(f"  {line}" for line in self.reason_lines(values=values))])

    def reason_lines(self, *, values: bool = True) -> list[str]:
        """``line 1, column 25: ...`` per deciding leaf (redacted without ``values``)."""
        return [
            f"line {r.line}, column {r.column}: {r.message if values else r.redacted}"
            for r in self.reasons
        ]

    def to_dict(self, *, values: bool = True) -> dict[str, Any]:
        reasons = [r.to_dict(values=values) for r in self.reasons]
        return {"matched": self.matched, "reasons": reasons}


def explain(filter: Filter | str, payload: Any, *, deadline: Deadline | None = None) -> Explanation:
    """Evaluate ``filter`` on ``payload`` and say which leaves decided the result.

    :raises FilterTooExpensive: when ``deadline`` passes before the explanation is done.
    """
    compiled = compile_filter(filter) if isinstance(filter, str) else filter
    matched, reasons = _Explainer(payload, deadline).evaluate(compiled.node, negated=False)
    return Explanation(matched, tuple(reasons))


class _Explainer:
    def __init__(self, payload: Any, deadline: Deadline | None) -> None:
        self.payload = payload
        self.deadline = deadline

    def evaluate(self, node: Node, *, negated: bool) -> tuple[bool, list[LeafOutcome]]:
        if isinstance(node, Leaf):
            return self.leaf(node, negated=negated)
        if isinstance(node, Not):
            matched, reasons = self.evaluate(node.operand, negated=not negated)
            return not matched, reasons
        return self.boolean(node, negated=negated)

    def leaf(self, node: Leaf, *, negated: bool) -> tuple[bool, list[LeafOutcome]]:
        if self.deadline is not None:
            self.deadline.check()
        value, depth = resolve_traced(self.payload, node.path, self.deadline)
        matched = evaluate_leaf(node, value)
        message = _message(node, value, matched, negated, self.payload, depth)
        return matched, [LeafOutcome(node, matched, negated, value, message)]

    def boolean(self, node: BoolOp, *, negated: bool) -> tuple[bool, list[LeafOutcome]]:
        # `and` stops at the first false operand, `or` at the first true one: that
        # operand alone decided; otherwise every operand did.
        deciding = node.op == "or"
        collected: list[LeafOutcome] = []
        for operand in node.operands:
            matched, reasons = self.evaluate(operand, negated=negated)
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
    text = json.dumps(_preview(value), ensure_ascii=False, default=str)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _bounded(value: Any, depth: int = 0) -> Any:
    # The value as JSON output shows it: whole when small, else its first entries, so
    # explaining a filter on a 2 MB array does not answer with the 2 MB array.
    if isinstance(value, str):
        return value if len(value) <= _MAX_VALUE_CHARS else value[:_MAX_VALUE_CHARS] + "…"
    if depth >= _MAX_VALUE_DEPTH and isinstance(value, list | dict):
        return "…"
    if isinstance(value, list):
        return [_bounded(item, depth + 1) for item in value[:_MAX_VALUE_ITEMS]]
    if isinstance(value, dict):
        items = (
            list(value.items())[:_MAX_VALUE_ITEMS]
            if len(value) > _MAX_VALUE_ITEMS
            else value.items()
        )
        return {k: _bounded(v, depth + 1) for k, v in items}
    return value


def _preview(value: Any, depth: int = 0) -> Any:
    # Enough of a large value to fill the shown text: dumping a 2 MB array to show
    # 80 characters of it would cost more than the whole evaluation.
    if isinstance(value, list):
        return [_preview(item, depth + 1) for item in value[:_MAX_SHOWN]] if depth < 4 else []
    if isinstance(value, dict):
        items = list(value.items())[:_MAX_SHOWN] if len(value) > _MAX_SHOWN else value.items()
        return {k: _preview(v, depth + 1) for k, v in items} if depth < 4 else {}
    if isinstance(value, str) and len(value) > _MAX_SHOWN:
        return value[:_MAX_SHOWN]
    return value
