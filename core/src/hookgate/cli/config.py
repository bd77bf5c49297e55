"""``hookgate config check``: validate a configuration, show the effective settings."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import click
from pydantic import SecretStr
from sqlalchemy.engine import make_url

from hookgate.banner import key_source
from hookgate.cli._common import emit, json_option, table
from hookgate.cli.preflight import fail, reach
from hookgate.config import CONFIG_FILE, Settings, config_file_values
from hookgate.runtime import Runtime
from hookgate.startup import (
    StartupError,
    checked_settings,
    runtime_problems,
    setting_name,
)


@click.group("config")
def config_group() -> None:
    """Check the configuration (HOOKGATE_* variables and HOOKGATE_CONFIG_FILE)."""


@config_group.command("check")
@click.option("--no-database", is_flag=True, help="Do not try to connect to the database.")
@json_option
def check(no_database: bool, as_json: bool) -> None:
    """Validate the configuration and print the effective settings, secrets masked.

    Exits 2 with one line per problem on stderr. Never creates a database or migrates.
    """
    try:
        runtime = Runtime(checked_settings())
    except StartupError as exc:
        fail(exc.problems)
    problems = runtime_problems(runtime)
    if not problems and not no_database:
        found = asyncio.run(reach(runtime.settings.database_url))
        problems = [found] if found else []
    if problems:
        fail(problems)
    rows = effective_settings(runtime.settings)
    lines = table([[r["setting"], r["value"], r["from"]] for r in rows])
    lines += ["", f"key for secrets at rest: {key_source(runtime)}", "configuration OK"]
    emit(rows, as_json, lines)


def effective_settings(settings: Settings) -> list[dict[str, str]]:
    """Each setting's value (secrets masked) and where it came from."""
    file_values = config_file_values()
    rows = []
    for key in Settings.model_fields:
        origin = setting_name(key, file_values)
        if origin.startswith("HOOKGATE_") and origin not in os.environ:
            origin = "default"
        value = masked(key, getattr(settings, key))
        rows.append({"setting": "HOOKGATE_" + key.upper(), "value": value, "from": origin})
    if os.environ.get(CONFIG_FILE):
        rows.append({"setting": CONFIG_FILE, "value": os.environ[CONFIG_FILE], "from": CONFIG_FILE})
    return rows


def masked(key: str, value: Any) -> str:
    """A setting's value for display: secrets as ``***``, a database password hidden."""
    if isinstance(value, SecretStr):
        return "*** (set)" if value.get_secret_value() else "(empty)"
    if value is None:
        return "(unset)"
    if key == "database_url":
        return make_url(str(value)).render_as_string(hide_password=True)
    if key == "sink_url" and value:
        return "*** (set)" if "@" in str(value) or "?" in str(value) else str(value)
    return str(value)
