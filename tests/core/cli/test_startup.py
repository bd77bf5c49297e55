"""Start-up that fails early: each misconfiguration is one line on stderr naming the setting and
the fix, exit status 2, and nothing touched the database (no file, no tables)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from click.testing import CliRunner
from hookgate.cli import main

from tests import pgadmin
from tests.conftest import TEST_SECRET_KEY

HOOKGATE = str(Path(sys.executable).with_name("hookgate"))


def clean_env(tmp_path: Path, **values: str) -> dict[str, str | None]:
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("HOOKGATE_")}
    env["HOOKGATE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'hookgate.db'}"
    env.update(values)
    return env


CASES = {
    "providers": (
        {"HOOKGATE_PROVIDERS": "githb,custom"},
        "HOOKGATE_PROVIDERS: unknown provider 'githb' (did you mean github?)",
    ),
    "integer": ({"HOOKGATE_PORT": "eighty"}, "HOOKGATE_PORT: Input should be a valid integer"),
    "choice": ({"HOOKGATE_LOG_FORMAT": "xml"}, "HOOKGATE_LOG_FORMAT: Input should be 'auto'"),
    "key": ({"HOOKGATE_SECRET_KEY": "not-a-key"}, "HOOKGATE_SECRET_KEY: key 1 of 1 is not"),
    "sink": ({"HOOKGATE_SINK": "htpp"}, "(did you mean http?)"),
    "http sink": ({"HOOKGATE_SINK": "http"}, "HOOKGATE_SINK=http needs HOOKGATE_SINK_URL"),
    "postgres key": (
        {"HOOKGATE_DATABASE_URL": "postgresql://hookgate@127.0.0.1:1/hookgate"},
        "HOOKGATE_SECRET_KEY is required with PostgreSQL: make one with `hookgate keygen`",
    ),
    "unreachable": (
        {
            "HOOKGATE_DATABASE_URL": "postgresql://hookgate@127.0.0.1:1/hookgate",
            "HOOKGATE_SECRET_KEY": TEST_SECRET_KEY,
        },
        "HOOKGATE_DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:1 (database 'hookgate', "
        "user 'hookgate')",
    ),
    "database": (
        {"HOOKGATE_DATABASE_URL": "mysql://hookgate@db/hookgate"},
        "HOOKGATE_DATABASE_URL: unsupported database 'mysql'",
    ),
    "same ports": (
        {"HOOKGATE_PORT": "9100", "HOOKGATE_METRICS_PORT": "9100"},
        "HOOKGATE_METRICS_PORT=9100 is also HOOKGATE_PORT",
    ),
}


@pytest.mark.parametrize("command", ["serve", "worker"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_misconfiguration_is_one_line_and_exit_2_before_any_migration(
    tmp_path: Path, case: str, command: str
) -> None:
    values, expected = CASES[case]
    if command == "worker" and case == "same ports":
        pytest.skip("the worker has no listener")
    result = CliRunner().invoke(main, [command], env=clean_env(tmp_path, **values))
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert expected in lines[0]
    assert list(tmp_path.iterdir()) == []  # no database file, no key file


def with_config_file(tmp_path: Path, command: str, text: str) -> tuple[Path, str]:
    """Run ``command`` with a config file holding ``text``; its stderr (after exit 2)."""
    config = tmp_path / "hookgate.toml"
    config.write_text(text)
    env = clean_env(tmp_path, HOOKGATE_CONFIG_FILE=str(config))
    result = CliRunner().invoke(main, [command], env=env)
    assert result.exit_code == 2, result.output
    return config, result.stderr


def test_config_file_keys_are_checked_with_a_suggestion(tmp_path: Path) -> None:
    text = 'databse_url = "sqlite:///x.db"\nport = 9000\n[github]\nclient_id = "x"\n'
    config, stderr = with_config_file(tmp_path, "serve", text)
    assert stderr.splitlines() == [
        f"error: databse_url in HOOKGATE_CONFIG_FILE ({config}): unknown setting "
        "(did you mean database_url?); fix or remove it (hookgate.example.toml lists every "
        "setting)"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hookgate.toml"]


def test_a_bad_value_in_the_config_file_names_the_key_and_never_echoes_it(tmp_path: Path) -> None:
    config, stderr = with_config_file(tmp_path, "worker", 'max_attempts = "very-secret-value"\n')
    assert stderr.startswith(f"error: max_attempts in HOOKGATE_CONFIG_FILE ({config}):")
    assert "very-secret-value" not in stderr


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    env = clean_env(tmp_path, HOOKGATE_PROVIDERS="jria", HOOKGATE_SECRET_KEY="x,y")
    result = CliRunner().invoke(main, ["serve"], env=env)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 3  # one provider, two keys


@pytest.mark.slow
def test_serve_names_port_when_the_port_is_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in clean_env(tmp_path).items() if v is not None}
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("HOOKGATE_")}, **env}
        done = subprocess.run(
            [HOOKGATE, "serve", "--port", str(port)], env=env, capture_output=True, timeout=120
        )
    assert done.returncode == 2
    assert done.stderr.decode().splitlines() == [
        f"error: port {port} on 127.0.0.1 is in use by another process; stop it or choose "
        "another port with --port"
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.postgres
def test_a_misconfigured_serve_creates_no_table_in_postgresql(postgres_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKGATE_")}
    env.update(
        HOOKGATE_DATABASE_URL=postgres_url,
        HOOKGATE_SECRET_KEY=TEST_SECRET_KEY,
        HOOKGATE_PROVIDERS="githb",
    )
    done = subprocess.run([HOOKGATE, "serve"], env=env, capture_output=True, timeout=120)
    assert done.returncode == 2
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1
    assert "unknown provider 'githb' (did you mean github?)" in lines[0]
    assert asyncio.run(_tables(postgres_url)) == []


async def _tables(url: str) -> list[str]:
    conn = await asyncpg.connect(pgadmin.plain_dsn(url))
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await conn.close()
    return [row["tablename"] for row in rows]
