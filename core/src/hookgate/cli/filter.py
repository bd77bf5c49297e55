"""``hookgate filter``: check, test and format trigger filters from the shell.

Exit codes are for scripts: ``check`` and ``fmt`` exit 0 when valid and 2 when
not; ``test`` exits 0 on a match, 1 on no match and 2 when the expression or
the payload can't be used; ``generate`` exits 0 with a checked filter, 1 when
none could be generated and 2 on a bad argument. ``-`` in place of an
expression or a file reads standard input.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from hookgate.errors import HookgateError, UnknownProviderError
from hookgate.filters import (
    Filter,
    FilterSyntaxError,
    Problem,
    check_filter,
    compile_filter,
    explain,
    lint_filter,
)
from hookgate.filters.errors import caret
from hookgate.payloads import loads

if TYPE_CHECKING:
    from hookgate.generation import GenerationResult

__all__ = ["filter_group"]

_INVALID = 2
_NO_MATCH = 1
_NOT_GENERATED = 1


@click.group("filter")
def filter_group() -> None:
    """Check, test and format trigger filters."""


@filter_group.command("check")
@click.argument("expression")
@click.option("--provider", help="Also check against this provider's event schema.")
@click.option("--event", help="The event type whose schema to check against.")
@click.option("--strict", is_flag=True, help="Treat warnings as problems too (exit 2).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object for scripts.")
def check_command(
    expression: str, provider: str | None, event: str | None, strict: bool, as_json: bool
) -> None:
    """Parse EXPRESSION and report whether it is valid.

    With --provider and --event, also check it against that event's schema:
    unknown fields, operators on the wrong type, values the field can't hold.
    """
    if (provider is None) != (event is None):
        raise click.UsageError("--provider and --event go together; give both or neither")
    text = _read_text(expression)
    flt = _compile(text, as_json)
    problems = (
        _schema_problems(flt, provider, event, as_json) if provider and event else lint_filter(flt)
    )
    failed = any(p.severity == "error" or strict for p in problems)
    if as_json:
        _echo_json(
            {
                "valid": not failed,
                "expression": str(flt),
                "fields": list(flt.fields),
                "problems": [p.to_dict() for p in problems],
            }
        )
    else:
        for problem in problems:
            click.echo(_render_problem(text, problem), err=True)
        click.echo("invalid" if failed else "valid")
    if failed:
        sys.exit(_INVALID)


@filter_group.command("test")
@click.argument("expression")
@click.argument("payload_file")
@click.option("--explain", "show_why", is_flag=True, help="Say which conditions decided.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object for scripts.")
def test_command(expression: str, payload_file: str, show_why: bool, as_json: bool) -> None:
    """Run EXPRESSION on the JSON body in PAYLOAD_FILE: prints match or no match."""
    if expression == "-" and payload_file == "-":
        raise click.UsageError("only one of EXPRESSION and PAYLOAD_FILE can be - (stdin)")
    flt = _compile(_read_text(expression), as_json)
    payload = _read_payload(payload_file, as_json)
    result = explain(flt, payload)
    if as_json:
        _echo_json(result.to_dict())
    else:
        click.echo(str(result) if show_why else ("match" if result.matched else "no match"))
    sys.exit(0 if result.matched else _NO_MATCH)


@filter_group.command("fmt")
@click.argument("expression")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object for scripts.")
def fmt_command(expression: str, as_json: bool) -> None:
    """Print EXPRESSION in canonical form: quoted, one condition per line when long."""
    flt = _compile(_read_text(expression), as_json)
    if as_json:
        _echo_json({"expression": str(flt), "fields": list(flt.fields)})
    else:
        click.echo(str(flt))


@filter_group.command("generate")
@click.argument("description")
@click.option("--provider", help="Whose events (left out: the provider of --source).")
@click.option("--event", "event_type", help="The event type the trigger will have.")
@click.option("--source", "source_id", help="Dry-run on this source's stored events.")
@click.option(
    "--last",
    default=50,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="How many of the source's newest events the dry run reads.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object for scripts.")
def generate_command(
    description: str,
    provider: str | None,
    event_type: str | None,
    source_id: str | None,
    last: int,
    as_json: bool,
) -> None:
    """Write a filter from a DESCRIPTION in plain words, checked and dry-run.

    Prints the filter on stdout and, on stderr, how it was checked and what it
    would have matched (the provider's sample, and with --source the last
    events the source received). Needs HOOKGATE_LLM_BASE_URL and
    HOOKGATE_LLM_MODEL (see docs/generation.md). Exits 0 with a valid filter,
    1 when none could be generated, 2 on a bad argument.
    """
    from hookgate.services.common import Invalid, NotFound

    if not (provider or source_id):
        raise click.UsageError("give --provider (and --event), or --source")
    try:
        result: GenerationResult = asyncio.run(
            _generate(description, provider, event_type, source_id, last)
        )
    except (Invalid, NotFound) as error:
        _fail(str(error), as_json)
    except HookgateError as error:
        _fail(str(error), as_json, code=_NOT_GENERATED)
    if as_json:
        _echo_json(result.as_dict())
        return
    click.echo(result.filter)
    for line in _generation_notes(result):
        click.echo(line, err=True)


async def _generate(
    description: str,
    provider: str | None,
    event_type: str | None,
    source_id: str | None,
    last: int,
) -> GenerationResult:
    from hookgate.generation import generate_filter
    from hookgate.runtime import Runtime
    from hookgate.services.common import Actor, default_actor

    runtime = Runtime()
    options: dict[str, Any] = {
        "description": description,
        "provider": provider,
        "event_type": event_type,
        "source_id": source_id,
        "last": last,
    }
    if source_id is None:
        # Without a source nothing is read from the database: do not create or migrate one.
        nobody = Actor(workspace_id="", user_id="", role="member")
        return await generate_filter(runtime, nobody, **options)
    async with runtime:
        return await generate_filter(runtime, await default_actor(runtime), **options)


def _generation_notes(result: GenerationResult) -> list[str]:
    checked = (
        f"checked against the {result.provider} {result.event_type} schema"
        if result.schema_checked
        else "syntax checked (no event schema is known, so field names were not checked)"
    )
    tries = "1 attempt" if result.attempts == 1 else f"{result.attempts} attempts"
    notes = [f"{checked}; {tries} with {result.generator}"]
    notes += [f"  repaired: {problem}" for problem in result.problems]
    notes += [f"warning: {warning}" for warning in result.warnings]
    run = result.dry_run
    notes.append(f"dry run: {run.summary}")
    for sample in run.samples:
        verdict = "match" if sample.matched else "no match"
        notes.append(f"  sample {sample.event_type}: {verdict}")
        notes += [f"    {reason}" for reason in sample.reasons if not sample.matched]
    for miss in run.non_matches:
        notes.append(f"  not matched: {miss.event_id} ({miss.received_at:%Y-%m-%d %H:%M})")
        notes += [f"    {reason}" for reason in miss.reasons]
    command = ["hookgate", "triggers", "create", "--source", result.source_id or "SOURCE_ID"]
    command += ["--agent", "AGENT_ID"]
    if result.event_type:
        command += ["--event", result.event_type]
    command += ["--filter", result.filter, "--description", result.description]
    notes.append("save it: " + " ".join(shlex.quote(part) for part in command))
    return notes


def _read_text(argument: str) -> str:
    return sys.stdin.read() if argument == "-" else argument


def _compile(text: str, as_json: bool) -> Filter:
    try:
        return compile_filter(text)
    except FilterSyntaxError as error:
        if as_json:
            _echo_json({"valid": False, "error": error.to_dict()})
        else:
            click.echo(error.render(), err=True)
        sys.exit(_INVALID)


def _read_payload(path: str, as_json: bool) -> Any:
    source = "standard input" if path == "-" else path
    try:
        raw = sys.stdin.read() if path == "-" else open(path, encoding="utf-8").read()  # noqa: SIM115
        return loads(raw)  # the server's parser: strict, nesting bounded
    except OSError as error:
        _fail(f"cannot read the payload {source}: {error.strerror or error}", as_json)
    except (UnicodeDecodeError, ValueError) as error:
        _fail(f"the payload in {source} is not valid JSON: {error}", as_json)


def _schema_problems(flt: Filter, provider: str, event: str, as_json: bool) -> list[Problem]:
    from hookgate.runtime import Runtime  # the runtime is heavy; only this option needs it

    try:
        schemas = Runtime().plugins.schemas(provider)
    except UnknownProviderError as error:
        _fail(str(error), as_json)
    if event not in schemas:
        known = ", ".join(sorted(schemas)) or "none"
        _fail(f"provider {provider!r} has no event {event!r}; its events are: {known}", as_json)
    schema = schemas[event]
    return check_filter(flt, schema.json_schema, resources=schema.resources, warnings=True)


def _render_problem(text: str, problem: Problem) -> str:
    return f"{caret(text, problem.line, problem.column)}\n{problem.severity}: {problem.message}"


def _fail(message: str, as_json: bool, *, code: int = _INVALID) -> NoReturn:
    if as_json:
        _echo_json({"error": {"message": message}})
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _echo_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
