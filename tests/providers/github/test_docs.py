"""docs/github.md stays true: every event, scope and setting, and every field it names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hookgate.filters import check_filter
from hookgate.provider_hooks import ProviderHooks
from hookgate_github.oauth import SCOPES
from hookgate_github.settings import GitHubSettings

DOCS = (Path(__file__).resolve().parents[3] / "docs" / "github.md").read_text()
FIELD = re.compile(r"`([a-z_][a-z0-9_]*(?:\.(?:[a-z0-9_]+|\*))*)`")


def _section(event: str) -> str:
    return DOCS.split(f"\n### {event}\n", 1)[1].split("\n#", 1)[0]


def test_every_event_type_has_a_section(hooks: ProviderHooks) -> None:
    for schema in hooks.event_schemas():
        assert f"\n### {schema.event_type}\n" in DOCS, f"docs/github.md: add {schema.event_type}"


@pytest.mark.parametrize("scope", SCOPES)
def test_every_scope_is_explained(scope: str) -> None:
    assert re.search(rf"^\| `{re.escape(scope)}` \| \w", DOCS, re.M), f"explain {scope}"


@pytest.mark.parametrize("name", sorted(GitHubSettings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"HOOKGATE_GITHUB_{name.upper()}" in DOCS


def test_documented_fields_exist_in_the_schemas(hooks: ProviderHooks) -> None:
    wrong = []
    for schema in hooks.event_schemas():
        for line in _section(schema.event_type).splitlines():
            if not line.lstrip().startswith(("- `", "`")) and not line.startswith("  `"):
                continue
            for path in FIELD.findall(line):
                expression = f'(exists "{path}")'
                found = check_filter(
                    expression, schema.json_schema, resources=schema.resources, warnings=True
                )
                wrong += [f"{schema.event_type}: {path}: {p.message}" for p in found]
    assert wrong == []
