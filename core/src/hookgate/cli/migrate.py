"""``hookgate migrate``: bring the database schema up to date, then exit."""

from __future__ import annotations

import asyncio

import click

from hookgate.cli.preflight import checked_runtime


@click.command()
def migrate() -> None:
    """Apply pending migrations and exit (compose.yaml runs it once before serve and workers).

    serve and worker migrate at start too (one at a time, under a lock on PostgreSQL), so
    running this first only moves the wait out of their start-up.
    """
    runtime = checked_runtime()

    async def main() -> None:
        async with runtime:
            pass  # starting a runtime migrates it

    asyncio.run(main())
    click.echo("the database schema is up to date")
