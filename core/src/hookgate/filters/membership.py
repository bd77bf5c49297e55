"""Whether an array holds some or all of a list of literals, in time proportional to both.

The literals become a set once, at compile time. Python's own equality says
``1 == True == 1.0``, which the language must not, so each value is tagged with
its JSON type first: ``("n", 1)`` and ``("n", 1.0)`` are equal (both numbers),
``("b", True)`` and ``("s", "1")`` are not. A list of strings only (the common
case: label names, repositories) is kept as a plain string set, which C code
tests against an array of strings without a Python-level loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hookgate.filters.ast import Scalar

__all__ = ["Key", "Members", "holds", "key"]

#: A scalar with its JSON type, hashable, so 1, 1.0, true and "1" stay apart.
Key = tuple[str, Scalar]

_TAGS: dict[type, str] = {str: "s", int: "n", float: "n", bool: "b", type(None): "z"}


def key(value: Any) -> Key | None:
    """The tagged key of a JSON scalar; ``None`` for arrays, objects and anything else."""
    tag = _TAGS.get(type(value))
    return (tag, value) if tag is not None else None


def holds(items: list[Any], literal: Any) -> bool:
    """Whether ``items`` holds ``literal`` under the language's strict equality.

    Strict equality implies Python's ``==``, so C's ``in`` rules out most arrays
    at once; only a hit on a number or boolean (where ``1 == True``) is checked
    item by item.
    """
    if literal not in items:
        return False
    kind = _TAGS.get(type(literal))
    if kind == "s" or kind == "z":
        return True  # only a str equals a str, only None equals None
    return any(_TAGS.get(type(item)) == kind and item == literal for item in items)


def _keys(items: Iterable[Any]) -> set[Key]:
    return {(tag, x) for x in items if (tag := _TAGS.get(type(x))) is not None}


class Members:
    """A literal list of ``has-any`` / ``has-all``, ready to test arrays against."""

    __slots__ = ("keys", "strings", "values")

    def __init__(self, values: Iterable[Scalar]) -> None:
        self.values = tuple(values)
        self.keys = frozenset(k for k in map(key, self.values) if k is not None)
        only_strings = all(type(v) is str for v in self.values)
        #: The values when every one is a string, else ``None``.
        self.strings: frozenset[Any] | None = frozenset(self.values) if only_strings else None

    def holds_any(self, items: list[Any]) -> bool:
        """Whether ``items`` holds at least one of the values."""
        if self.strings is not None:
            try:
                # Only a str equals a str, so no tagging is needed; C does the loop.
                return not self.strings.isdisjoint(items)
            except TypeError:  # an unhashable item (an object or array) somewhere
                return any(type(x) is str and x in self.strings for x in items)
        return not self.keys.isdisjoint(_keys(items))

    def holds_all(self, items: list[Any]) -> bool:
        """Whether ``items`` holds every one of the values."""
        if self.strings is not None:
            try:
                return self.strings.issubset(items)
            except TypeError:
                return self.strings <= {x for x in items if type(x) is str}
        return self.keys <= _keys(items)

    def present(self, items: list[Any]) -> set[Key]:
        """The keys of the values ``items`` holds, at C speed for the strings among them."""
        strings = frozenset(v for v in self.values if type(v) is str)
        found: set[Key]
        try:
            found = {("s", v) for v in strings.intersection(items)}
        except TypeError:  # an unhashable item: filter the strings first
            found = {("s", v) for v in strings.intersection(x for x in items if type(x) is str)}
        for value in self.values:
            tagged = key(value)
            if type(value) is not str and tagged is not None and holds(items, value):
                found.add(tagged)
        return found

    def absent(self, items: list[Any]) -> list[Scalar]:
        """The values ``items`` does not hold, in the order written (for explanations)."""
        present = _keys(items)
        return [v for v in self.values if key(v) not in present]
