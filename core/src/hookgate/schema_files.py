"""Event schemas shipped as files in a provider package: one JSON document per event type.

The layout ``hookgate new-provider`` writes, so a provider's schemas are data
(reviewable, copyable from the provider's docs) and its Python stays small.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

from hookgate.types import EventSchema


def schema_folder(package: str, folder: str = "schemas") -> list[EventSchema]:
    """The event schemas ``package`` ships as ``<folder>/<event type>.json`` files.

    Each file holds ``{"description": ..., "schema": {...}, "sample": {...}}``;
    the file name (without ``.json``) is the event type. Sorted by event type.
    """
    found = []
    entries = (resources.files(package) / folder).iterdir()
    for entry in sorted(entries, key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        data = json.loads(entry.read_text(encoding="utf-8"))
        try:
            found.append(
                EventSchema(
                    event_type=entry.name.removesuffix(".json"),
                    description=data["description"],
                    schema=data["schema"],
                    sample=data["sample"],
                )
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(
                f"{package}/{folder}/{entry.name} needs the keys description, schema and "
                f"sample ({type(exc).__name__}: {exc})"
            ) from exc
    return found


def with_samples(
    package: str,
    events: Mapping[str, tuple[str, dict[str, Any]]],
    *,
    folder: str = "samples",
    file_name: Callable[[str], str] = lambda event_type: event_type,
) -> list[EventSchema]:
    """Event schemas built in code (``event type -> (description, schema)``), each with
    its sample read from ``<folder>/<file_name(event type)>.json`` in ``package``."""
    samples = resources.files(package) / folder
    return [
        EventSchema(
            event_type=event_type,
            description=description,
            schema=schema,
            sample=json.loads((samples / f"{file_name(event_type)}.json").read_text("utf-8")),
        )
        for event_type, (description, schema) in events.items()
    ]


__all__ = ["schema_folder", "with_samples"]
