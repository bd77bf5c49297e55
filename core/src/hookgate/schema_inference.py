"""Infer a JSON Schema from example payloads.

The schema describes what the samples have in common and nothing more: the
JSON types seen at each position (``integer`` when every number was whole,
``number`` otherwise, ``null`` added when a null was seen), the properties of
objects (``required`` lists the keys every object at that position had), and
one merged schema for the items of arrays. It carries no descriptions and no
formats: a format guessed from a few strings would reject the next payload.

Every sample validates against the schema inferred from it (the tests check
this property on arbitrary JSON).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SCHEMA_DIALECT", "Inference", "Shape", "infer_schema", "json_type"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Deeper than this, a position is described as "anything": payloads that deep are
# pathological, and a schema that deep helps no filter.
_MAX_DEPTH = 48
# The order types are listed in, so inferred schemas are stable and readable.
_TYPE_ORDER = ("object", "array", "string", "integer", "number", "boolean", "null")


def json_type(value: Any) -> str:
    """The JSON Schema type name of a JSON value (``integer`` for whole ints, not floats)."""
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


@dataclass
class Shape:
    """What was seen at one position of the samples, merged."""

    types: set[str] = field(default_factory=set)
    #: How many objects were seen here, to tell which keys every one of them had.
    objects: int = 0
    properties: dict[str, Shape] = field(default_factory=dict)
    #: Per property: in how many of those objects it was present.
    present: dict[str, int] = field(default_factory=dict)
    items: Shape | None = None

    def add(self, value: Any, depth: int = 0) -> None:
        kind = json_type(value)
        self.types.add(kind)
        if depth >= _MAX_DEPTH:
            return
        if kind == "object":
            self.objects += 1
            for key, item in value.items():
                self.properties.setdefault(str(key), Shape()).add(item, depth + 1)
                self.present[str(key)] = self.present.get(str(key), 0) + 1
        elif kind == "array":
            for item in value:
                if self.items is None:
                    self.items = Shape()
                self.items.add(item, depth + 1)

    def schema(self, *, closed: bool = False, depth: int = 0) -> dict[str, Any]:
        """This position as JSON Schema; ``closed`` objects forbid unseen keys."""
        if depth >= _MAX_DEPTH or not self.types:
            return {}
        out: dict[str, Any] = {"type": _type_keyword(self.types)}
        if "object" in self.types and depth + 1 < _MAX_DEPTH:
            out["properties"] = {
                key: shape.schema(closed=closed, depth=depth + 1)
                for key, shape in self.properties.items()
            }
            required = [k for k in self.properties if self.present[k] == self.objects]
            if required:
                out["required"] = required
            if closed:
                out["additionalProperties"] = False
        if "array" in self.types and self.items is not None and depth + 1 < _MAX_DEPTH:
            out["items"] = self.items.schema(closed=closed, depth=depth + 1)
        return out


def _type_keyword(types: set[str]) -> str | list[str]:
    kinds = set(types)
    if "number" in kinds:
        kinds.discard("integer")  # a number schema accepts the whole ones too
    ordered = [t for t in _TYPE_ORDER if t in kinds]
    return ordered[0] if len(ordered) == 1 else ordered


class Inference:
    """Samples added one at a time (none is kept), then the schema they have in common."""

    def __init__(self) -> None:
        self.shape = Shape()
        self.samples = 0

    def add(self, sample: Any) -> None:
        self.shape.add(sample)
        self.samples += 1

    def schema(self, *, closed: bool = False) -> dict[str, Any]:
        """See :func:`infer_schema`; :class:`ValueError` when nothing was added."""
        if not self.samples:
            raise ValueError("no samples to infer a schema from")
        return {"$schema": SCHEMA_DIALECT, **self.shape.schema(closed=closed)}


def infer_schema(samples: Iterable[Any], *, closed: bool = False) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) that every one of ``samples`` satisfies.

    With ``closed``, every object forbids properties no sample had: a filter
    naming an unknown field is then refused with a suggestion, at the price of
    payloads with new fields failing validation until the schema is inferred
    again.

    :raises ValueError: when there are no samples.
    """
    inference = Inference()
    for sample in samples:
        inference.add(sample)
    return inference.schema(closed=closed)
