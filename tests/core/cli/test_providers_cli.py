"""``hookgate --version`` and ``hookgate providers`` through the installed console script."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import hookgate

HOOKGATE = str(Path(sys.executable).with_name("hookgate"))


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOOKGATE_")}
    return subprocess.run(
        [HOOKGATE, *args], capture_output=True, text=True, env={**environment, **env}, check=False
    )


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert hookgate.__version__ in result.stdout


def test_providers_json_lists_the_built_in_providers() -> None:
    result = run("providers", "--json")
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert {"github", "jira", "zendesk", "custom"} <= set(rows)
    for name in ("github", "jira", "zendesk", "custom"):
        assert rows[name]["status"] == "ok"
        assert rows[name]["distribution"] == f"hookgate-{name}"
        assert rows[name]["version"]
    assert "pull_request" in rows["github"]["events"]
    # Each provider's source settings, as its model's JSON Schema (null: it takes none).
    custom = rows["custom"]["config_schema"]
    assert custom["properties"]["algorithm"]["enum"] == ["sha1", "sha256", "sha512"]
    assert custom["additionalProperties"] is False
    assert rows["zendesk"]["config_schema"]["properties"]["tolerance_seconds"]["type"] == "integer"
    assert rows["github"]["config_schema"] is None


def test_selection_shows_others_as_disabled() -> None:
    result = run("providers", HOOKGATE_PROVIDERS="custom")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line[:1].strip()}
    assert lines["custom"].endswith("ok")
    for name in ("github", "jira", "zendesk"):
        assert lines[name].endswith("disabled")
