"""The Dockerfile and compose.yaml say what docs/deploy.md promises (CI builds the image
where a Docker daemon exists: .ci/run); ``hookgate migrate`` brings a schema up to date."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from hookgate.cli import main

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def test_the_image_is_multi_stage_non_root_and_built_from_the_lockfile() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert len(stages) == 2
    assert all("-slim" in stage for stage in stages)
    assert "uv sync --locked --no-dev --all-packages --no-editable" in text
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users == ["hookgate"]
    assert re.search(r"^HEALTHCHECK .*\n.*readyz", text, re.MULTILINE)


def test_compose_runs_postgres_one_ingest_node_two_workers_and_migrations_once() -> None:
    services = compose()["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert "healthcheck" in services["postgres"]
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["restart"] == "no"
    assert services["serve"]["command"] == ["serve", "--no-worker"]
    assert services["worker"]["command"] == ["worker"]
    assert services["worker"]["deploy"]["replicas"] == 2
    for name in ("serve", "worker"):
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }
        assert "test" in services[name]["healthcheck"]
        url = services[name]["environment"]["HOOKGATE_DATABASE_URL"]
        assert url.startswith("postgresql://")
        assert "@postgres:5432/" in url
        assert "HOOKGATE_SECRET_KEY" in services[name]["environment"]
    assert "pgdata" in compose()["volumes"]
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    assert "HOOKGATE_METRICS_PORT" not in services["worker"]["environment"]


def test_migrate_creates_the_schema_and_exits(tmp_path: Path) -> None:
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("HOOKGATE_")}
    env["HOOKGATE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'hookgate.db'}"
    for _ in range(2):  # a second run has nothing to do
        result = CliRunner().invoke(main, ["migrate"], env=env)
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == "the database schema is up to date"
    with sqlite3.connect(tmp_path / "hookgate.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"events", "sources", "alembic_version"} <= tables
