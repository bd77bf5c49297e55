"""``hookgate filter``: check, test and format trigger filters from the shell.

Exit codes are for scripts: ``check`` and ``fmt`` exit 0 when valid and 2 when
not; ``test`` exits 0 on a match, 1 on no match and 2 when the expression or
the payload can't be used. ``-`` in place of an expression or a file reads
standard input.
"""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import click

from hookgate.errors import UnknownProviderError
from hookgate.filters import (
    Filter,
    FilterSyntaxError,
    Problem,
    check_filter,
    compile_filter,
    explain,
)
from hookgate.filters.errors import caret

__all__ = ["filter_group"]

_INVALID = 2
_NO_MATCH = 1


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
    problems = _schema_problems(flt, provider, event, as_json) if provider and event else []
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
        return json.loads(raw)
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


def _fail(message: str, as_json: bool) -> NoReturn:
    if as_json:
        _echo_json({"error": {"message": message}})
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(_INVALID)


def _echo_json(data: dict[str, Any]) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
