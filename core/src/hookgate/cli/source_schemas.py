"""``hookgate sources infer-schema`` and ``hookgate sources schema ...``: event schemas of a source.

A schema attached to a source (for an event type its provider does not
describe) gives that source's triggers the static filter check and lets
dispatch validate payloads; see docs/custom.md.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from hookgate.cli._common import emit, json_option, table, with_runtime
from hookgate.services import source_schemas as service

event_option = click.option("--event", "event_type", required=True, help="The event type.")


@click.command("infer-schema")
@click.argument("source_id")
@click.option("--event", "event_type", default=None, help="Only this event type (default: all).")
@click.option(
    "--last", default=50, show_default=True, help="How many of the latest events to learn from."
)
@click.option("--save", is_flag=True, help="Store the schemas (never over an attached one).")
@click.option(
    "--closed",
    is_flag=True,
    help="Objects forbid keys no event had: typos in filters are refused, "
    "but payloads with new keys fail validation.",
)
@json_option
def infer_schema_command(
    source_id: str, event_type: str | None, last: int, save: bool, closed: bool, as_json: bool
) -> None:
    """Infer a JSON Schema per event type from the source's latest stored events."""
    inferred = with_runtime(
        lambda rt, actor: service.infer_schema(
            rt, actor, source_id, event_type=event_type, last=last, save=save, closed=closed
        )
    )
    lines: list[str] = []
    for item in inferred:
        state = "saved" if item.saved else f"not saved: {item.skipped}" if item.skipped else ""
        lines.append(
            f"# {item.event_type}: from {item.samples} events{'; ' if state else ''}{state}"
        )
        lines.append(json.dumps(item.json_schema, indent=2))
    emit([i.as_dict() for i in inferred], as_json, lines)


@click.group("schema")
def schema_group() -> None:
    """Event schemas attached to a source (for event types its provider does not describe)."""


@schema_group.command("attach")
@click.argument("source_id")
@event_option
@click.argument("schema_file")
@click.option("--description", default="", help="What this event type is.")
@click.option("--sample", "sample_file", default=None, help="A JSON file with an example payload.")
@json_option
def attach(
    source_id: str,
    event_type: str,
    schema_file: str,
    description: str,
    sample_file: str | None,
    as_json: bool,
) -> None:
    """Attach the JSON Schema in SCHEMA_FILE (- reads stdin) for an event type, replacing
    the one it had."""
    schema = _read_json(schema_file, "schema")
    sample = _read_json(sample_file, "sample") if sample_file else None
    view = with_runtime(
        lambda rt, actor: service.attach_schema(
            rt, actor, source_id, event_type, schema, description=description, sample=sample
        )
    )
    emit(view.as_dict(), as_json, [f"attached the schema of {view.event_type} to {source_id}"])


@schema_group.command("list")
@click.argument("source_id")
@json_option
def list_(source_id: str, as_json: bool) -> None:
    """The event types with a schema on the source."""
    views = with_runtime(lambda rt, actor: service.list_schemas(rt, actor, source_id))
    rows = [
        [v.event_type, v.origin, v.updated_at.isoformat(timespec="seconds"), v.description]
        for v in views
    ]
    emit([v.as_dict() for v in views], as_json, table(rows) or ["no schemas"])


@schema_group.command("show")
@click.argument("source_id")
@event_option
@json_option
def show(source_id: str, event_type: str, as_json: bool) -> None:
    """Print the schema of an event type (the JSON Schema alone, unless --json)."""
    view = with_runtime(lambda rt, actor: service.get_schema(rt, actor, source_id, event_type))
    emit(view.as_dict(), as_json, [json.dumps(view.json_schema, indent=2)])


@schema_group.command("delete")
@click.argument("source_id")
@event_option
def delete(source_id: str, event_type: str) -> None:
    """Remove the schema of an event type from the source."""
    with_runtime(lambda rt, actor: service.delete_schema(rt, actor, source_id, event_type))
    click.echo(f"deleted the schema of {event_type} from {source_id}")


def _read_json(path: str, what: str) -> Any:
    where = "standard input" if path == "-" else path
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        return json.loads(text)
    except OSError as exc:
        raise click.FileError(path, exc.strerror or str(exc)) from exc
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError alike
        raise click.ClickException(f"the {what} in {where} is not valid JSON: {exc}") from exc


__all__ = ["infer_schema_command", "schema_group"]
