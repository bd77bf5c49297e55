"""``/api/v1/filters/{check,test}``: the filter playground's backend."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from hookgate.api.models import Input, Output, Text, Word
from hookgate.api.router import Call, Operation
from hookgate.services import filter_checks as service


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


async def check_filter(call: Call) -> BaseModel:
    body = call.body_as(FilterCheck)
    result = service.check(
        call.runtime,
        body.filter,
        provider=body.provider,
        event_type=body.event_type,
        strict=body.strict,
    )
    return FilterCheckResult.model_validate(vars(result))


async def test_filter(call: Call) -> BaseModel:
    body = call.body_as(FilterTest)
    return FilterTestResult.model_validate(service.evaluate(body.filter, body.payload))


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
]
