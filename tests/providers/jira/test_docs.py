"""docs/jira.md stays true: every event, scope and setting, and the filters it shows type-check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hookgate.filters import check_filter
from hookgate.plugins import PluginManager
from hookgate_jira.oauth import SCOPES
from hookgate_jira.settings import JiraInstallation

DOCS = (Path(__file__).resolve().parents[3] / "docs" / "jira.md").read_text()
SCHEMAS = {s.event_type: s for s in PluginManager(["jira"]).provider("jira").event_schemas()}


def _section(event: str) -> str:
    return DOCS.split(f"\n### {event}\n", 1)[1].split("\n#", 1)[0]


@pytest.mark.parametrize("event", sorted(SCHEMAS))
def test_every_event_type_has_a_section_whose_filters_type_check(event: str) -> None:
    assert f"\n### {event}\n" in DOCS, f"docs/jira.md: add {event}"
    for expression in re.findall(r"`(\(.+?\))`", _section(event)):
        assert check_filter(expression, SCHEMAS[event].json_schema) == [], expression


@pytest.mark.parametrize("scope", SCOPES)
def test_every_scope_is_explained(scope: str) -> None:
    assert re.search(rf"^\| `{re.escape(scope)}` \| \w", DOCS, re.M), f"explain {scope}"


@pytest.mark.parametrize("name", sorted(JiraInstallation.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"HOOKGATE_JIRA_{name.upper()}" in DOCS
