"""What a JSON Schema says about the value at a field path.

The schema is flattened into *alternatives*: each is one possible shape of the
value (its JSON types, properties, array items, enum). ``anyOf``/``oneOf``
add alternatives, ``allOf`` and ``$ref`` intersect them, a nullable type is
just one more type. ``$ref`` resolves against the document itself (``#/...``)
and against extra resources keyed by ``$id``, relative references included.
Anything the view can't follow is treated as "could be anything", so the
static check only reports what the schema really rules out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

__all__ = ["Alt", "Located", "SchemaView"]

#: A schema together with the base URI its relative ``$ref``s resolve against.
Located = tuple[Any, str]

_ALL_TYPES = frozenset({"string", "number", "integer", "boolean", "null", "array", "object"})
# Bounds keep a pathological or cyclic schema from costing more than a moment.
_MAX_DEPTH = 32
_MAX_ALTERNATIVES = 64


@dataclass
class Alt:
    """One possible shape of a value; ``types`` None means any type."""

    types: frozenset[str] | None = None
    properties: dict[str, list[Located]] = field(default_factory=dict)
    patterns: list[tuple[str, Located]] = field(default_factory=list)
    #: Schemas of undeclared properties; ``None``: any allowed; ``False``: forbidden.
    additional: list[Located] | bool | None = None
    items: list[Located] = field(default_factory=list)
    enum: tuple[Any, ...] | None = None

    def allows(self, kind: str) -> bool:
        return self.types is None or kind in self.types

    def lookup(self, name: str) -> tuple[str, list[Located]]:
        """``("declared", schemas)``, ``("extra", schemas)`` or ``("forbidden", [])``."""
        found = list(self.properties.get(name, []))
        found.extend(s for pattern, s in self.patterns if _search(pattern, name))
        if found:
            return "declared", found
        if self.additional is False:
            return "forbidden", []
        if isinstance(self.additional, list):
            return "extra", self.additional
        return "extra", []


def _search(pattern: str, name: str) -> bool:
    try:
        return re.search(pattern, name) is not None
    except re.error:
        return False


def _types(node: Mapping[str, Any]) -> frozenset[str] | None:
    declared = node.get("type")
    if declared is None:
        kinds: set[str] | None = None
    elif isinstance(declared, str):
        kinds = {declared}
    else:
        kinds = {str(t) for t in declared}
    if kinds is not None and node.get("nullable") is True:  # OpenAPI 3.0 spelling
        kinds.add("null")
    if kinds is not None and "number" in kinds:
        kinds.add("integer")  # every integer is a number
    return None if kinds is None else frozenset(kinds & _ALL_TYPES)


def _merge(a: Alt, b: Alt) -> Alt:
    """Both shapes at once (``allOf``): types intersect, declarations add up."""
    if a.types is None or b.types is None:
        types = a.types if b.types is None else b.types
    else:
        types = a.types & b.types
    properties = {k: list(v) for k, v in a.properties.items()}
    for name, schemas in b.properties.items():
        properties.setdefault(name, []).extend(schemas)
    if a.additional is False or b.additional is False:
        additional: list[Located] | bool | None = False
    elif isinstance(a.additional, list) or isinstance(b.additional, list):
        additional = [*_as_list(a.additional), *_as_list(b.additional)]
    else:
        additional = None
    enum = a.enum if b.enum is None else b.enum if a.enum is None else _both(a.enum, b.enum)
    return Alt(types, properties, a.patterns + b.patterns, additional, a.items + b.items, enum)


def _as_list(value: list[Located] | bool | None) -> list[Located]:
    return value if isinstance(value, list) else []


def _both(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(x for x in a if any(x == y and type(x) is type(y) for y in b))


class SchemaView:
    """Navigate a JSON Schema by field path."""

    def __init__(
        self, schema: Mapping[str, Any], resources: Mapping[str, Any] | None = None
    ) -> None:
        self.root = schema
        self.base = str(schema.get("$id", ""))
        self.registry: dict[str, Any] = {}
        for key, resource in (resources or {}).items():
            self.registry[key] = resource
            if isinstance(resource, Mapping) and isinstance(resource.get("$id"), str):
                self.registry.setdefault(resource["$id"], resource)
        self.registry.setdefault(self.base, schema)
        self._memo: dict[tuple[int, str], list[Alt]] = {}
        # Schemas made up here must outlive the memo, which is keyed by id().
        self._made: list[Any] = []

    def alternatives_of(self, located: list[Located]) -> list[Alt]:
        """The shapes a value must have to satisfy every schema in ``located``."""
        result = [Alt()]
        for schema, base in located:
            result = self._intersect(result, self._expand(schema, base, 0))
        return result

    def root_alternatives(self) -> list[Alt]:
        return self._expand(self.root, self.base, 0)

    def _expand(self, node: Any, base: str, depth: int) -> list[Alt]:
        key = (id(node), base)
        if key not in self._memo:
            # A cycle ($ref back to an enclosing schema) reads as "anything" while it is open.
            self._memo[key] = [Alt()]
            self._memo[key] = self._expand_uncached(node, base, depth)
        return self._memo[key]

    def _expand_uncached(self, node: Any, base: str, depth: int) -> list[Alt]:
        if node is False:
            return []
        if not isinstance(node, Mapping) or depth > _MAX_DEPTH:
            return [Alt()]
        own_id = node.get("$id")
        if isinstance(own_id, str):
            # Resources are registered under their $id as written: that is their base URI.
            base = own_id if self.registry.get(own_id) is node else urljoin(base, own_id)
        alts = [self._own(node, base)]
        if isinstance(node.get("$ref"), str):
            target = self._deref(node["$ref"], base)
            if target is not None:
                alts = self._intersect(alts, self._expand(target[0], target[1], depth + 1))
        for sub in node.get("allOf") or ():
            alts = self._intersect(alts, self._expand(sub, base, depth + 1))
        for keyword in ("anyOf", "oneOf"):
            branches = node.get(keyword)
            if branches:
                union = [a for sub in branches for a in self._expand(sub, base, depth + 1)]
                alts = self._intersect(alts, union)
        return [a for a in alts if a.types is None or a.types]

    def _intersect(self, left: list[Alt], right: list[Alt]) -> list[Alt]:
        merged = [_merge(a, b) for a in left for b in right]
        # Past the cap, precision is not worth the cost: treat the value as unknown.
        return merged if len(merged) <= _MAX_ALTERNATIVES else [Alt()]

    def _own(self, node: Mapping[str, Any], base: str) -> Alt:
        properties = {
            str(name): [(sub, base)] for name, sub in (node.get("properties") or {}).items()
        }
        patterns = [(str(p), (s, base)) for p, s in (node.get("patternProperties") or {}).items()]
        extra = node.get("additionalProperties", None)
        additional: list[Located] | bool | None = (
            False if extra is False else [(extra, base)] if isinstance(extra, Mapping) else None
        )
        items = node.get("items")
        if isinstance(items, list):  # tuple form: any of the positions
            self._made.append({"anyOf": items})
            item_list: list[Located] = [(self._made[-1], base)] if items else []
        else:
            item_list = [(items, base)] if items is not None else []
        enum = tuple(node["enum"]) if isinstance(node.get("enum"), list) else None
        if "const" in node:
            enum = (node["const"],)
        return Alt(_types(node), properties, patterns, additional, item_list, enum)

    def _deref(self, ref: str, base: str) -> Located | None:
        uri, fragment = urldefrag(urljoin(base, ref))
        document = self.registry.get(uri) if uri else self.root
        if document is None:
            document = self.registry.get(ref.partition("#")[0])
        if document is None:
            return None
        return _pointer(document, unquote(fragment)), uri or base


def _pointer(document: Any, fragment: str) -> Any:
    node = document
    for raw in fragment.lstrip("/").split("/") if fragment else ():
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isascii() and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return True  # an unresolvable pointer constrains nothing
    return node


def kinds_of(alts: list[Alt]) -> frozenset[str] | None:
    """The JSON types the alternatives allow together; ``None`` when any allows all."""
    kinds: set[str] = set()
    for alt in alts:
        if alt.types is None:
            return None
        kinds |= alt.types
    return frozenset(kinds)
