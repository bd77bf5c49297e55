"""Comparing what a source wants with what the provider has: pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from hookgate.types import RemoteHook, SourceContext, Target

TargetKey = tuple[str, str]


def key(target: Target) -> TargetKey:
    return (target.type, target.name)


def targets_of(raw: Iterable[Mapping[str, Any]]) -> list[Target]:
    """The stored targets of a source, without duplicates, in their order."""
    seen: dict[TargetKey, Target] = {}
    for item in raw:
        target = Target.model_validate(dict(item))
        seen.setdefault(key(target), target)
    return list(seen.values())


def same_url(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def ours(hooks: Iterable[RemoteHook], source: SourceContext) -> list[RemoteHook]:
    """The remote hooks that deliver to this source (same URL): adopted, never duplicated."""
    return [h for h in hooks if same_url(h.url, source.url)]


def pick(candidates: list[RemoteHook], known: set[str]) -> tuple[RemoteHook, list[RemoteHook]]:
    """The hook to keep (one hookgate recorded before, else the first) and the duplicates."""
    keep = next((h for h in candidates if h.remote_id in known), candidates[0])
    return keep, [h for h in candidates if h is not keep]


def drift(hook: RemoteHook, source: SourceContext) -> list[str]:
    """How ``hook`` differs from the source's desired state (events compared as sets)."""
    reasons = []
    if not same_url(hook.url, source.url):
        reasons.append("url")
    if set(hook.events) != set(source.events):
        reasons.append("events")
    if not hook.active:
        reasons.append("inactive")
    reasons.extend(hook.drift)
    return reasons


def expiring(hook: RemoteHook, now: datetime, margin: timedelta) -> bool:
    return hook.expires_at is not None and hook.expires_at - now <= margin


__all__ = ["TargetKey", "drift", "expiring", "key", "ours", "pick", "same_url", "targets_of"]
