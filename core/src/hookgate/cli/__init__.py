"""The ``hookgate`` command line."""

from __future__ import annotations

import click

from hookgate import __version__
from hookgate.cli.audit import audit
from hookgate.cli.events import events, runs
from hookgate.cli.filter import filter_group
from hookgate.cli.keys import keys
from hookgate.cli.providers import providers
from hookgate.cli.serve import serve, worker
from hookgate.cli.sources import sources
from hookgate.cli.triggers import triggers
from hookgate.cli.users import users


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hookgate")
def main() -> None:
    """hookgate: turn webhooks into agent runs."""


main.add_command(providers)
main.add_command(serve)
main.add_command(worker)
main.add_command(sources)
main.add_command(triggers)
main.add_command(events)
main.add_command(runs)
main.add_command(filter_group)
main.add_command(users)
main.add_command(keys)
main.add_command(audit)

__all__ = ["main"]
