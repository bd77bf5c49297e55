"""``hookgate triggers``: a user's rules from events to agent runs."""

from __future__ import annotations

import click

from hookgate.cli._common import emit, json_option, table, with_runtime
from hookgate.services import triggers as service

owner_option = click.option("--owner", default=None, help="Act as this user (default: admin).")


@click.group()
def triggers() -> None:
    """Triggers: which events of a source start runs of an agent."""


@triggers.command("create")
@click.option("--source", "source_id", required=True, help="Source id.")
@click.option("--agent", "agent_id", required=True, help="Agent id the runs go to.")
@owner_option
@click.option("--event", "event_type", default=None, help="Only this event type.")
@click.option("--filter", "filter_text", default=None, help="Filter expression.")
@click.option("--description", default=None, help="What the filter is meant to do.")
@click.option("--no-payload", is_flag=True, help="Do not send the event payload with runs.")
@click.option("--runs-per-day", type=int, default=None, help="Rate limit (sliding 24 h).")
@json_option
def create(
    source_id: str,
    agent_id: str,
    owner: str | None,
    event_type: str | None,
    filter_text: str | None,
    description: str | None,
    no_payload: bool,
    runs_per_day: int | None,
    as_json: bool,
) -> None:
    """Add a trigger; an invalid filter is refused with the parser's error."""
    view = with_runtime(
        lambda rt, actor: service.create_trigger(
            rt,
            actor,
            source_id=source_id,
            agent_id=agent_id,
            event_type=event_type,
            filter=filter_text,
            description=description,
            include_payload=not no_payload,
            runs_per_day=runs_per_day,
        ),
        user=owner,
    )
    emit(view.as_dict(), as_json, [f"id  {view.id}"])


@triggers.command("list")
@owner_option
@click.option("--source", "source_id", default=None)
@json_option
def list_(owner: str | None, source_id: str | None, as_json: bool) -> None:
    """List your triggers."""
    views = with_runtime(
        lambda rt, a: service.list_triggers(rt, a, source_id=source_id), user=owner
    )
    emit(
        [v.as_dict() for v in views],
        as_json,
        table(
            [
                [v.id, v.source_id, v.agent_id, v.status, v.event_type or "*", v.filter or "-"]
                for v in views
            ]
        ),
    )


@triggers.command("show")
@click.argument("trigger_id")
@owner_option
@json_option
def show(trigger_id: str, owner: str | None, as_json: bool) -> None:
    view = with_runtime(lambda rt, a: service.get_trigger(rt, a, trigger_id), user=owner)
    emit(view.as_dict(), as_json, [f"{k:<16}{v}" for k, v in view.as_dict().items()])


@triggers.command("disable")
@click.argument("trigger_id")
@owner_option
def disable(trigger_id: str, owner: str | None) -> None:
    with_runtime(
        lambda rt, a: service.update_trigger(rt, a, trigger_id, status="disabled"), user=owner
    )
    click.echo(f"disabled {trigger_id}")


@triggers.command("enable")
@click.argument("trigger_id")
@owner_option
def enable(trigger_id: str, owner: str | None) -> None:
    with_runtime(
        lambda rt, a: service.update_trigger(rt, a, trigger_id, status="enabled"), user=owner
    )
    click.echo(f"enabled {trigger_id}")


@triggers.command("delete")
@click.argument("trigger_id")
@owner_option
def delete(trigger_id: str, owner: str | None) -> None:
    with_runtime(lambda rt, a: service.delete_trigger(rt, a, trigger_id), user=owner)
    click.echo(f"deleted {trigger_id}")
