"""The ``hookgate`` command line."""

from __future__ import annotations

import click

from hookgate import __version__
from hookgate.cli.providers import providers
from hookgate.cli.serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hookgate")
def main() -> None:
    """hookgate: turn webhooks into agent runs."""


main.add_command(providers)
main.add_command(serve)
main.add_command(__import__("hookgate.cli.filter", fromlist=["filter_group"]).filter_group)

__all__ = ["main"]
