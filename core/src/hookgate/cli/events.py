"""``hookgate events`` and ``hookgate runs``: what arrived, what it started, replay."""

from __future__ import annotations

import click

from hookgate.cli._common import emit, json_option, table, with_runtime
from hookgate.services import events as service


@click.group()
def events() -> None:
    """Received events."""


@events.command("list")
@click.option("--source", "source_id", default=None)
@click.option("--status", default=None, help="pending, done, malformed, unsubscribed, ...")
@click.option("--limit", default=50, show_default=True)
@json_option
def list_(source_id: str | None, status: str | None, limit: int, as_json: bool) -> None:
    views = with_runtime(
        lambda rt, a: service.list_events(rt, a, source_id=source_id, status=status, limit=limit)
    )
    emit(
        [v.as_dict() for v in views],
        as_json,
        table(
            [
                [
                    v.id,
                    v.received_at.isoformat(timespec="seconds"),
                    v.source_id,
                    v.event_type,
                    v.status,
                ]
                for v in views
            ]
        ),
    )


@events.command("show")
@click.argument("event_id")
@json_option
def show(event_id: str, as_json: bool) -> None:
    """An event, its runs, and per trigger whether it matched and why."""
    view = with_runtime(lambda rt, a: service.get_event(rt, a, event_id))
    lines = [f"{view.id}  {view.event_type}  {view.status}  {view.detail or ''}".rstrip()]
    lines += [f"  run {r.id}  {r.status}  attempts={r.attempts}" for r in view.runs]
    for outcome in view.outcomes:
        verdict = "matched" if outcome["matched"] else "not matched"
        lines.append(f"  trigger {outcome['trigger_id']}: {verdict}")
        lines += [f"    {line}" for line in str(outcome["explain"]).splitlines()]
    emit(view.as_dict(), as_json, lines)


@events.command("replay")
@click.argument("event_id")
def replay(event_id: str) -> None:
    """Match the event again against today's triggers."""
    with_runtime(lambda rt, a: service.replay_event(rt, a, event_id))
    click.echo(f"queued {event_id} for dispatch")


@click.group()
def runs() -> None:
    """Runs of your triggers."""


@runs.command("list")
@click.option("--trigger", "trigger_id", default=None)
@click.option("--status", default=None, help="pending, delivered, retrying, dead, rate_limited")
@click.option("--limit", default=50, show_default=True)
@json_option
def runs_list(trigger_id: str | None, status: str | None, limit: int, as_json: bool) -> None:
    views = with_runtime(
        lambda rt, a: service.list_runs(rt, a, trigger_id=trigger_id, status=status, limit=limit)
    )
    emit(
        [v.as_dict() for v in views],
        as_json,
        table([[v.id, v.trigger_id, v.status, str(v.attempts), v.last_error or ""] for v in views]),
    )


@runs.command("replay")
@click.argument("run_id")
def runs_replay(run_id: str) -> None:
    """Deliver a run again."""
    with_runtime(lambda rt, a: service.replay_run(rt, a, run_id))
    click.echo(f"queued {run_id} for delivery")
