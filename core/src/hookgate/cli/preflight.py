"""What ``serve``, ``worker`` and ``config check`` do before anything runs.

Every configuration problem is found first, without touching the database
(no file created, no migration run), and printed as one line on stderr
(``error: HOOKGATE_PORT: ...``); then the command exits with status 2.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Iterable
from typing import NoReturn

import click

from hookgate.banner import banner_lines
from hookgate.log_format import apply_log_format
from hookgate.logs import configure_logging
from hookgate.runtime import Runtime
from hookgate.startup import (
    StartupError,
    checked_settings,
    database_problem,
    is_sqlite,
    listen_socket,
    runtime_problems,
)
from hookgate.store.database import Database

#: The exit status of a configuration problem (as click's usage errors).
CONFIG_EXIT = 2


def fail(problems: Iterable[str]) -> NoReturn:
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    sys.exit(CONFIG_EXIT)


def checked_runtime(*, reach_database: bool = True) -> Runtime:
    """A runtime whose configuration has no known problem; or exit 2 listing them."""
    try:
        runtime = Runtime(checked_settings())
    except StartupError as exc:
        fail(exc.problems)
    problems = runtime_problems(runtime)
    if not problems and reach_database:
        found = asyncio.run(reach(runtime.settings.database_url))
        problems = [found] if found else []
    if problems:
        fail(problems)
    return runtime


async def reach(url: str) -> str | None:
    """:func:`~hookgate.startup.database_problem` on a database of its own (the runtime's
    engine will run on the server's event loop); SQLite is not opened (that creates it)."""
    if is_sqlite(url):
        return None
    db = Database(url, pool_size=1)
    try:
        return await database_problem(db)
    finally:
        await db.dispose()


def bound_socket(host: str, port: int) -> socket.socket:
    """The public socket, or exit 2 naming ``--port`` when it is taken."""
    try:
        return listen_socket(host, port)
    except StartupError as exc:
        fail(exc.problems)


def check_metrics_port(runtime: Runtime) -> None:
    """Exit 2 now if the metrics listener's port is taken (it listens once started)."""
    settings = runtime.settings
    if settings.metrics_port is None:
        return
    try:
        listen_socket(settings.metrics_host, settings.metrics_port, "HOOKGATE_METRICS_PORT").close()
    except StartupError as exc:
        fail(exc.problems)


def start_logging(runtime: Runtime, *, listen: str | None = None, worker: bool = True) -> None:
    """Configure logging as the settings say; on a terminal, print the banner first."""
    settings = runtime.settings
    handler = configure_logging(settings.log_level)
    apply_log_format(handler, settings.log_format, sys.stderr)
    if sys.stderr.isatty():
        for line in banner_lines(runtime, listen=listen, worker=worker):
            click.echo(line, err=True)


__all__ = ["CONFIG_EXIT", "bound_socket", "check_metrics_port", "checked_runtime", "fail", "reach"]
