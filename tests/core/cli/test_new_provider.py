"""``hookgate new-provider``: the package it writes installs and passes its own tests as it is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hookgate.cli import main
from hookgate.cli.new_provider import render

from tests.venvs import hookgate_venv, venv_env


def test_writes_a_complete_package(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["new-provider", "acme", "--directory", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    files = sorted(str(p.relative_to(tmp_path / "p")) for p in (tmp_path / "p").rglob("*"))
    assert files == [
        "README.md",
        "pyproject.toml",
        "src",
        "src/hookgate_acme",
        "src/hookgate_acme/__init__.py",
        "src/hookgate_acme/schemas",
        "src/hookgate_acme/schemas/item.created.json",
        "tests",
        "tests/test_contract.py",
        "tests/test_listed.py",
    ]
    pyproject = (tmp_path / "p" / "pyproject.toml").read_text()
    assert '[project.entry-points."hookgate.providers"]\nacme = "hookgate_acme"' in pyproject
    assert "[build-system]" in pyproject


@pytest.mark.parametrize("oauth", [False, True])
def test_every_python_file_compiles_and_names_the_provider(oauth: bool) -> None:
    files = render("acme_cloud", oauth=oauth)
    for path, text in files.items():
        if path.endswith(".py"):
            compile(text, path, "exec")
        assert "$" not in text.replace("$ref", ""), f"{path} has an unfilled placeholder"
    plugin = files["src/hookgate_acme_cloud/__init__.py"]
    assert 'name="acme_cloud"' in plugin
    assert ("needs_oauth=True" in plugin) is oauth
    assert ("src/hookgate_acme_cloud/fake_api.py" in files) is oauth


@pytest.mark.parametrize("name", ["Acme", "9lives", "class", "a", "acme-cloud"])
def test_a_name_that_cannot_be_a_module_is_refused(name: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["new-provider", name, "--directory", str(tmp_path)])
    assert result.exit_code == 2
    assert "lower-case letters, digits and underscores" in result.output


def test_an_existing_package_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("mine")
    result = CliRunner().invoke(main, ["new-provider", "acme", "--directory", str(tmp_path)])
    assert result.exit_code == 1
    assert "not empty" in result.output
    assert (tmp_path / "README.md").read_text() == "mine"


def _run(*args: str, cwd: Path, venv: Path) -> str:
    done = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, env=venv_env(venv), timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_generated_packages_install_and_pass_their_own_tests(tmp_path: Path) -> None:
    hookgate = str(Path(sys.executable).with_name("hookgate"))
    subprocess.run([hookgate, "new-provider", "acme"], cwd=tmp_path, check=True)
    subprocess.run([hookgate, "new-provider", "acme_cloud", "--oauth"], cwd=tmp_path, check=True)
    venv = hookgate_venv(
        tmp_path, "-e", "./hookgate-acme[test]", "-e", "./hookgate-acme-cloud[test]"
    )
    python = str(venv / "bin" / "python")
    for package in ("hookgate-acme", "hookgate-acme-cloud"):
        report = _run(
            python, "-m", "pytest", "-q", "-p", "no:cacheprovider", package, cwd=tmp_path, venv=venv
        )
        assert "failed" not in report, report
    listed = _run(str(venv / "bin" / "hookgate"), "providers", cwd=tmp_path, venv=venv)
    rows = {line.split()[0]: line.split()[-1] for line in listed.splitlines() if line[:1] != " "}
    assert rows == {"acme": "ok", "acme_cloud": "ok"}, listed
