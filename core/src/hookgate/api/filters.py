"""``/api/v1/filters/{check,test,dry-run,generate}``: the filter playground's backend."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from hookgate.api.models import Ident, Input, Output, Text, Word
from hookgate.api.router import Call, Operation
from hookgate.generation import generate_filter as generate_filter_service
from hookgate.services import filter_checks as service
from hookgate.services.filters import MAX_LAST
from hookgate.services.filters import dry_run as dry_run_service


class SyntaxErrorOut(Output):
    message: str
    line: int
    column: int
    text: str = Field(description="The offending part of the expression.")


class ProblemOut(Output):
    code: str
    severity: str
    message: str
    path: str
    line: int
    column: int
    suggestion: str | None


class Reason(Output):
    """One condition that decided the result, with the value it saw."""

    expression: str
    path: str
    missing: bool
    value: Any
    matched: bool
    negated: bool
    message: str
    line: int
    column: int


class FilterCheck(Input):
    filter: Text
    provider: Word | None = Field(default=None, description="With event_type: check the schema.")
    event_type: Word | None = None
    strict: bool = Field(default=False, description="Warnings make the filter invalid too.")


class FilterCheckResult(Output):
    valid: bool
    expression: str | None = Field(description="Canonical form; null when it does not parse.")
    fields: list[str]
    problems: list[ProblemOut]
    error: SyntaxErrorOut | None


class FilterTest(Input):
    filter: Text
    payload: Any = Field(description="A JSON event body.")


class FilterTestResult(Output):
    matched: bool
    reasons: list[Reason]


class FilterDryRun(Input):
    filter: Text
    source_id: Ident | None = Field(
        default=None, description="Try the filter on this source's stored events."
    )
    provider: Word | None = Field(
        default=None, description="Without source_id: try the provider's sample payloads only."
    )
    event_type: Word | None = Field(default=None, description="Only events of this type.")
    last: int = Field(default=50, ge=1, le=MAX_LAST, description="How many stored events.")


class NonMatch(Output):
    event_id: str
    event_type: str
    received_at: datetime
    reasons: list[str] = Field(description="The conditions that kept the event out.")


class SampleResult(Output):
    event_type: str
    matched: bool
    reasons: list[str]


class FilterDryRunResult(Output):
    filter: str = Field(description="The filter in canonical form.")
    source_id: str | None
    event_type: str | None
    last: int
    checked: int = Field(description="Stored events evaluated.")
    matched: int
    unreadable: int = Field(description="Events whose body is not JSON (not matched).")
    matched_event_ids: list[str]
    non_matches: list[NonMatch] = Field(description="The newest few events not matched, and why.")
    samples: list[SampleResult]
    summary: str = Field(description="e.g. would have matched 3 of the last 50 push events")


class FilterGenerate(Input):
    description: Text = Field(description="What the filter should match, in plain words.")
    provider: Word | None = Field(default=None, description="Left out: the source's provider.")
    event_type: Word | None = Field(default=None, description="The trigger's event type.")
    source_id: Ident | None = Field(default=None, description="Dry-run on its stored events.")
    last: int = Field(default=50, ge=1, le=MAX_LAST, description="How many stored events.")


class FilterGenerateResult(Output):
    filter: str = Field(description="Valid, and checked against the event schema if there is one.")
    description: str
    provider: str
    event_type: str | None
    source_id: str | None
    generator: str
    attempts: int
    schema_checked: bool
    problems: list[str]
    warnings: list[str]
    dry_run: FilterDryRunResult


async def check_filter(call: Call) -> BaseModel:
    body = call.body_as(FilterCheck)
    result = await service.check(
        call.runtime,
        body.filter,
        provider=body.provider,
        event_type=body.event_type,
        strict=body.strict,
    )
    return FilterCheckResult.model_validate(vars(result))


async def test_filter(call: Call) -> BaseModel:
    body = call.body_as(FilterTest)
    return FilterTestResult.model_validate(await service.evaluate(body.filter, body.payload))


async def dry_run(call: Call) -> BaseModel:
    body = call.body_as(FilterDryRun)
    result = await dry_run_service(
        call.runtime,
        call.actor,
        body.source_id,
        body.filter,
        last=body.last,
        event_type=body.event_type,
        provider=body.provider,
    )
    return FilterDryRunResult.model_validate(result.as_dict())


async def generate_filter(call: Call) -> BaseModel:
    body = call.body_as(FilterGenerate)
    result = await generate_filter_service(
        call.runtime,
        call.actor,
        description=body.description,
        provider=body.provider,
        event_type=body.event_type,
        source_id=body.source_id,
        last=body.last,
    )
    return FilterGenerateResult.model_validate(result.as_dict())


OPERATIONS = [
    Operation(
        "POST",
        "/filters/check",
        check_filter,
        "Parse a filter and, given provider and event_type, check it against the event schema",
        FilterCheckResult,
        body=FilterCheck,
        description="A filter that does not parse answers 200 with `valid: false` and `error`.",
    ),
    Operation(
        "POST",
        "/filters/test",
        test_filter,
        "Run a filter on one payload: matched, and the conditions that decided it",
        FilterTestResult,
        body=FilterTest,
    ),
    Operation(
        "POST",
        "/filters/dry-run",
        dry_run,
        "Run a filter on the last N stored events of a source (or on samples); nothing is stored",
        FilterDryRunResult,
        body=FilterDryRun,
        errors=(404,),
    ),
    Operation(
        "POST",
        "/filters/generate",
        generate_filter,
        "Write a filter from a description, check it and dry-run it (nothing is saved)",
        FilterGenerateResult,
        body=FilterGenerate,
        description="Needs a generator: HOOKGATE_LLM_BASE_URL or a filter_generator plugin "
        "(503 without one). See docs/generation.md.",
        errors=(404, 502, 503, 504),
    ),
]
