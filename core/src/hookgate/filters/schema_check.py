"""Check a filter against an event's JSON Schema before it ever runs.

Reports what the schema proves can never work: a field the schema forbids
(with the closest declared name), an operator on a field of the wrong type, a
value the field can't hold, ``.*`` over something that is not an array. A
field the schema neither declares nor forbids is a warning: open schemas allow
it, but it is often a typo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hookgate.filters.ast import Leaf, Node, Scalar, Span, json_type, walk_leaves
from hookgate.filters.budget import Deadline
from hookgate.filters.compiler import Filter
from hookgate.filters.js_properties import JS_PROPERTIES, js_property_fix
from hookgate.filters.membership import Key, key
from hookgate.filters.parser import parse
from hookgate.filters.printer import literal, quote, to_text
from hookgate.filters.schema_view import Alt, Located, SchemaView, kinds_of
from hookgate.filters.semantics import is_index
from hookgate.filters.suggest import closest

__all__ = ["Problem", "check_filter", "lint_filter"]

Severity = Literal["error", "warning"]
_NUMERIC = ("gt", "gte", "lt", "lte")
_STRING_OPS = ("starts-with", "contains")
_ARRAY_OPS = ("has", "has-all", "has-any")
_MAX_VALUE_PROBLEMS = 10


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing the schema says is wrong with a filter.

    ``code`` is one of ``unknown-field``, ``undocumented-field``,
    ``type-mismatch``, ``impossible-value``, ``not-an-array``, ``js-property``.
    """

    code: str
    message: str
    path: str
    line: int
    column: int
    severity: Severity = "error"
    #: A corrected path or value, when one is close enough to guess.
    suggestion: str | None = None

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "suggestion": self.suggestion,
        }


def check_filter(
    filter: Filter | Node | str,
    schema: Mapping[str, Any],
    *,
    resources: Mapping[str, Any] | None = None,
    warnings: bool = False,
    deadline: Deadline | None = None,
) -> list[Problem]:
    """Problems of ``filter`` against ``schema`` (a JSON Schema of the event body).

    ``resources`` are extra schemas that ``$ref`` may point to, keyed by ``$id``.
    An empty list means the schema found nothing wrong. Only errors (what the
    schema proves can never match) are returned unless ``warnings`` is true;
    warnings flag fields an open schema allows but does not describe, which
    are often typos but may be real (``hookgate filter check`` shows them).

    :raises FilterSyntaxError: when given text that does not parse.
    :raises FilterTooExpensive: when ``deadline`` passes first.
    """
    node = _node(filter)
    view = SchemaView(schema, resources)
    problems: list[Problem] = []
    for leaf in walk_leaves(node):
        if deadline is not None:
            deadline.check()
        problems.extend(_check_leaf(view, leaf))
    return [p for p in problems if warnings or p.severity == "error"]


def lint_filter(filter: Filter | Node | str) -> list[Problem]:
    """Warnings that need no schema: JavaScript property names such as ``.length``.

    With a schema, :func:`check_filter` reports these too, as errors where the
    schema proves the value is a string or an array.
    """
    problems = []
    for leaf in walk_leaves(_node(filter)):
        for index, segment in enumerate(leaf.path.segments):
            if index and segment in JS_PROPERTIES:
                problems.append(_js_property(leaf, index, "warning", string=False))
    return problems


def _node(filter: Filter | Node | str) -> Node:
    if isinstance(filter, str):
        return parse(filter)
    return filter.node if isinstance(filter, Filter) else filter


@dataclass
class _Target:
    """What the schema allows at the end of a path; ``mapped`` after a ``*``."""

    alts: list[Alt]
    mapped: bool


def _check_leaf(view: SchemaView, leaf: Leaf) -> list[Problem]:
    problems: list[Problem] = []
    target = _walk(view, leaf, problems)
    if target is not None:
        problems.extend(_check_operator(view, leaf, target))
    return problems


def _walk(view: SchemaView, leaf: Leaf, problems: list[Problem]) -> _Target | None:
    target = _Target(view.root_alternatives(), mapped=False)
    segments = leaf.path.segments
    for index, segment in enumerate(segments):
        prefix = ".".join(segments[:index])
        if segment == "*":
            arrays = [a for a in target.alts if a.allows("array")]
            if not arrays:
                problems.append(_not_an_array(leaf, prefix, target.alts))
                return None
            target = _Target(_union(view, [a.items for a in arrays]), mapped=True)
            continue
        found = _step(view, leaf, target.alts, index, problems)
        if found is None:
            return None
        target = _Target(found, target.mapped)
    return target


def _step(
    view: SchemaView, leaf: Leaf, alts: list[Alt], index: int, problems: list[Problem]
) -> list[Alt] | None:
    segment = leaf.path.segments[index]
    prefix = ".".join(leaf.path.segments[:index])
    declared: list[list[Located]] = []
    extra: list[list[Located]] = []
    if is_index(segment):
        declared.extend(a.items for a in alts if a.allows("array"))
    objects = [a for a in alts if a.allows("object")]
    for alt in objects:
        kind, schemas = alt.lookup(segment)
        (declared if kind == "declared" else extra if kind == "extra" else []).append(schemas)
    if declared:
        return _union(view, declared)
    if (
        index
        and segment in JS_PROPERTIES
        and any(a.allows("string") or a.allows("array") for a in alts)
    ):
        # Besides what the schema proves (below), say what a user coming from JavaScript meant.
        string = not any(a.allows("array") for a in alts)
        problems.append(_js_property(leaf, index, "warning", string=string))
    if not objects and not is_index(segment):
        problems.append(_no_fields(leaf, prefix, segment, alts))
        return None
    names = {name for alt in objects for name in alt.properties}
    problems.append(_unknown_field(leaf, prefix, segment, names, forbidden=not extra))
    return _union(view, extra) if extra else None


def _union(view: SchemaView, located: list[list[Located]]) -> list[Alt]:
    return [alt for schemas in located for alt in view.alternatives_of(schemas)]


def _check_operator(view: SchemaView, leaf: Leaf, target: _Target) -> list[Problem]:
    kinds = kinds_of(target.alts)
    if target.mapped and leaf.op not in (*_ARRAY_OPS, "exists"):
        return [_on_mapped(leaf)]
    if leaf.op in _NUMERIC and kinds is not None and not kinds & {"number", "integer"}:
        return [_wrong_type(leaf, kinds, "a number")]
    if leaf.op in _STRING_OPS and kinds is not None and "string" not in kinds:
        hint = "; use has to test the items of an array" if "array" in kinds else ""
        return [_wrong_type(leaf, kinds, "a string", hint)]
    if leaf.op == "eq":
        return _check_values(leaf, target.alts, kinds)
    if leaf.op in _ARRAY_OPS:
        return _check_array(view, leaf, target, kinds)
    return []


def _check_array(
    view: SchemaView, leaf: Leaf, target: _Target, kinds: frozenset[str] | None
) -> list[Problem]:
    if target.mapped:
        return _check_values(leaf, target.alts, kinds, items=True)
    if kinds is not None and "array" not in kinds:
        hint = "; use contains for a substring" if "string" in kinds else ""
        return [_wrong_type(leaf, kinds, "an array", hint)]
    arrays = [a for a in target.alts if a.allows("array")]
    elements = _union(view, [a.items for a in arrays])
    return _check_values(leaf, elements, kinds_of(elements), items=True)


def _check_values(
    leaf: Leaf, alts: list[Alt], kinds: frozenset[str] | None, *, items: bool = False
) -> list[Problem]:
    problems: list[Problem] = []
    enum = _enum(alts)
    allowed = _enum_keys(enum)
    for value in leaf.values:
        if len(problems) == _MAX_VALUE_PROBLEMS:
            break  # a list of thousands of wrong values needs no thousand messages
        if not _fits(value, kinds):
            problems.append(_impossible_type(leaf, value, kinds or frozenset(), items))
        elif enum is not None and not _in_enum(value, enum, allowed):
            problems.append(_not_in_enum(leaf, value, enum, items))
    return problems


def _enum(alts: list[Alt]) -> tuple[Any, ...] | None:
    if not alts or any(alt.enum is None for alt in alts):
        return None
    return tuple(value for alt in alts for value in alt.enum or ())


def _fits(value: Scalar, kinds: frozenset[str] | None) -> bool:
    if kinds is None:
        return True
    kind = json_type(value)
    if kind == "number":
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        return "number" in kinds or ("integer" in kinds and whole)
    return kind in kinds


def _same(value: Scalar, allowed: Any) -> bool:
    return json_type(value) == json_type(allowed) and value == allowed


def _enum_keys(enum: tuple[Any, ...] | None) -> frozenset[Key] | None:
    keys = [key(v) for v in enum or ()]
    return frozenset(k for k in keys if k is not None) if enum is not None else None


def _in_enum(value: Scalar, enum: tuple[Any, ...], allowed: frozenset[Key] | None) -> bool:
    # A set look-up, so thousands of values against a long enum stay cheap.
    found = key(value)
    if allowed is not None and found in allowed:
        return True
    return any(_same(value, other) for other in enum if key(other) is None)


# -- messages -------------------------------------------------------------------


def _problem(
    code: str,
    leaf: Leaf,
    message: str,
    *,
    at: Span | None = None,
    severity: Severity = "error",
    suggestion: str | None = None,
) -> Problem:
    span = at or leaf.span
    return Problem(code, message, leaf.path.text, span.line, span.column, severity, suggestion)


def _describe(kinds: frozenset[str]) -> str:
    names = sorted(kinds - {"integer"} if "number" in kinds else kinds)
    words = [_article(name) for name in names]
    return " or ".join(words) if words else "never valid"


def _article(kind: str) -> str:
    return "null" if kind == "null" else f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


def _field(prefix: str) -> str:
    return quote(prefix) if prefix else "the payload"


def _not_an_array(leaf: Leaf, prefix: str, alts: list[Alt]) -> Problem:
    kinds = kinds_of(alts) or frozenset()
    return _problem(
        "not-an-array",
        leaf,
        (
            f"{_field(prefix)} is {_describe(kinds)}, not an array, so {quote(prefix + '.*')} "
            "never has a value; remove the .* to test the field itself"
        ),
        at=leaf.path_span,
    )


def _no_fields(leaf: Leaf, prefix: str, segment: str, alts: list[Alt]) -> Problem:
    kinds = kinds_of(alts) or frozenset()
    return _problem(
        "type-mismatch",
        leaf,
        (
            f"{_field(prefix)} is {_describe(kinds)}, which has no fields, so {quote(segment)} "
            f"never exists; test {_field(prefix)} itself"
        ),
        at=leaf.path_span,
    )


def _unknown_field(
    leaf: Leaf, prefix: str, segment: str, names: set[str], *, forbidden: bool
) -> Problem:
    guess = closest(segment, names)
    suggestion = f"{prefix}.{guess}" if guess and prefix else guess
    rest = leaf.path.text[len(prefix) + len(segment) + (1 if prefix else 0) :]
    suggestion = suggestion + rest if suggestion else None
    hint = (
        f"did you mean {quote(suggestion)}?"
        if suggestion
        else ("check the spelling against the event's schema")
    )
    if forbidden:
        message = f"unknown field {quote(segment)} in {_field(prefix)}; {hint}"
        return _problem("unknown-field", leaf, message, at=leaf.path_span, suggestion=suggestion)
    message = (
        f"{quote(leaf.path.text)}: the schema does not describe {quote(segment)} in "
        f"{_field(prefix)}; {hint}"
    )
    return _problem(
        "undocumented-field",
        leaf,
        message,
        at=leaf.path_span,
        severity="warning",
        suggestion=suggestion,
    )


def _js_property(leaf: Leaf, index: int, severity: Severity, *, string: bool) -> Problem:
    advice, fix = js_property_fix(leaf, index, string=string)
    name = leaf.path.segments[index]
    message = (
        f"{quote(leaf.path.text)}: .{name} is a JavaScript property, not a JSON field (a path "
        f"reads JSON fields only); {advice}" + (f". Write {fix}" if fix else "")
    )
    return _problem(
        "js-property", leaf, message, at=leaf.path_span, severity=severity, suggestion=fix
    )


def _on_mapped(leaf: Leaf) -> Problem:
    fix = "has" if leaf.op == "eq" else "has-any"
    return _problem(
        "type-mismatch",
        leaf,
        (
            f"{quote(leaf.path.text)} is an array (.* always makes one), so {leaf.op} is never "
            f"true; use {fix} to test its items"
        ),
    )


def _wrong_type(leaf: Leaf, kinds: frozenset[str], wanted: str, hint: str = "") -> Problem:
    return _problem(
        "type-mismatch",
        leaf,
        (
            f"{leaf.op} needs {wanted}, but {quote(leaf.path.text)} is {_describe(kinds)}, so "
            f"{to_text(leaf)} is never true{hint}"
        ),
    )


def _impossible_type(leaf: Leaf, value: Scalar, kinds: frozenset[str], items: bool) -> Problem:
    holder = "holds items that are" if items else "is"
    hint = ""
    if isinstance(value, str) and kinds & {"number", "integer"} and _numeric(value):
        hint = f"; write {value} without quotes to compare a number"
    elif not isinstance(value, str) and "string" in kinds:
        hint = f"; write {quote(literal(value))} in quotes to compare a string"
    return _problem(
        "impossible-value",
        leaf,
        (
            f"{quote(leaf.path.text)} {holder} {_describe(kinds)}, never {literal(value)} "
            f"({_article(json_type(value))}){hint}"
        ),
    )


def _not_in_enum(leaf: Leaf, value: Scalar, enum: tuple[Any, ...], items: bool) -> Problem:
    allowed = [literal(v) for v in enum if isinstance(v, str | int | float | bool) or v is None]
    shown = ", ".join(allowed[:10]) + (", …" if len(allowed) > 10 else "")
    guess = (
        closest(value, [v for v in enum if isinstance(v, str)]) if isinstance(value, str) else None
    )
    hint = f"; did you mean {quote(guess)}?" if guess else ""
    subject = "items of " + quote(leaf.path.text) if items else quote(leaf.path.text)
    return _problem(
        "impossible-value",
        leaf,
        (f"the schema allows {subject} to be only {shown}, never {literal(value)}{hint}"),
        suggestion=guess,
    )


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
