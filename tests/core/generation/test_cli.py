"""``hookgate filter generate`` through the installed console script, against a fake model."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hookgate.cli import main

from tests.conftest import TEST_SECRET_KEY
from tests.core.generation.fake_llm import MODEL, FakeLLM, fake_llm, tool_call
from tests.support import serving, settings_for

slow = pytest.mark.slow

HOOKGATE = Path(sys.executable).with_name("hookgate")
WANTED = '(and (eq "action" "opened") (gt "pull_request.changed_files" 20))'


async def hookgate(
    tmp_path: Path, fake: FakeLLM | None, *args: str, database_url: str | None = None
) -> tuple[int, str, str]:
    """Run the console script without blocking the loop the fake model is served from."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKGATE_")}
    env["HOOKGATE_SECRET_KEY"] = TEST_SECRET_KEY
    env["HOOKGATE_DATABASE_URL"] = database_url or f"sqlite:///{tmp_path / 'cli.db'}"
    if fake is not None:
        env |= {"HOOKGATE_LLM_BASE_URL": fake.base_url, "HOOKGATE_LLM_MODEL": MODEL}
        env["HOOKGATE_LLM_API_KEY"] = "sk-cli-test-key-0000"
    process = await asyncio.create_subprocess_exec(
        str(HOOKGATE),
        "filter",
        "generate",
        *args,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


@slow
@pytest.mark.anyio
async def test_prints_the_filter_on_stdout_and_the_checks_on_stderr(tmp_path: Path) -> None:
    async with fake_llm(tool_call('(gt "pull_request.title" 20)'), tool_call(WANTED)) as fake:
        code, out, err = await hookgate(
            tmp_path,
            fake,
            "PRs opened with over 20 files",
            "--provider",
            "github",
            "--event",
            "pull_request",
        )
    assert (code, out) == (0, WANTED + "\n"), err
    assert "checked against the github pull_request schema; 2 attempts" in err
    assert "repaired: line 1, column 1: error: gt needs a number" in err
    assert "dry run: matches 0 of 1 provider sample" in err
    assert "save it: hookgate triggers create --source SOURCE_ID --agent AGENT_ID" in err
    assert not (tmp_path / "cli.db").exists()  # no source, so no database


@slow
@pytest.mark.anyio
async def test_json_with_a_source_includes_the_dry_run_on_stored_events(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    async with (
        serving(settings_for(url), worker=False) as served,
        fake_llm(tool_call('(eq "action" "opened")')) as fake,
    ):
        source = await served.custom_source()
        for number, action in enumerate(["opened", "closed", "opened"]):
            await served.send(source, {"action": action, "number": number})
        code, out, err = await hookgate(
            tmp_path, fake, "opened things", "--source", source.id, "--json", database_url=url
        )
    assert code == 0, err
    result = json.loads(out)
    assert result["filter"] == '(eq "action" "opened")'
    assert result["provider"] == "custom"
    assert result["schema_checked"] is False
    assert result["dry_run"]["summary"] == "would have matched 2 of the 3 stored events"
    assert len(result["dry_run"]["matched_event_ids"]) == 2


@slow
@pytest.mark.anyio
async def test_no_valid_filter_exits_1_with_the_last_problem(tmp_path: Path) -> None:
    async with fake_llm(tool_call('(gt "ref" 1)')) as fake:
        code, out, _ = await hookgate(
            tmp_path, fake, "anything", "--provider", "github", "--event", "push", "--json"
        )
    assert code == 1
    message = json.loads(out)["error"]["message"]
    assert message.startswith("no valid filter after 3 attempt(s); the last problem: line 1")


# In process from here: the exit codes and messages, not the installed script, are under test.


def generate(*args: str) -> Result:
    unset = {"HOOKGATE_LLM_BASE_URL": "", "HOOKGATE_LLM_MODEL": ""}
    return CliRunner(env=unset).invoke(main, ["filter", "generate", *args])


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("x", "--provider", "github", "--event", "push"),
            1,
            "error: filter generation is not "
            "configured: HOOKGATE_LLM_BASE_URL and HOOKGATE_LLM_MODEL are not set",
        ),
        (("x", "--provider", "github", "--event", "nope"), 2, "unknown event type 'nope'"),
        (("x", "--provider", "github"), 2, "choose the github event type"),
        (("x",), 2, "give --provider (and --event), or --source"),
    ],
)
def test_failures_and_bad_arguments_say_what_to_do(
    args: tuple[str, ...], code: int, message: str
) -> None:
    result = generate(*args)
    assert (result.exit_code, result.stdout) == (code, "")
    assert message in result.stderr
