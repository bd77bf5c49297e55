"""Every code block in docs/hooks.md runs: Python and TOML here, the shell tutorial in a venv."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import types
from dataclasses import dataclass
from pathlib import Path

import pluggy
import pytest
from hookgate import hookspecs

from tests.venvs import hookgate_venv, venv_env

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "hooks.md"
LANGUAGES = {"python", "sh", "toml"}


@dataclass(frozen=True)
class Block:
    language: str
    code: str
    line: int

    def __str__(self) -> str:
        return f"{self.language}@{self.line}"


def blocks() -> list[Block]:
    found, current, start, language = [], [], 0, ""
    inside = False
    for number, line in enumerate(GUIDE.read_text().splitlines(), 1):
        if line.startswith("```") and not inside:
            inside, language, start, current = True, line[3:].strip(), number, []
        elif line.startswith("```"):
            inside = False
            found.append(Block(language, "\n".join(current) + "\n", start))
        elif inside:
            current.append(line)
    assert not inside, f"docs/hooks.md: the block at line {start} is never closed"
    return found


BLOCKS = blocks()


def of(language: str) -> list[Block]:
    return [b for b in BLOCKS if b.language == language]


def test_every_block_is_one_the_tests_run() -> None:
    unknown = [
        f"line {b.line}: {b.language or '(none)'}" for b in BLOCKS if b.language not in LANGUAGES
    ]
    assert not unknown, f"give each block in docs/hooks.md one of {sorted(LANGUAGES)}: {unknown}"


@pytest.mark.parametrize("block", of("python"), ids=str)
def test_python_block_runs_and_its_hooks_match_the_specs(block: Block) -> None:
    name = f"hooks_md_{block.line}"
    module = types.ModuleType(name)
    sys.modules[name] = module  # pydantic and dataclasses look their module up
    try:
        exec(compile(block.code, f"docs/hooks.md:{block.line}", "exec"), module.__dict__)  # noqa: S102
        manager = pluggy.PluginManager(hookspecs.PROJECT)
        manager.add_hookspecs(hookspecs)
        manager.register(module)  # an argument the spec does not have fails here
        manager.check_pending()  # a misspelt hook name fails here
    finally:
        del sys.modules[name]


@pytest.mark.parametrize("block", of("toml"), ids=str)
def test_toml_block_parses_and_names_a_known_entry_point_group(block: Block) -> None:
    document = tomllib.loads(block.code)
    groups = set(document.get("project", {}).get("entry-points", {}))
    assert groups <= {hookspecs.ENTRY_POINT_GROUP, hookspecs.PLUGIN_ENTRY_POINT_GROUP}


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_shell_blocks_run_in_order(tmp_path: Path) -> None:
    """The tutorial, as a reader types it, in a fresh venv that has hookgate installed."""
    venv = hookgate_venv(tmp_path, "pytest")
    script = "set -euo pipefail\n" + "".join(b.code for b in of("sh"))
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=venv_env(venv),
        timeout=840,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "the kit caught it" in output
    assert "How to fix the provider" in output
    assert any(
        line.split()[:1] == ["acme"] and line.split()[-1] == "ok" for line in output.splitlines()
    )
    assert list((tmp_path / "hookgate-acme" / "dist").glob("hookgate_acme-0.1.0-*.whl"))
