"""Checking and trying out a filter before it is saved (dry runs are in ``filters``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hookgate.errors import UnknownProviderError
from hookgate.filters import Filter, FilterSyntaxError, Problem, check_filter, compile_filter
from hookgate.filters import explain as explain_filter
from hookgate.services.common import Invalid

if TYPE_CHECKING:
    from hookgate.runtime import Runtime


@dataclass(frozen=True)
class CheckResult:
    valid: bool
    #: The canonical form; ``None`` when the text does not parse.
    expression: str | None
    fields: list[str]
    problems: list[dict[str, Any]]
    #: The syntax error (message, line, column, text), when the text does not parse.
    error: dict[str, Any] | None = None


def compiled(text: str) -> Filter:
    """The compiled filter; :class:`Invalid` with the line and column when it does not parse."""
    try:
        return compile_filter(text)
    except FilterSyntaxError as exc:
        raise Invalid(f"invalid filter: {exc}", details=exc.to_dict()) from exc


def _schema_problems(
    runtime: Runtime, flt: Filter, provider: str, event_type: str
) -> list[Problem]:
    try:
        schemas = runtime.plugins.schemas(provider)
    except UnknownProviderError as exc:
        raise Invalid(str(exc)) from exc
    schema = schemas.get(event_type)
    if schema is None:
        known = ", ".join(sorted(schemas)) or "none"
        raise Invalid(f"provider {provider!r} has no event {event_type!r}; its events: {known}")
    return check_filter(flt, schema.json_schema, resources=schema.resources, warnings=True)


def check(
    runtime: Runtime,
    text: str,
    *,
    provider: str | None = None,
    event_type: str | None = None,
    strict: bool = False,
) -> CheckResult:
    """Whether ``text`` parses and, given a provider and event type, fits the event schema.

    A filter that does not parse is a result (``valid: false``), not an error:
    an editor calls this on every keystroke.
    """
    if (provider is None) != (event_type is None):
        raise Invalid("provider and event_type go together: give both or neither")
    try:
        flt = compile_filter(text)
    except FilterSyntaxError as exc:
        return CheckResult(False, None, [], [], error=exc.to_dict())
    problems = []
    if provider and event_type:
        problems = _schema_problems(runtime, flt, provider, event_type)
    failed = any(p.severity == "error" or strict for p in problems)
    return CheckResult(not failed, str(flt), list(flt.fields), [p.to_dict() for p in problems])


def evaluate(text: str, payload: Any) -> dict[str, Any]:
    """Run the filter on one payload: ``matched`` and the conditions that decided it."""
    return explain_filter(compiled(text), payload).to_dict()
