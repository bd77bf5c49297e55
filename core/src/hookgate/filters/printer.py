"""The canonical text of a filter: quoted, normalised, pretty-printed.

``parse(to_text(node)) == node`` for every tree, and ``to_text`` is idempotent
through a parse, which is what ``hookgate filter fmt`` relies on.
"""

from __future__ import annotations

from hookgate.filters.ast import BoolOp, Leaf, Node, Not, Scalar

__all__ = ["WIDTH", "literal", "quote", "to_text"]

#: Lines longer than this are broken, one operand per line.
WIDTH = 80


def quote(text: str) -> str:
    """A double-quoted string literal of ``text``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def literal(value: Scalar) -> str:
    """The canonical spelling of one literal value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return quote(value)
    # repr keeps every float exact (0.1, 1e+16, -0.0) and the tokenizer reads it back.
    return repr(value)


def to_text(node: Node, *, width: int = WIDTH) -> str:
    """Canonical form: on one line when it fits in ``width``, else one operand per line."""
    return _pretty(node, 0, width)


def _flat(node: Node) -> str:
    if isinstance(node, Leaf):
        return _leaf(node)
    if isinstance(node, Not):
        return f"(not {_flat(node.operand)})"
    return f"({node.op} {' '.join(_flat(o) for o in node.operands)})"


def _leaf(leaf: Leaf) -> str:
    parts = [leaf.op, quote(leaf.path.text)]
    if leaf.op in ("has-all", "has-any"):
        parts.append("(" + " ".join(literal(v) for v in leaf.values) + ")")
    else:
        parts.extend(literal(v) for v in leaf.values)
    return "(" + " ".join(parts) + ")"


def _pretty(node: Node, indent: int, width: int) -> str:
    flat = _flat(node)
    if isinstance(node, Leaf) or indent + len(flat) <= width:
        return flat
    if isinstance(node, Not):
        return f"(not {_pretty(node.operand, indent + 5, width)})"
    return _pretty_bool(node, indent, width)


def _pretty_bool(node: BoolOp, indent: int, width: int) -> str:
    head = f"({node.op} "
    inner = indent + len(head)
    lines = [_pretty(operand, inner, width) for operand in node.operands]
    return head + ("\n" + " " * inner).join(lines) + ")"
