"""``hookgate keygen`` and ``hookgate config check``; the banner and the text log format."""

from __future__ import annotations

import io
import json
import logging
import os
from pathlib import Path

from click.testing import CliRunner
from cryptography.fernet import Fernet
from hookgate import Runtime
from hookgate.banner import banner_lines
from hookgate.cli import main
from hookgate.log_format import TextFormatter, apply_log_format
from hookgate.logs import configure_logging

from tests.conftest import TEST_SECRET_KEY
from tests.support import settings_for


def env_for(tmp_path: Path, **values: str) -> dict[str, str | None]:
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("HOOKGATE_")}
    env["HOOKGATE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'hookgate.db'}"
    env.update(values)
    return env


def test_keygen_prints_a_new_fernet_key_each_time() -> None:
    first = CliRunner().invoke(main, ["keygen"]).stdout.strip()
    name, _, key = first.partition("=")
    assert name == "HOOKGATE_SECRET_KEY"
    Fernet(key)  # a valid key
    bare = CliRunner().invoke(main, ["keygen", "--bare"]).stdout.strip()
    assert bare != key
    Fernet(bare)


def test_config_check_prints_effective_settings_with_secrets_masked(tmp_path: Path) -> None:
    config = tmp_path / "hookgate.toml"
    config.write_text('sink_secret = "whsec_KNOWN-secret"\nretention_days = 7\n')
    env = env_for(
        tmp_path,
        HOOKGATE_CONFIG_FILE=str(config),
        HOOKGATE_SECRET_KEY=TEST_SECRET_KEY,
        HOOKGATE_PORT="9001",
    )
    result = CliRunner().invoke(main, ["config", "check", "--json"], env=env)
    assert result.exit_code == 0, result.output
    rows = {row["setting"]: row for row in json.loads(result.stdout)}
    assert rows["HOOKGATE_PORT"] == {
        "setting": "HOOKGATE_PORT",
        "value": "9001",
        "from": "HOOKGATE_PORT",
    }
    assert rows["HOOKGATE_RETENTION_DAYS"]["value"] == "7"
    assert rows["HOOKGATE_RETENTION_DAYS"]["from"].startswith("retention_days in HOOKGATE_CONFIG")
    assert rows["HOOKGATE_HOST"]["from"] == "default"
    assert rows["HOOKGATE_SECRET_KEY"]["value"] == "*** (set)"
    assert "KNOWN-secret" not in result.stdout
    assert TEST_SECRET_KEY not in result.stdout
    assert list(tmp_path.iterdir()) == [config]  # checking opened no database

    human = CliRunner().invoke(main, ["config", "check"], env=env)
    assert human.stdout.splitlines()[-1] == "configuration OK"


def test_config_check_exits_2_with_each_problem(tmp_path: Path) -> None:
    env = env_for(tmp_path, HOOKGATE_PROVIDERS="zendsk", HOOKGATE_MAX_ATTEMPTS="0")
    result = CliRunner().invoke(main, ["config", "check"], env=env)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: HOOKGATE_MAX_ATTEMPTS: Input should be greater than or equal to 1; "
        "fix it (default 16)"
    ]


def test_the_banner_names_what_an_operator_checks_and_no_secret(sqlite_url: str) -> None:
    settings = settings_for(
        sqlite_url,
        providers="custom",
        sink="http",
        sink_url="https://user:token@agents.example/runs?key=k",
        sink_secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        public_url="https://hooks.example",
    )
    text = "\n".join(banner_lines(Runtime(settings), listen="http://0.0.0.0:8000"))
    assert "providers" in text
    assert "custom" in text
    assert "HOOKGATE_SECRET_KEY (1 key)" in text
    assert "http → https://agents.example/runs" in text
    assert "https://hooks.example" in text
    assert "token" not in text
    assert "key=k" not in text
    assert TEST_SECRET_KEY not in text


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_text_logs_on_a_terminal_json_elsewhere() -> None:
    record = logging.LogRecord(
        "hookgate.x", logging.WARNING, __file__, 1, "disk %s", ("full",), None
    )
    record.fields = {"source": "src_1"}
    assert TextFormatter().format(record).endswith("WARNING hookgate.x  disk full  source=src_1")
    assert "\x1b[33m" in TextFormatter(colour=True).format(record)

    for stream, log_format, text in [
        (Terminal(), "auto", True),
        (io.StringIO(), "auto", False),
        (io.StringIO(), "text", True),
        (Terminal(), "json", False),
    ]:
        handler = configure_logging("INFO", stream)
        try:
            apply_log_format(handler, log_format, stream)
            logging.getLogger("hookgate.test").warning("hello")
        finally:
            logging.getLogger().removeHandler(handler)
        line = stream.getvalue().strip()
        assert line.startswith("{") is not text, (log_format, line)
