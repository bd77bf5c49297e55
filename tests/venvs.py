"""A fresh virtual environment with this checkout's hookgate-core, to install packages into."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def uv(*args: str, cwd: Path) -> None:
    """Run uv offline from its cache when the cache holds everything, else from the registry."""
    found = shutil.which("uv")
    assert found, "uv is needed to build the test environment"
    done = None
    for extra in (["--offline"], []):
        done = subprocess.run([found, *args, *extra], cwd=cwd, capture_output=True, text=True)
        if done.returncode == 0:
            return
    assert done is not None
    raise AssertionError(done.stdout + done.stderr)


def hookgate_venv(where: Path, *packages: str) -> Path:
    """A venv at ``where/venv`` with this checkout's hookgate-core (editable) and ``packages``."""
    uv("venv", "-q", "--python", sys.executable, "venv", cwd=where)
    venv = where / "venv"
    python = str(venv / "bin" / "python")
    uv("pip", "install", "-q", "--python", python, "-e", str(ROOT / "core"), *packages, cwd=where)
    return venv


def venv_env(venv: Path) -> dict[str, str]:
    """The environment of a shell with ``venv`` activated, without this session's HOOKGATE_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOOKGATE_", "VIRTUAL_ENV"))}
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


__all__ = ["ROOT", "hookgate_venv", "uv", "venv_env"]
