"""Compile a filter tree into one Python function, once.

The tree becomes the source of a single function whose body is one boolean
expression: ``and``/``or``/``not`` become Python's short-circuit operators and
each leaf becomes inline dictionary look-ups and a type-strict test. Paths that
go through ``*`` get a small generated accessor. Nothing walks the tree per
event, which is what keeps a filter within a small factor of hand-written code.

Only values the tokenizer produced (``str``, ``int``, ``float``, ``bool``,
``None``) are ever written into the source, always through :func:`repr`, so
no expression text can inject code.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from hookgate.filters.ast import FieldPath, Leaf, Node, Not, Scalar, walk_leaves
from hookgate.filters.interpreted import interpreted
from hookgate.filters.membership import Members, holds
from hookgate.filters.parser import parse
from hookgate.filters.printer import to_text
from hookgate.filters.semantics import MISSING, is_index, step

__all__ = ["GENERATE_UP_TO", "Filter", "compile_accessor", "compile_filter"]

Predicate = Callable[[Any], bool]
Accessor = Callable[[Any], Any]

_EMPTY: dict[str, Any] = {}
_NUM = frozenset({int, float})
# Above this many values, has-all/has-any test a set built here (O(items)) instead of
# chaining `in` tests (O(items x values), which is faster for a few values).
_INLINE_VALUES = 8
#: Filters with more leaves than this are built from closures (see :mod:`interpreted`):
#: ``compile()`` of their generated source would cost more than it saves.
GENERATE_UP_TO = 40


class Filter:
    """A compiled filter: call it with a decoded JSON body to get ``True`` or ``False``.

    ``str(filter)`` is the canonical text, which parses back to an equal filter.
    ``fields`` lists the field paths it reads, in order of first use.
    """

    __slots__ = ("_text", "code", "fields", "node", "predicate", "source")

    def __init__(self, node: Node, *, source: str | None = None) -> None:
        self.node = node
        self._text = to_text(node)
        #: The text the filter was compiled from (the canonical text if built from a tree).
        self.source = self._text if source is None else source
        leaves = walk_leaves(node)
        self.fields: tuple[str, ...] = tuple(dict.fromkeys(leaf.path.text for leaf in leaves))
        if len(leaves) > GENERATE_UP_TO:
            #: The generated source ("" for a filter built from closures).
            self.code, self.predicate = "", interpreted(node)
        else:
            self.code, self.predicate = _build(node)

    def __call__(self, payload: Any) -> bool:
        return self.predicate(payload)

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"Filter({to_text(self.node, width=10**9)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filter) and self.node == other.node

    def __hash__(self) -> int:
        return hash(self.node)


def compile_filter(expression: str | Node) -> Filter:
    """Parse (if given text) and compile a filter.

    :raises FilterSyntaxError: when the text is not a valid expression.
    """
    if isinstance(expression, str):
        return Filter(parse(expression), source=expression)
    return Filter(expression)


def compile_accessor(path: FieldPath) -> Accessor:
    """A function returning the value at ``path`` in a payload, or ``MISSING``."""
    gen = _Generator()
    name = gen.accessor(path, check_root=True)
    gen.run(gen.accessors[0])
    accessor: Accessor = gen.namespace[name]
    return accessor


def _build(node: Node) -> tuple[str, Predicate]:
    gen = _Generator()
    body = gen.node(node)
    return gen.source(body, "_filter"), gen.function(body, name="_filter")


class _Generator:
    """Emits Python source for one filter; helpers it needs go into ``namespace``."""

    def __init__(self) -> None:
        self.accessors: list[str] = []
        self.namespace: dict[str, Any] = {
            "__builtins__": {t.__name__: t for t in (type, dict, list, str, int, float, bool)},
            "_M": MISSING,
            "_EMPTY": _EMPTY,
            "_NUM": _NUM,
            "_step": step,
            "_holds": holds,
        }

    def source(self, body: str, name: str) -> str:
        header = f"def {name}(p):\n    d = p if type(p) is dict else _EMPTY\n"
        return "\n".join([*self.accessors, header + f"    return {body}\n"])

    def function(self, body: str, *, name: str) -> Any:
        self.run(self.source(body, name))
        return self.namespace[name]

    def run(self, source: str) -> None:
        code = compile(source, "<hookgate filter>", "exec")
        exec(code, self.namespace)  # noqa: S102 - source built from repr() of literals only

    def node(self, node: Node) -> str:
        if isinstance(node, Leaf):
            return self.leaf(node)
        if isinstance(node, Not):
            return f"not ({self.node(node.operand)})"
        joiner = f" {node.op} "
        return "(" + joiner.join(f"({self.node(o)})" for o in node.operands) + ")"

    # -- paths -------------------------------------------------------------------

    def guarded(self, path: FieldPath) -> tuple[list[str], str]:
        """Guards that walk ``path`` (leaving values in ``v``) and the final getter."""
        if path.has_wildcard:
            return [], f"{self.accessor(path)}(d)"
        return _inline_path(path.segments)

    def accessor(self, path: FieldPath, *, check_root: bool = False) -> str:
        """Define a function returning the value at ``path`` or ``_M``; return its name."""
        name = f"_acc{len(self.accessors)}"
        root = "d if type(d) is dict else _EMPTY" if check_root else "d"
        lines = [f"def {name}(d):", f"    v = {root}"]
        star = path.segments.index("*") if path.has_wildcard else len(path.segments)
        lines.extend(
            _prefix_step(segment, first=i == 0 and not check_root)
            for i, segment in enumerate(path.segments[:star])
        )
        if path.has_wildcard:
            lines.append("    if type(v) is not list: return _M")
            lines.extend(f"    v = {_map_step(segment)}" for segment in path.segments[star + 1 :])
        lines.append("    return v\n")
        self.accessors.append("\n".join(lines))
        return name

    # -- leaves ------------------------------------------------------------------

    def leaf(self, leaf: Leaf) -> str:
        guards, getter = self.guarded(leaf.path)
        test = self.test(leaf, getter)
        return " and ".join([*guards, test])

    def test(self, leaf: Leaf, g: str) -> str:
        op, values = leaf.op, leaf.values
        if op == "eq":
            return _equal(g, values[0])
        if op == "exists":
            return f"(v := {g}) is not None and v is not _M"
        if op in ("gt", "gte", "lt", "lte"):
            symbol = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
            return f"type(v := {g}) in _NUM and v {symbol} {values[0]!r}"
        if op == "starts-with":
            return f"type(v := {g}) is str and v.startswith({values[0]!r})"
        if op == "contains":
            return f"type(v := {g}) is str and {values[0]!r} in v"
        return f"type(v := {g}) is list and {self.membership(op, values)}"

    def membership(self, op: str, values: tuple[Scalar, ...]) -> str:
        if len(values) > _INLINE_VALUES:
            name = f"_values{len(self.namespace)}"
            self.namespace[name] = Members(values)
            method = "holds_all" if op == "has-all" else "holds_any"
            return f"{name}.{method}(v)"
        tests = [_member(value) for value in values]
        return "(" + (" and " if op == "has-all" else " or ").join(tests) + ")"


def _inline_path(segments: tuple[str, ...]) -> tuple[list[str], str]:
    """Guards that walk to the last step (leaving it in ``v``) and the last step's getter."""
    guards: list[str] = []
    current, known_dict = "d", True
    for segment, following in itertools.pairwise(segments):
        get = f"{current}.get({segment!r})" if known_dict else f"_step({current}, {segment!r})"
        if is_index(following):
            # The next step may index a list or read a key of an object: keep both open.
            guards.append(f"(v := {get}) is not None and v is not _M")
            known_dict = False
        else:
            guards.append(f"type(v := {get}) is dict")
            known_dict = True
        current = "v"
    last = segments[-1]
    getter = f"{current}.get({last!r}, _M)" if known_dict else f"_step({current}, {last!r})"
    return guards, getter


def _prefix_step(segment: str, *, first: bool) -> str:
    if is_index(segment):
        return f"    v = _step(v, {segment!r})"
    if first:  # the root is known to be a dict
        return f"    v = v.get({segment!r}, _M)"
    return f"    if type(v) is not dict: return _M\n    v = v.get({segment!r}, _M)"


def _map_step(segment: str) -> str:
    if segment == "*":
        return "[x for e in v if type(e) is list for x in e]"
    if is_index(segment):
        return f"[x for e in v if (x := _step(e, {segment!r})) is not _M]"
    return f"[x for e in v if type(e) is dict and (x := e.get({segment!r}, _M)) is not _M]"


def _needs_strict(value: Scalar) -> bool:
    # Python's == says True == 1 and False == 0.0; the language must not.
    return isinstance(value, bool) or (isinstance(value, int | float) and value in (0, 1))


def _equal(g: str, value: Scalar) -> str:
    if value is None or isinstance(value, bool):
        return f"{g} is {value!r}"
    if _needs_strict(value):
        return f"((v := {g}) == {value!r} and type(v) is not bool)"
    return f"{g} == {value!r}"


def _member(value: Scalar) -> str:
    if _needs_strict(value):
        return f"_holds(v, {value!r})"
    return f"{value!r} in v"
