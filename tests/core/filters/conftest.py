"""Real GitHub payloads and GitHub's published JSON schemas for the filter tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parents[2] / "fixtures" / "github"
SCHEMAS = FIXTURES / "schemas" / "api.github.com"


@pytest.fixture(scope="session")
def pull_request() -> Any:
    """``pull_request`` / ``opened``: 1 changed file, one label ``bug``."""
    return json.loads((FIXTURES / "pull_request.opened.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def issue_labeled() -> Any:
    return json.loads((FIXTURES / "issues.labeled.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def github_resources() -> dict[str, Any]:
    """Every ``common/*.schema.json``, keyed by its ``$id`` (see tests/fixtures/README.md)."""
    resources: dict[str, Any] = {}
    for path in sorted((SCHEMAS / "common").glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources[schema["$id"]] = schema
    return resources


@pytest.fixture(scope="session")
def pull_request_opened_schema() -> Any:
    return json.loads((SCHEMAS / "pull_request" / "opened.schema.json").read_text("utf-8"))


@pytest.fixture(scope="session")
def issues_labeled_schema() -> Any:
    return json.loads((SCHEMAS / "issues" / "labeled.schema.json").read_text("utf-8"))
