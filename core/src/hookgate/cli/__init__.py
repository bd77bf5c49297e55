"""The ``hookgate`` command line.

Subcommands are imported when they run, not when the CLI starts: most pull in
the runtime (SQLAlchemy, the admin API), and ``hookgate providers`` or
``hookgate filter check`` should answer at once.
"""

from __future__ import annotations

import importlib

import click

from hookgate.version import __version__

#: Command name → "module:attribute" of the click command.
COMMANDS: dict[str, str] = {
    "providers": "hookgate.cli.providers:providers",
    "serve": "hookgate.cli.serve:serve",
    "worker": "hookgate.cli.serve:worker",
    "sources": "hookgate.cli.sources:sources",
    "connections": "hookgate.cli.connections:connections",
    "triggers": "hookgate.cli.triggers:triggers",
    "events": "hookgate.cli.events:events",
    "runs": "hookgate.cli.events:runs",
    "filter": "hookgate.cli.filter:filter_group",
    "users": "hookgate.cli.users:users",
    "keys": "hookgate.cli.keys:keys",
    "audit": "hookgate.cli.audit:audit",
    "new-provider": "hookgate.cli.new_provider:new_provider",
    "keygen": "hookgate.cli.keygen:keygen",
    "migrate": "hookgate.cli.migrate:migrate",
    "config": "hookgate.cli.config:config_group",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (click's documented pattern)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hookgate")
def main() -> None:
    """hookgate: turn webhooks into agent runs."""


__all__ = ["COMMANDS", "main"]
