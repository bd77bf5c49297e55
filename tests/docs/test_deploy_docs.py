"""The operator docs keep up with the code: every setting in docs/runtime.md, and the apps
shown in docs/embedding.md are the files the example tests run."""

from __future__ import annotations

import re
from pathlib import Path

from hookgate.config import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_setting_is_in_the_settings_table() -> None:
    text = (DOCS / "runtime.md").read_text()
    missing = [k for k in Settings.model_fields if f"`HOOKGATE_{k.upper()}`" not in text]
    assert not missing, f"document these settings in docs/runtime.md#settings: {missing}"


def test_the_code_in_embedding_md_is_the_code_the_tests_run() -> None:
    page = (DOCS / "embedding.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", page, re.S)
    examples = {
        name: {line.strip() for line in (DOCS / "examples" / name).read_text().splitlines()}
        for name in ("starlette_app.py", "fastapi_app.py")
    }
    sections = {"starlette_app.py": "## Starlette\n", "fastapi_app.py": "## FastAPI\n"}
    for name, heading in sections.items():
        section = page.split(heading, 1)[1].split("\n## ", 1)[0]
        for block in re.findall(r"```python\n(.*?)```", section, re.S):
            for line in block.splitlines():
                if line.strip() and not line.strip().startswith("#"):
                    code = line.split("  #", 1)[0].strip()
                    assert any(code in known for known in examples[name]), (name, line)
    assert blocks
