"""Find the triggers whose filters match an event without running every filter.

Most filters pin a field: ``(and (eq "repository.full_name" "acme/api") ...)``
or ``(has "pull_request.labels.*.name" "bug")``. For each filter the index
derives such *requirements* (a path that must equal one of a few values, or an
array that must hold one of a few values, from leaves a top-level ``and``
needs or that every branch of an ``or`` shares), files the filter under its
most selective one, and on an event reads each filed path once, looks its
value (or the array's items) up, and runs only those candidates plus the few
filters that pin nothing. Identical filters of different triggers run once.

The result is exactly the set of triggers whose filter returns true (a
property test checks it against brute force).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal

from hookgate.filters.ast import BoolOp, FieldPath, Leaf, Node, Scalar, walk_leaves
from hookgate.filters.budget import EventBudget
from hookgate.filters.compiler import Filter, compile_accessor, compile_filter
from hookgate.filters.membership import Key, Members
from hookgate.filters.membership import key as _key

__all__ = ["Requirement", "TriggerIndex", "requirements"]

#: ``("eq", path)``: the value at path is one of the keys; ``("has", path)``: the
#: array at path holds one of them.
Requirement = tuple[Literal["eq", "has"], str]
Requirements = dict[Requirement, frozenset[Key]]
Predicate = Callable[[Any], bool]


def _keys(values: tuple[Scalar, ...]) -> frozenset[Key]:
    return frozenset(k for k in map(_key, values) if k is not None)


def requirements(node: Node) -> Requirements:
    """What must hold of the payload for ``node`` to be true, as index keys."""
    if isinstance(node, Leaf):
        return _leaf_requirements(node)
    if not isinstance(node, BoolOp):
        return {}  # a `not` requires nothing positive
    parts = [requirements(operand) for operand in node.operands]
    return _all_of(parts) if node.op == "and" else _any_of(parts)


def _leaf_requirements(leaf: Leaf) -> Requirements:
    if leaf.op == "eq" and not leaf.path.has_wildcard:
        return {("eq", leaf.path.text): _keys(leaf.values)}
    if leaf.op in ("has", "has-any"):
        return {("has", leaf.path.text): _keys(leaf.values)}
    if leaf.op == "has-all":
        # Every value is needed; any single one is a correct (if looser) requirement.
        return {("has", leaf.path.text): _keys(leaf.values[:1])}
    return {}


def _all_of(parts: list[Requirements]) -> Requirements:
    merged: Requirements = {}
    for part in parts:
        for requirement, keys in part.items():
            # Each set alone is a correct requirement; keep the narrower one.
            if requirement not in merged or len(keys) < len(merged[requirement]):
                merged[requirement] = keys
    return merged


def _any_of(parts: list[Requirements]) -> Requirements:
    shared = set(parts[0]).intersection(*parts[1:])
    return {r: frozenset().union(*(part[r] for part in parts)) for r in shared}


class _Group:
    """The triggers that share one filter: it runs once for all of them."""

    __slots__ = ("filed", "heavy", "ids", "needs", "predicate")

    def __init__(self, flt: Filter) -> None:
        self.predicate: Predicate = flt.predicate
        #: Whether it may read a whole array (a .* or an array test): run last under a budget.
        self.heavy = any(
            leaf.path.has_wildcard or leaf.op in _ARRAY_OPS for leaf in walk_leaves(flt.node)
        )
        self.ids: set[str] = set()
        self.needs = requirements(flt.node)
        self.filed: tuple[Requirement, frozenset[Key]] | None = None


_NONE: Mapping[Filter, _Group] = {}
_ARRAY_OPS = frozenset({"has", "has-all", "has-any"})
# Up to this many items, an array's items are tagged one by one to find candidates.
_SMALL_ARRAY = 64


class _Path:
    """One filed requirement: the path's accessor and the groups under each key."""

    __slots__ = ("_members", "access", "buckets", "holds")

    def __init__(self, requirement: Requirement) -> None:
        mode, text = requirement
        self.holds = mode == "has"
        self.access = compile_accessor(FieldPath(text, tuple(text.split("."))))
        self.buckets: dict[Key, dict[Filter, _Group]] = {}
        self._members: Members | None = None

    def changed(self) -> None:
        """Keys were added or removed: the set test of large arrays is rebuilt when needed."""
        self._members = None

    def candidates(self, payload: Any) -> Mapping[Filter, _Group]:
        value = self.access(payload)
        if not self.holds:
            key = _key(value)
            return self.buckets.get(key, _NONE) if key is not None else _NONE
        if type(value) is not list:
            return _NONE
        found: dict[Filter, _Group] = {}
        for key in self._present(value):
            found.update(self.buckets.get(key, _NONE))  # a group under two keys runs once
        return found

    def _present(self, items: list[Any]) -> set[Key]:
        if len(items) <= _SMALL_ARRAY:  # a few labels: tag each item
            return {k for k in map(_key, items) if k is not None}
        # A large array: look the filed keys up in it at C speed instead.
        if self._members is None:
            self._members = Members(k[1] for k in self.buckets)
        return self._members.present(items)


class TriggerIndex:
    """The filters of one source's triggers, matched against events together.

    ``match(payload)`` returns the same ids as evaluating every filter on the
    payload. Event types are the caller's business: index per source (and
    event type) and check the event type separately.
    """

    def __init__(self) -> None:
        self._filters: dict[str, Filter] = {}
        self._groups: dict[Filter, _Group] = {}
        # How many distinct filters need each (requirement, key): the selectivity estimate.
        self._counts: dict[Requirement, dict[Key, int]] = {}
        self._paths: dict[Requirement, _Path] = {}
        self._unfiled: dict[Filter, _Group] = {}
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
        """Add a trigger's filter, replacing the one already under ``trigger_id``.

        :raises FilterSyntaxError: for invalid text; the index is then unchanged.
        """
        compiled = compile_filter(filter) if isinstance(filter, str) else filter
        self.discard(trigger_id)
        self._filters[trigger_id] = compiled
        group = self._groups.get(compiled)
        if group is None:
            group = self._groups[compiled] = _Group(compiled)
            self._count(group, +1)
            self._file(compiled, group)
            self._changes += 1
        group.ids.add(trigger_id)

    def remove(self, trigger_id: str) -> None:
        """Remove a trigger; :class:`KeyError` if it is not in the index."""
        if trigger_id not in self._filters:
            raise KeyError(trigger_id)
        self.discard(trigger_id)

    def discard(self, trigger_id: str) -> None:
        """Remove a trigger if it is in the index."""
        compiled = self._filters.pop(trigger_id, None)
        if compiled is None:
            return
        group = self._groups[compiled]
        group.ids.discard(trigger_id)
        if not group.ids:
            self._unfile(compiled, group)
            self._count(group, -1)
            del self._groups[compiled]
            self._changes += 1

    def match(self, payload: Any, budget: EventBudget | None = None) -> set[str]:
        """The ids of every trigger whose filter is true for ``payload``.

        With a ``budget``, filters that overrun it are left out and their
        triggers land in ``budget.failed`` with the reason (see
        :class:`~hookgate.filters.budget.EventBudget`).
        """
        if self._changes > max(64, len(self._groups) // 8):
            self._refile()
        if budget is not None:
            return self._match_within(payload, budget)
        matched: set[str] = set()
        for path in self._paths.values():
            for group in path.candidates(payload).values():
                if group.predicate(payload):
                    matched |= group.ids
        for group in self._unfiled.values():
            if group.predicate(payload):
                matched |= group.ids
        return matched

    def _match_within(self, payload: Any, budget: EventBudget) -> set[str]:
        # Light filters first, then whatever may read a whole array: finding the
        # candidates of a "has" path, and the heavy filters, each timed.
        matched: set[str] = set()
        heavy: list[_Group] = []
        light = [
            g for p in self._paths.values() if not p.holds for g in p.candidates(payload).values()
        ]
        for group in [*light, *self._unfiled.values()]:
            if group.heavy:
                heavy.append(group)
            elif budget.spent():
                budget.skip(group.ids)
            elif group.predicate(payload):
                matched |= group.ids
        for path in self._paths.values():
            if path.holds:
                heavy.extend(self._timed_candidates(path, payload, budget))
        for group in heavy:
            if budget.spent():
                budget.skip(group.ids)
                continue
            started = time.perf_counter()
            result = group.predicate(payload)
            took = time.perf_counter() - started
            if took > budget.budget:
                budget.overran(group.ids, took)
            elif result:
                matched |= group.ids
        return matched

    @staticmethod
    def _timed_candidates(path: _Path, payload: Any, budget: EventBudget) -> list[_Group]:
        everyone = {f: g for bucket in path.buckets.values() for f, g in bucket.items()}
        if budget.spent():
            for group in everyone.values():
                budget.skip(group.ids)
            return []
        started = time.perf_counter()
        found = list(path.candidates(payload).values())
        took = time.perf_counter() - started
        if took > budget.budget:
            for group in everyone.values():
                budget.overran(group.ids, took)
            return []
        return found

    def candidates(self, payload: Any) -> int:
        """How many filters ``match`` runs for ``payload`` (for tuning and tests)."""
        filed = sum(len(path.candidates(payload)) for path in self._paths.values())
        return filed + len(self._unfiled)

    # -- filing --------------------------------------------------------------------

    def _count(self, group: _Group, step: int) -> None:
        for requirement, keys in group.needs.items():
            counts = self._counts.setdefault(requirement, {})
            for key in keys:
                counts[key] = counts.get(key, 0) + step
                if not counts[key]:
                    del counts[key]
            if not counts:
                del self._counts[requirement]

    def _file(self, flt: Filter, group: _Group) -> None:
        if not any(group.needs.values()):
            self._unfiled[flt] = group
            return
        requirement = min(
            (r for r, keys in group.needs.items() if keys),
            key=lambda r: (self._estimate(r, group.needs[r]), r),
        )
        keys = group.needs[requirement]
        group.filed = (requirement, keys)
        path = self._paths.get(requirement)
        if path is None:
            path = self._paths[requirement] = _Path(requirement)
        for key in keys:
            path.buckets.setdefault(key, {})[flt] = group
        path.changed()

    def _unfile(self, flt: Filter, group: _Group) -> None:
        if group.filed is None:
            self._unfiled.pop(flt, None)
            return
        requirement, keys = group.filed
        group.filed = None
        path = self._paths[requirement]
        for key in keys:
            bucket = path.buckets[key]
            del bucket[flt]
            if not bucket:
                del path.buckets[key]
        path.changed()
        if not path.buckets:
            del self._paths[requirement]

    def _estimate(self, requirement: Requirement, keys: frozenset[Key]) -> int:
        counts = self._counts.get(requirement, {})
        return sum(counts.get(key, 0) for key in keys)

    def _refile(self) -> None:
        # Early filters were filed before later ones showed which paths are
        # selective; refiling everything now and then keeps buckets small.
        self._paths = {}
        self._unfiled = {}
        for flt, group in self._groups.items():
            self._file(flt, group)
        self._changes = 0
