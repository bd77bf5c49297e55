"""JSON Schema validation of event payloads.

Validators are built once per schema (jsonschema compiles lazily, but the
registry of ``$ref`` targets and the format checker are worth reusing).
The draft is taken from the schema's ``$schema`` (default 2020-12).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
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
    cls = _budgeted(
        jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
    )
    cls.check_schema(dict(schema))
    registry: Registry[Any] = Registry().with_resources(
        (uri, Resource.from_contents(dict(doc), default_specification=DRAFT202012))
        for uri, doc in (resources or {}).items()
    )
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


#: Keyword checks one payload may cost (each takes ~20 µs, so this is about 1 s).
#: The largest real fixture payloads (tests/fixtures) take about 200 against their schemas; a
#: recursive ``anyOf`` can take 2^depth: 30 levels would hold a worker for hours.
VALIDATION_BUDGET = 50_000
_TOO_COSTLY = (
    "the schema is too costly for this payload (a recursive anyOf/oneOf/$ref); "
    "make the recursive branches exclusive or bound the depth"
)

# The checks left in the validation running in this context (a list: mutable, shared
# by the nested validators ``descend`` makes); ``None`` outside ``schema_errors``.
_remaining: ContextVar[list[int] | None] = ContextVar("hookgate_schema_budget", default=None)


class ValidationBudgetExceeded(Exception):
    """A validation made more keyword checks than its budget allows."""


_Keyword = Callable[[Any, Any, Any, Any], Iterator[Any] | None]


def _counted(keyword: _Keyword) -> _Keyword:
    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any] | None:
        remaining = _remaining.get()
        if remaining is not None:
            remaining[0] -= 1
            if remaining[0] < 0:
                raise ValidationBudgetExceeded
        return keyword(validator, value, instance, schema)

    return check


_BUDGETED: dict[type[Validator], type[Validator]] = {}


def _budgeted(cls: type[Validator]) -> type[Validator]:
    """``cls`` with every keyword counted against the running validation's budget."""
    if cls not in _BUDGETED:
        counted = {name: _counted(fn) for name, fn in cls.VALIDATORS.items()}
        _BUDGETED[cls] = jsonschema.validators.extend(cls, counted)  # type: ignore[no-untyped-call]
    return _BUDGETED[cls]


def event_validator(event_schema: EventSchema) -> Validator:
    """The validator of one provider event schema."""
    return build_validator(event_schema.json_schema, event_schema.resources)


def schema_errors(
    validator: Validator, payload: Any, limit: int = 20, budget: int = VALIDATION_BUDGET
) -> list[str]:
    """Readable validation errors (``path: message``), at most ``limit``.

    At most ``budget`` keyword checks are made; past that (a schema whose
    ``anyOf``/``$ref`` recursion makes the work grow exponentially with the
    payload's depth), or when the recursion runs out of stack, the one error
    returned says so.
    """
    token = _remaining.set([budget])
    try:
        errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.absolute_path))
    except ValidationBudgetExceeded:
        return [f"(root): validation stopped after {budget} schema checks: {_TOO_COSTLY}"]
    except RecursionError:
        return [f"(root): validation stopped, its recursion ran too deep: {_TOO_COSTLY}"]
    finally:
        _remaining.reset(token)
    out = []
    for error in errors[:limit]:
        path = ".".join(str(p) for p in error.absolute_path) or "(root)"
        out.append(f"{path}: {error.message}")
    return out


__all__ = [
    "VALIDATION_BUDGET",
    "ValidationBudgetExceeded",
    "build_validator",
    "event_validator",
    "schema_errors",
]
