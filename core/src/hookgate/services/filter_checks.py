"""Checking and trying out a filter before it is saved (dry runs are in ``filters``).

Both run off the event loop within :data:`~hookgate.services.filter_budget.API_BUDGET`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hookgate.errors import UnknownProviderError
from hookgate.filters import (
    Filter,
    FilterSyntaxError,
    Problem,
    check_filter,
    compile_filter,
    lint_filter,
)
from hookgate.filters import explain as explain_filter
from hookgate.filters.budget import Deadline
from hookgate.services.common import Invalid
from hookgate.services.filter_budget import API_BUDGET, off_loop
from hookgate.types import EventSchema

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


def _schema(runtime: Runtime, provider: str, event_type: str) -> EventSchema:
    try:
        schemas = runtime.plugins.schemas(provider)
    except UnknownProviderError as exc:
        raise Invalid(str(exc)) from exc
    schema = schemas.get(event_type)
    if schema is None:
        known = ", ".join(sorted(schemas)) or "none"
        raise Invalid(f"provider {provider!r} has no event {event_type!r}; its events: {known}")
    return schema


async def check(
    runtime: Runtime,
    text: str,
    *,
    provider: str | None = None,
    event_type: str | None = None,
    strict: bool = False,
) -> CheckResult:
    """Whether ``text`` parses and, given a provider and event type, fits the event schema.

    A filter that does not parse is a result (``valid: false``), not an error:
    an editor calls this on every keystroke. Without a schema, the problems are
    the warnings that need none (``js-property``).

    :raises TooExpensive: past the time budget.
    """
    if (provider is None) != (event_type is None):
        raise Invalid("provider and event_type go together: give both or neither")
    schema = _schema(runtime, provider, event_type) if provider and event_type else None

    def work(deadline: Deadline) -> CheckResult:
        return _check(text, schema, strict, deadline)

    return await off_loop(work, Deadline(API_BUDGET, "checking the filter"))


def _check(text: str, schema: EventSchema | None, strict: bool, deadline: Deadline) -> CheckResult:
    try:
        flt = compile_filter(text)
    except FilterSyntaxError as exc:
        return CheckResult(False, None, [], [], error=exc.to_dict())
    problems: list[Problem]
    if schema is not None:
        problems = check_filter(
            flt, schema.json_schema, resources=schema.resources, warnings=True, deadline=deadline
        )
    else:
        problems = lint_filter(flt)
    failed = any(p.severity == "error" or strict for p in problems)
    return CheckResult(not failed, str(flt), list(flt.fields), [p.to_dict() for p in problems])


async def evaluate(text: str, payload: Any) -> dict[str, Any]:
    """Run the filter on one payload: ``matched`` and the conditions that decided it.

    The caller sent the payload, so the explanation quotes its values.

    :raises Invalid: the filter does not parse.
    :raises TooExpensive: past the time budget.
    """

    def work(deadline: Deadline) -> dict[str, Any]:
        return explain_filter(compiled(text), payload, deadline=deadline).to_dict()

    return await off_loop(work, Deadline(API_BUDGET, "testing the filter"))
