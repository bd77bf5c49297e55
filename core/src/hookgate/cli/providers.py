"""``hookgate providers``: what is installed, and in what state."""

from __future__ import annotations

import json

import click

from hookgate.config import load_settings
from hookgate.plugins import PluginManager
from hookgate.setting_fields import model_schema


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list for scripts.")
def providers(as_json: bool) -> None:
    """List installed providers: name, version, status and event types.

    --json adds each provider's settings as a JSON Schema (``config_schema``).
    """
    manager = PluginManager(load_settings().provider_selection)
    records = manager.records()
    if as_json:
        rows = [
            {
                "name": r.name,
                "title": r.info.title if r.info else None,
                "distribution": r.distribution,
                "version": r.version,
                "status": r.status,
                "reason": r.reason or None,
                "needs_oauth": r.info.needs_oauth if r.info else None,
                "config_schema": model_schema(r.info.config_model if r.info else None),
                "events": list(r.event_types),
            }
            for r in records
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    if not records:
        click.echo("no providers installed (pip install hookgate-<provider>)")
        return
    width = max(len(r.name) for r in records)
    for r in records:
        events = ", ".join(r.event_types) if r.event_types else "-"
        version = r.version or "?"
        click.echo(f"{r.name:<{width}}  {version:<8}  {r.status_text}")
        if r.status == "ok":
            click.echo(f"{'':<{width}}  events: {events}")
    _plugins(manager)


def _plugins(manager: PluginManager) -> None:
    """Plugins from the ``hookgate.plugins`` entry points (sinks, authenticators, ...)."""
    for r in manager.plugin_records():
        hooks = ", ".join(r.hooks) if r.hooks else "-"
        click.echo(f"plugin {r.name}  {r.version or '?'}  {r.status_text}  hooks: {hooks}")
