"""Presets: named bundles of settings for well-known senders, kept as data.

The bundles live in ``presets.toml`` next to this module so that adding a
sender is a reviewable data change, not code. :class:`CustomSettings` expands
a ``preset`` itself; this module only loads and merges.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

#: Settings that name the same thing in two places; giving one drops the
#: preset's value for the other, so ``--set preset=stripe-like --set event_type_header=X``
#: means "like Stripe, but the event type is in a header".
EXCLUSIVE_PAIRS: tuple[tuple[str, str], ...] = (
    ("event_type_header", "event_type_field"),
    ("delivery_id_header", "delivery_id_field"),
    ("timestamp_header", "timestamp_key"),
)


@dataclass(frozen=True, slots=True)
class Preset:
    """One preset: its name, a one-line description and the settings it fills."""

    name: str
    description: str
    settings: Mapping[str, Any]


@cache
def presets() -> Mapping[str, Preset]:
    """Every preset by name, in file order."""
    text = files("hookgate_custom").joinpath("presets.toml").read_text(encoding="utf-8")
    loaded: dict[str, Preset] = {}
    for name, table in tomllib.loads(text).items():
        values = dict(table)
        description = str(values.pop("description", ""))
        loaded[name] = Preset(name, description, MappingProxyType(values))
    return MappingProxyType(loaded)


def preset_names() -> tuple[str, ...]:
    return tuple(presets())


def get_preset(name: str) -> Preset:
    """The preset called ``name``; :class:`ValueError` naming the known ones otherwise."""
    found = presets().get(name)
    if found is None:
        raise ValueError(f"unknown preset {name!r}: use one of {', '.join(preset_names())}")
    return found


def apply_preset(name: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The preset's settings overlaid with ``given`` (explicit settings win)."""
    merged = dict(get_preset(name).settings)
    for pair in EXCLUSIVE_PAIRS:
        if any(given.get(key) is not None for key in pair):
            for key in pair:
                merged.pop(key, None)
    merged.update(given)
    return merged


__all__ = [
    "EXCLUSIVE_PAIRS",
    "Preset",
    "apply_preset",
    "get_preset",
    "preset_names",
    "presets",
]
