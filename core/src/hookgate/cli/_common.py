"""What the CLI commands share: running services, printing, errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

import click

from hookgate.errors import HookgateError
from hookgate.runtime import Runtime
from hookgate.services.common import Actor, default_actor

T = TypeVar("T")

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def with_runtime(body: Callable[[Runtime, Actor], Awaitable[T]], *, user: str | None = None) -> T:
    """Run ``body`` with a started runtime and the local admin actor."""

    async def main() -> T:
        async with Runtime() as runtime:
            return await body(runtime, await default_actor(runtime, user))

    try:
        return asyncio.run(main())
    except HookgateError as exc:
        raise click.ClickException(str(exc)) from exc


def emit(data: Any, as_json: bool, lines: Iterable[str] | None = None) -> None:
    """Print ``data`` as JSON, or the human ``lines``."""
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
        return
    for line in lines or ():
        click.echo(line)


def table(rows: list[list[str]]) -> list[str]:
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
