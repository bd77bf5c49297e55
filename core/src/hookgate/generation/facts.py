"""What an event's JSON Schema says about its fields, as lines a model can read.

The schema is read breadth first through :class:`~hookgate.filters.schema_view.SchemaView`,
the same view the filter schema check uses, so ``$ref``, ``allOf``, ``anyOf``
and ``oneOf`` mean the same here as there. Each field becomes a line with its
path (``.*`` for the items of an array), type, description and allowed values.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hookgate.filters.schema_view import Alt, Located, SchemaView, kinds_of

__all__ = ["FieldFact", "SchemaFacts", "bundle_schema", "schema_facts"]

#: Bounds that keep the prompt to a few thousand tokens even for very large schemas.
MAX_FIELDS = 250
MAX_DEPTH = 8
MAX_ENUM = 20
MAX_DESCRIPTION = 160


@dataclass(frozen=True, slots=True)
class FieldFact:
    """One field of the event body as the schema describes it."""

    path: str
    type: str
    description: str = ""
    #: The allowed values (of the field, or of its items for an array), when the schema lists them.
    values: tuple[Any, ...] | None = None

    def render(self) -> str:
        text = f"{self.path}: {self.type}"
        if self.description:
            text += f" — {self.description}"
        if self.values is not None:
            shown = ", ".join(json.dumps(v, ensure_ascii=False) for v in self.values[:MAX_ENUM])
            more = ", …" if len(self.values) > MAX_ENUM else ""
            text += f" (one of {shown}{more})"
        return text


@dataclass(frozen=True, slots=True)
class SchemaFacts:
    """The fields of a schema, top levels first; ``omitted`` counts fields left out."""

    fields: tuple[FieldFact, ...]
    omitted: int = 0

    def render(self) -> str:
        lines = [fact.render() for fact in self.fields]
        if self.omitted:
            lines.append(f"(and {self.omitted} deeper fields not listed)")
        return "\n".join(lines)


def bundle_schema(schema: Mapping[str, Any], resources: Mapping[str, Any] | None) -> dict[str, Any]:
    """``schema`` with the ``resources`` its ``$ref``s point to embedded in ``$defs``.

    A :class:`~hookgate.FilterGenerationRequest` carries one schema document;
    embedding each resource (which keeps its ``$id``) makes that document
    self-contained, the way JSON Schema bundling does.
    """
    bundled = dict(schema)
    if resources:
        defs = dict(bundled.get("$defs") or {})
        defs.update({key: value for key, value in resources.items() if key not in defs})
        bundled["$defs"] = defs
    return bundled


def schema_facts(
    schema: Mapping[str, Any],
    resources: Mapping[str, Any] | None = None,
    *,
    max_fields: int = MAX_FIELDS,
    max_depth: int = MAX_DEPTH,
) -> SchemaFacts:
    """The field paths ``schema`` describes, with types, descriptions and allowed values.

    Read breadth first, so when a big schema exceeds ``max_fields`` the deepest
    fields are the ones left out. ``$ref``, ``allOf``, ``anyOf`` and ``oneOf``
    are followed the way the filter schema check follows them.
    """
    view = SchemaView(schema, {**_embedded(schema), **(resources or {})})
    found: list[tuple[tuple[str, ...], FieldFact]] = []
    omitted = 0
    queue: deque[tuple[tuple[str, ...], list[Alt]]] = deque([((), view.root_alternatives())])
    while queue:
        path, alts = queue.popleft()
        for name, (child_alts, located) in _children(view, alts).items():
            if len(found) >= max_fields:
                omitted += 1
                continue
            child = (*path, name)
            found.append((child, _fact(view, child, child_alts, located)))
            if len(child) < max_depth:
                queue.extend(_nested(view, child, child_alts))
    # Listed in path order so an object's fields sit under it, whatever the reading order.
    return SchemaFacts(tuple(fact for _, fact in sorted(found, key=lambda item: item[0])), omitted)


def _embedded(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Resources bundled into ``$defs`` under their own ``$id`` (see :func:`bundle_schema`)."""
    defs = schema.get("$defs")
    if not isinstance(defs, Mapping):
        return {}
    return {
        str(key): value
        for key, value in defs.items()
        if isinstance(value, Mapping) and isinstance(value.get("$id"), str)
    }


def _children(view: SchemaView, alts: list[Alt]) -> dict[str, tuple[list[Alt], list[Located]]]:
    children: dict[str, tuple[list[Alt], list[Located]]] = {}
    for alt in alts:
        if not alt.allows("object"):
            continue
        for name, located in alt.properties.items():
            # A key holding a dot or space can't be written as a path segment.
            if not name or "." in name or name.strip() != name:
                continue
            child_alts, child_located = children.setdefault(name, ([], []))
            child_alts.extend(view.alternatives_of(located))
            child_located.extend(located)
    return children


def _nested(
    view: SchemaView, path: tuple[str, ...], alts: list[Alt]
) -> list[tuple[tuple[str, ...], list[Alt]]]:
    """Where reading continues below ``path``: its fields, and ``.*`` for array items."""
    nested: list[tuple[tuple[str, ...], list[Alt]]] = []
    objects = [a for a in alts if a.properties and a.allows("object")]
    if objects:
        nested.append((path, objects))
    items = [i for a in alts if a.types is not None and "array" in a.types for i in _items(view, a)]
    item_objects = [i for i in items if i.properties and i.allows("object")]
    if item_objects:
        nested.append(((*path, "*"), item_objects))
    return nested


def _items(view: SchemaView, alt: Alt) -> list[Alt]:
    return view.alternatives_of(alt.items) if alt.items else [Alt()]


def _fact(
    view: SchemaView, path: tuple[str, ...], alts: list[Alt], located: list[Located]
) -> FieldFact:
    kinds = kinds_of(alts)
    type_text = "any JSON value"
    values = _values(alts)
    if kinds is not None:
        names: list[str] = []
        for kind in _ordered(kinds):
            if kind == "array":
                items = [i for a in alts if a.allows("array") for i in _items(view, a)]
                item_kinds = kinds_of(items)
                of = "/".join(_ordered(item_kinds)) if item_kinds else "any"
                names.append(f"array of {of}")
                values = values if values is not None else _values(items)
            else:
                names.append(kind)
        type_text = " or ".join(names)
    return FieldFact(".".join(path), type_text, _description(located), values)


def _ordered(kinds: frozenset[str]) -> list[str]:
    # SchemaView adds "integer" wherever "number" is allowed; saying both is noise.
    shown = kinds - {"integer"} if "number" in kinds else kinds
    order = ("string", "integer", "number", "boolean", "object", "array", "null")
    return sorted(shown, key=order.index)


def _values(alts: list[Alt]) -> tuple[Any, ...] | None:
    if not alts or any(alt.enum is None for alt in alts):
        return None
    seen: list[Any] = []
    for alt in alts:
        seen.extend(v for v in alt.enum or () if not any(_same(v, s) for s in seen))
    return tuple(seen)


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _description(located: list[Located]) -> str:
    for node, _ in located:
        text = node.get("description") if isinstance(node, Mapping) else None
        if isinstance(text, str) and text.strip():
            line = " ".join(text.split())
            return line if len(line) <= MAX_DESCRIPTION else line[: MAX_DESCRIPTION - 1] + "…"
    return ""
