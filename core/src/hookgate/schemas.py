"""JSON Schema validation of event payloads.

Validators are built once per schema (jsonschema compiles lazily, but the
registry of ``$ref`` targets and the format checker are worth reusing).
The draft is taken from the schema's ``$schema`` (default 2020-12).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsonschema
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from hookgate.types import EventSchema


def build_validator(
    schema: Mapping[str, Any], resources: Mapping[str, Mapping[str, Any]] | None = None
) -> Validator:
    """A validator for ``schema`` whose ``$ref``s resolve against ``resources`` (by ``$id``)."""
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    cls.check_schema(dict(schema))
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(dict(doc), default_specification=DRAFT202012))
        for uri, doc in (resources or {}).items()
    )
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


def event_validator(event_schema: EventSchema) -> Validator:
    """The validator of one provider event schema."""
    return build_validator(event_schema.json_schema, event_schema.resources)


def schema_errors(validator: Validator, payload: Any, limit: int = 20) -> list[str]:
    """Readable validation errors (``path: message``), at most ``limit``."""
    errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path))
    out = []
    for error in errors[:limit]:
        path = ".".join(str(p) for p in error.absolute_path) or "(root)"
        out.append(f"{path}: {error.message}")
    return out


__all__ = ["build_validator", "event_validator", "schema_errors"]
