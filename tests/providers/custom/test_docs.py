"""docs/custom.md is exact: its shell examples verify, and it covers every preset and setting."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hookgate_custom import CustomSettings, identify_event, preset_names

from tests.providers.custom.support import request, source, verify

DOC = Path(__file__).resolve().parents[3] / "docs" / "custom.md"
EXAMPLE = re.compile(r"<!-- example: (\{.*?\}) -->\n```sh\n(.*?)```", re.S)

# `curl` is replaced by a function that writes its arguments, NUL-separated, to fd 3.
HARNESS = """set -euo pipefail
curl() { printf '%s\\0' "$@" >&3; }
"""


def _examples() -> list[tuple[dict[str, Any], str]]:
    return [(json.loads(meta), script) for meta, script in EXAMPLE.findall(DOC.read_text())]


def _run(script: str) -> tuple[dict[str, str], bytes, str]:
    """Run an example; return the headers and body it would send, and its $SECRET."""
    full = HARNESS + script + '\nprintf "%s" "${SECRET-}" >&4\n'
    done = subprocess.run(
        ["bash", "-c", f"exec 3>&1 4>&2; {{ {full}\n}} 1>/dev/null 2>/dev/null"],
        capture_output=True,
        timeout=30,
        check=True,
    )
    args = done.stdout.split(b"\0")[:-1]
    headers: dict[str, str] = {}
    body = b""
    for flag, value in zip(args, [*args[1:], b""], strict=True):
        if flag == b"-H":
            name, _, text = value.decode().partition(":")
            headers[name.strip()] = text.strip()
        elif flag == b"--data-binary":
            body = value
    return headers, body, done.stderr.decode()


def _example_id(value: object) -> str:
    if isinstance(value, dict):
        settings = value["settings"]
        return str(settings.get("preset") or settings.get("signature_format"))
    return ""


def test_every_format_has_an_example() -> None:
    formats = {
        CustomSettings.model_validate(meta["settings"]).signature_format for meta, _ in _examples()
    }
    assert formats == {"prefixed-hex", "hex", "base64", "auto", "standard-webhooks", "none"}


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("openssl") is None, reason="the examples need openssl")
@pytest.mark.parametrize(
    ("meta", "script"), _examples(), ids=lambda v: json.dumps(v)[:60] if isinstance(v, dict) else ""
)
def test_shell_example_verifies(meta: dict[str, Any], script: str) -> None:
    headers, body, secret = _run(script)
    assert body, "the example sends no body"
    src = source(meta["settings"], secrets=(secret,) if secret else ())
    result = verify(src, body, headers, at=datetime.now(UTC))
    assert result.valid, result.reason
    if "event_type" in meta:
        identity = identify_event(src, request(body, headers))
        assert identity.event_type == meta["event_type"]


def test_docs_name_every_preset_and_setting() -> None:
    text = DOC.read_text()
    for name in preset_names():
        assert f"`{name}`" in text, f"docs/custom.md does not describe preset {name}"
    for field in CustomSettings.model_fields:
        assert f"| `{field}` |" in text, f"the settings reference lacks {field}"


def test_docs_state_the_dedup_fallback() -> None:
    sentence = (
        "without a delivery id, hookgate deduplicates identical bodies received within "
        "HOOKGATE_DEDUP_WINDOW seconds, default 300"
    )
    assert sentence.lower() in " ".join(DOC.read_text().split()).lower()
