"""hookgate.example.toml documents every setting with its default, and loads."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest
from hookgate import Runtime
from hookgate.config import Settings
from hookgate.startup import checked_settings, runtime_problems

EXAMPLE = Path(__file__).resolve().parents[2] / "hookgate.example.toml"
#: Settings without a default TOML can write (None): shown as a commented line.
COMMENTED = re.compile(r"^# ?([a-z_]+) = ", re.MULTILINE)


def test_every_setting_is_in_the_example_file() -> None:
    text = EXAMPLE.read_text()
    written = set(tomllib.loads(text)) | set(COMMENTED.findall(text))
    missing = sorted(set(Settings.model_fields) - written)
    assert not missing, f"add these settings to hookgate.example.toml: {missing}"


def test_the_example_file_shows_the_defaults() -> None:
    values = tomllib.loads(EXAMPLE.read_text())
    for key, value in values.items():
        assert Settings.model_fields[key].default == value, f"{key} in hookgate.example.toml"


def test_the_example_file_loads_without_a_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("HOOKGATE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOOKGATE_CONFIG_FILE", str(EXAMPLE))
    settings = checked_settings()
    assert settings == Settings()
    assert runtime_problems(Runtime(settings)) == []
