"""Find the triggers whose filters match an event without running every filter.

Most filters pin a field to a value: ``(and (eq "repository.full_name" "acme/api")
(eq "action" "opened") ...)``. For each filter the index derives such
*requirements* (paths that must equal one of a few values, from ``eq`` leaves a
top-level ``and`` needs, or an ``or`` whose every branch pins the same path),
files the filter under its most selective one, and on an event reads each
indexed path once, looks the value up, and runs only those candidates' filters,
plus the few filters that pin nothing. The result is exactly the set of
triggers whose filter returns true (a property test checks it against brute
force).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from hookgate.filters.ast import BoolOp, FieldPath, Leaf, Node, Scalar
from hookgate.filters.compiler import Filter, compile_accessor, compile_filter

__all__ = ["TriggerIndex", "requirements"]

#: A value made hashable with its JSON type, so 1, 1.0, true and "1" stay apart.
Key = tuple[str, Scalar]
Requirements = dict[str, frozenset[Key]]
Predicate = Callable[[Any], bool]


def _key(value: Any) -> Key | None:
    kind = type(value)
    if kind is str:
        return ("s", value)
    if kind is int or kind is float:
        return ("n", value)
    if kind is bool:
        return ("b", value)
    if value is None:
        return ("z", None)
    return None  # arrays, objects and a missing field pin nothing


def requirements(node: Node) -> Requirements:
    """Paths the node needs to hold one of a set of values, for the node to be true."""
    if isinstance(node, Leaf):
        key = _key(node.values[0]) if node.op == "eq" else None
        if key is None or node.path.has_wildcard:
            return {}
        return {node.path.text: frozenset({key})}
    if not isinstance(node, BoolOp):
        return {}  # a `not` requires nothing positive
    parts = [requirements(operand) for operand in node.operands]
    return _all_of(parts) if node.op == "and" else _any_of(parts)


def _all_of(parts: list[Requirements]) -> Requirements:
    merged: Requirements = {}
    for part in parts:
        for path, keys in part.items():
            # Each set alone is a correct requirement; keep the narrower one.
            if path not in merged or len(keys) < len(merged[path]):
                merged[path] = keys
    return merged


def _any_of(parts: list[Requirements]) -> Requirements:
    shared = set(parts[0]).intersection(*parts[1:])
    return {path: frozenset().union(*(part[path] for part in parts)) for path in shared}


class _Path:
    """One indexed path: its compiled accessor and the triggers filed under each value."""

    __slots__ = ("access", "buckets")

    def __init__(self, text: str) -> None:
        self.access = compile_accessor(FieldPath(text, tuple(text.split("."))))
        self.buckets: dict[Key, dict[str, Predicate]] = {}


class TriggerIndex:
    """The filters of one source's triggers, matched against events together.

    ``match(payload)`` returns the same ids as evaluating every filter on the
    payload. Event types are the caller's business: index per source and check
    the event type separately.
    """

    def __init__(self) -> None:
        self._filters: dict[str, Filter] = {}
        self._requirements: dict[str, Requirements] = {}
        self._filed: dict[str, tuple[str, frozenset[Key]] | None] = {}
        # How many filters require each (path, value): the selectivity estimate.
        self._counts: dict[str, dict[Key, int]] = {}
        self._paths: dict[str, _Path] = {}
        self._unindexed: dict[str, Predicate] = {}
        self._changes = 0

    def __len__(self) -> int:
        return len(self._filters)

    def __contains__(self, trigger_id: object) -> bool:
        return trigger_id in self._filters

    def __iter__(self) -> Iterator[str]:
        return iter(self._filters)

    def get(self, trigger_id: str) -> Filter | None:
        return self._filters.get(trigger_id)

    def add(self, trigger_id: str, filter: Filter | str) -> None:
        """Add a trigger's filter, replacing the one already under ``trigger_id``."""
        compiled = compile_filter(filter) if isinstance(filter, str) else filter
        self.discard(trigger_id)
        needs = requirements(compiled.node)
        self._filters[trigger_id] = compiled
        self._requirements[trigger_id] = needs
        for path, keys in needs.items():
            counts = self._counts.setdefault(path, {})
            for key in keys:
                counts[key] = counts.get(key, 0) + 1
        self._file(trigger_id)
        self._changes += 1

    def remove(self, trigger_id: str) -> None:
        """Remove a trigger; :class:`KeyError` if it is not in the index."""
        if trigger_id not in self._filters:
            raise KeyError(trigger_id)
        self.discard(trigger_id)

    def discard(self, trigger_id: str) -> None:
        """Remove a trigger if it is in the index."""
        if trigger_id not in self._filters:
            return
        self._unfile(trigger_id)
        for path, keys in self._requirements.pop(trigger_id).items():
            counts = self._counts[path]
            for key in keys:
                counts[key] -= 1
                if not counts[key]:
                    del counts[key]
            if not counts:
                del self._counts[path]
        del self._filters[trigger_id]
        self._changes += 1

    def match(self, payload: Any) -> set[str]:
        """The ids of every trigger whose filter is true for ``payload``."""
        if self._changes > max(64, len(self._filters) // 8):
            self._refile()
        matched: set[str] = set()
        for path in self._paths.values():
            key = _key(path.access(payload))
            candidates = path.buckets.get(key) if key is not None else None
            if candidates:
                matched.update(k for k, predicate in candidates.items() if predicate(payload))
        matched.update(k for k, predicate in self._unindexed.items() if predicate(payload))
        return matched

    def candidates(self, payload: Any) -> int:
        """How many filters ``match`` would run for ``payload`` (for tuning and tests)."""
        count = len(self._unindexed)
        for path in self._paths.values():
            key = _key(path.access(payload))
            count += len(path.buckets.get(key, ())) if key is not None else 0
        return count

    # -- filing --------------------------------------------------------------------

    def _file(self, trigger_id: str) -> None:
        needs = self._requirements[trigger_id]
        predicate = self._filters[trigger_id].predicate
        if not needs:
            self._filed[trigger_id] = None
            self._unindexed[trigger_id] = predicate
            return
        path_text = min(needs, key=lambda p: (self._estimate(p, needs[p]), p))
        keys = needs[path_text]
        self._filed[trigger_id] = (path_text, keys)
        if path_text not in self._paths:
            self._paths[path_text] = _Path(path_text)
        buckets = self._paths[path_text].buckets
        for key in keys:
            buckets.setdefault(key, {})[trigger_id] = predicate

    def _unfile(self, trigger_id: str) -> None:
        filed = self._filed.pop(trigger_id, None)
        if filed is None:
            self._unindexed.pop(trigger_id, None)
            return
        path_text, keys = filed
        path = self._paths[path_text]
        for key in keys:
            bucket = path.buckets[key]
            del bucket[trigger_id]
            if not bucket:
                del path.buckets[key]
        if not path.buckets:
            del self._paths[path_text]

    def _estimate(self, path: str, keys: frozenset[Key]) -> int:
        counts = self._counts.get(path, {})
        return sum(counts.get(key, 0) for key in keys)

    def _refile(self) -> None:
        # Early filters were filed before later ones showed which paths are
        # selective; refiling everything now and then keeps buckets small.
        for trigger_id in list(self._filed):
            self._unfile(trigger_id)
        for trigger_id in self._filters:
            self._file(trigger_id)
        self._changes = 0
