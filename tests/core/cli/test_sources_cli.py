"""``hookgate sources ...`` as a shell user runs it: create and update with --set settings,
manual mode, sign (and the printed curl command, sent by real curl to a real server),
infer-schema and the schema subcommands."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import traceback
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hookgate import (
    EventIdentity,
    ProviderInfo,
    Runtime,
    SourceContext,
    Verification,
    WebhookRequest,
    hookimpl,
)
from hookgate.cli import main
from hookgate.plugins import PluginManager
from hookgate.services.events import list_events

from tests.conftest import TEST_SECRET_KEY
from tests.support import Served, eventually, serving, settings_for

JIRA = Path(__file__).resolve().parents[2] / "fixtures" / "jira"


class Cli:
    """Runs ``hookgate`` on one SQLite database, as a shell user would.

    In process, through click's runner (a subprocess per command costs seconds
    of interpreter start-up); tests/core/cli/test_providers_cli.py runs the
    installed console script itself.
    """

    def __init__(self, database: Path, **env: str) -> None:
        unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("HOOKGATE_")}
        self.env = {
            **unset,
            "HOOKGATE_DATABASE_URL": f"sqlite:///{database}",
            "HOOKGATE_SECRET_KEY": TEST_SECRET_KEY,
            "HOOKGATE_PROVIDERS": "custom,jira",
            **env,
        }

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        result = CliRunner().invoke(main, list(args), input=stdin, env=self.env)
        stderr = result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            stderr += "Traceback: " + "".join(traceback.format_exception(result.exception))
        return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, stderr)

    def ok(self, *args: str, stdin: str | None = None) -> str:
        result = self(*args, stdin=stdin)
        assert result.returncode == 0, result.stderr
        return result.stdout

    def json(self, *args: str, stdin: str | None = None) -> Any:
        return json.loads(self.ok(*args, "--json", stdin=stdin))

    def fails(self, *args: str) -> str:
        result = self(*args)
        assert result.returncode != 0, result.stdout
        assert "Traceback" not in result.stderr, result.stderr
        return result.stderr


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "hookgate.db")


@pytest.mark.slow
def test_create_takes_settings_typed_from_the_providers_model(cli: Cli) -> None:
    source = cli.json(
        "sources", "create", "--provider", "custom", "--name", "billing",
        "--set", "algorithm=sha512", "--set", "signature_header=X-Sig",
        "--set", "signature_format=hex", "--set", "signature-prefix=v0=",
        "--set", "timestamp_header=X-Ts", "--set", "signed_content=v0:{timestamp}:{body}",
        "--set", "tolerance=600", "--set", "event_type_field=type",
        "--secret", "a-secret-of-at-least-16-chars",
    )  # fmt: skip
    assert source["config"] == {
        "algorithm": "sha512",
        "signature_header": "X-Sig",
        "signature_format": "hex",
        "signature_prefix": "v0=",
        "timestamp_header": "X-Ts",
        "signed_content": "v0:{timestamp}:{body}",
        "tolerance": 600,  # an integer: the model's field says so
        "event_type_field": "type",
    }
    assert source["secret"] == "a-secret-of-at-least-16-chars"
    # Text stays text where the model wants text, even when it would parse as JSON.
    numeric = cli.json(
        "sources", "create", "--provider", "custom", "--name", "n", "--set", "signature_header=123"
    )
    assert numeric["config"]["signature_header"] == "123"
    # A boolean from another provider's model.
    jira = cli.json(
        "sources", "create", "--provider", "jira", "--name", "j", "--set", "include_secondary=no"
    )
    assert jira["config"] == {"include_secondary": False}

    preset = cli.json(
        "sources", "create", "--provider", "custom", "--name", "stripe",
        "--set", "preset=stripe-like", "--set", "event_type_header=X-Kind",
        "--set", "signature_separator=;", "--set", "delivery_id_field=data.id",
    )  # fmt: skip
    assert preset["config"]["preset"] == "stripe-like"
    assert preset["config"]["event_type_header"] == "X-Kind"
    assert preset["config"]["delivery_id_field"] == "data.id"
    assert preset["config"]["signature_separator"] == ";"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("flags", "messages"),
    [
        (
            ["--set", "algoritm=sha512"],
            [
                "unknown custom setting 'algoritm' (did you mean algorithm?)",
                "the custom settings are: preset, signature_format, algorithm, signature_header",
            ],
        ),
        (["--set", "algorithm=md5"], ["algorithm: must be one of sha1, sha256, sha512"]),
        (["--set", "signature_format=bogus"], ["signature_format: must be one of prefixed-hex"]),
        (["--set", "signed_content={timestamp}.{body}"], ["set timestamp_header"]),
        (["--set", "preset=nope"], ["unknown preset 'nope': use one of github-style"]),
        (["--set", "tolerance=0"], ["tolerance: Input should be greater than or equal to 1"]),
        (["--set", "tolerance=soon"], ["tolerance: Input should be a valid integer"]),
        (["--set", "tolerance=60", "--set", "tolerance=5"], ["tolerance is given twice"]),
        (["--set", "tolerance"], ["write KEY=VALUE"]),
        (["--set", "secret=hunter2hunter2hunter2"], ["'secret' is not a provider setting"]),
        (
            ["--signature-header", "X-Sig"],
            ["--signature-header is not an option", "--set signature_header=VALUE"],
        ),
    ],
)
def test_create_explains_bad_settings(cli: Cli, flags: list[str], messages: list[str]) -> None:
    error = cli.fails("sources", "create", "--provider", "custom", "--name", "x", *flags)
    for message in messages:
        assert message in " ".join(error.split()), error
    assert "hunter2" not in error
    assert cli.json("sources", "list") == []


def _flat(text: str) -> str:
    """Help text without click's line wrapping (which also breaks words after a dash)."""
    return " ".join(text.split()).replace("- ", "-")


@pytest.mark.slow
def test_create_help_lists_the_providers_settings(cli: Cli) -> None:
    custom = _flat(cli.ok("sources", "create", "--provider", "custom", "--help"))
    assert "Settings of custom (--set KEY=VALUE, repeat):" in custom
    assert "algorithm=sha1|sha256|sha512 HMAC hash algorithm. Default: sha256." in custom
    assert "tolerance=INTEGER Seconds a signed timestamp" in custom
    assert "preset=TEXT Fill the other settings from a preset: github-style" in custom
    # --help before --provider works too, and every provider lists its own model.
    jira = _flat(cli.ok("sources", "create", "--help", "--provider=jira"))
    assert "Settings of jira" in jira
    assert "include_secondary=true|false Keep deliveries of Jira's Secondary flow" in jira
    assert "algorithm" not in jira
    plain = _flat(cli.ok("sources", "create", "--help"))
    assert "add --provider P to --help to list them" in plain
    assert "signature" not in plain
    missing = _flat(cli.ok("sources", "create", "--provider", "nope", "--help"))
    assert "unknown provider 'nope'" in missing


@pytest.mark.slow
def test_update_merges_settings_and_unsets(cli: Cli) -> None:
    source = cli.json(
        "sources", "create", "--provider", "custom", "--name", "s",
        "--set", "signature_header=X-Sig", "--set", "algorithm=sha512",
    )  # fmt: skip
    changed = cli.json(
        "sources", "update", source["id"], "--set", "tolerance=60", "--unset", "signature_header"
    )
    # signature_header is back to its default; the other settings stay.
    assert changed["config"] == {
        "algorithm": "sha512",
        "tolerance": 60,
        "signature_header": "X-Signature",
    }
    error = cli.fails("sources", "update", source["id"], "--set", "algoritm=sha1")
    assert "did you mean algorithm?" in error
    renamed = cli.json("sources", "update", source["id"], "--name", "t", "--event", "a.b")
    assert (renamed["name"], renamed["events"]) == ("t", ["a.b"])
    assert renamed["config"]["tolerance"] == 60


@pytest.mark.slow
def test_manual_without_provider_instructions_prints_the_essentials(cli: Cli) -> None:
    out = cli.ok(
        "sources", "create", "--provider", "custom", "--name", "m", "--manual", "--event", "a.b"
    )
    assert "Configure the sender's webhook with:" in out
    assert "Events        a.b" in out
    data = cli.json("sources", "create", "--provider", "custom", "--name", "n", "--manual")
    assert data["secret"] in data["setup_instructions"]


@pytest.mark.slow
def test_manual_prints_github_instructions(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "h.db", HOOKGATE_PROVIDERS="github", HOOKGATE_PUBLIC_URL="https://h.test")
    data = cli.json(
        "sources", "create", "--provider", "github", "--name", "gh", "--manual",
        "--event", "pull_request",
    )  # fmt: skip
    assert data["url"] in data["setup_instructions"]
    assert data["secret"] in data["setup_instructions"]
    assert "pull_request" in data["setup_instructions"]


class ManualProvider:
    """A provider whose admins configure the webhook by hand, following its instructions."""

    @hookimpl
    def provider_info(self) -> ProviderInfo:
        return ProviderInfo(name="byhand", title="By hand")

    @hookimpl
    def event_schemas(self) -> list[Any]:
        return []

    @hookimpl
    def verify_signature(self, source: SourceContext, request: WebhookRequest) -> Verification:
        return Verification.ok()

    @hookimpl
    def identify_event(self, source: SourceContext, request: WebhookRequest) -> EventIdentity:
        return EventIdentity(event_type="webhook")

    @hookimpl
    def sign_payload(
        self, source: SourceContext, body: bytes, timestamp: datetime
    ) -> dict[str, str]:
        return {}

    @hookimpl
    def setup_instructions(self, source: SourceContext) -> str:
        return f"Paste {source.url} with secret {source.secrets[0]} into Settings > Hooks."


@pytest.fixture
def byhand_runtime(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> None:
    plugins = PluginManager(entry_points=False)
    assert plugins.add_provider(ManualProvider(), "byhand").status == "ok"
    settings = settings_for(sqlite_url)
    monkeypatch.setattr("hookgate.cli._common.Runtime", lambda: Runtime(settings, plugins=plugins))


@pytest.mark.usefixtures("byhand_runtime")
def test_manual_prints_the_provider_instructions() -> None:
    result = CliRunner().invoke(
        main, ["sources", "create", "--provider", "byhand", "--name", "h", "--manual", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["setup_instructions"] == (
        f"Paste {data['url']} with secret {data['secret']} into Settings > Hooks."
    )


async def _curl(command: str, cwd: Path) -> str:
    """Run the printed curl command in a shell; returns the HTTP status it got."""
    full = f"{command} --silent --output /dev/null --write-out '%{{http_code}}'"
    done = await asyncio.create_subprocess_exec(
        "bash", "-c", full, cwd=cwd, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await done.communicate()
    return out.decode()


async def _events(served: Served, source_id: str) -> list[Any]:
    return await list_events(served.runtime, served.actor, source_id=source_id)


@pytest.mark.slow
@pytest.mark.anyio
@pytest.mark.skipif(shutil.which("curl") is None, reason="needs curl")
@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["--set", "preset=stripe-like"],
        ["--set", "preset=slack-like"],
        ["--set", "preset=standard-webhooks", "--secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        ["--set", "signature_format=base64", "--set", "algorithm=sha1"],
    ],
    ids=["auto", "stripe", "slack", "standard-webhooks", "base64-sha1"],
)
async def test_signed_curl_command_is_accepted(
    tmp_path: Path, sqlite_url: str, flags: list[str]
) -> None:
    async with serving(settings_for(sqlite_url, providers="custom")) as served:
        cli = Cli(Path(sqlite_url.removeprefix("sqlite:///")), HOOKGATE_PUBLIC_URL=served.base_url)

        def run(*args: str, stdin: str | None = None) -> Any:
            return cli.json(*args, stdin=stdin)

        create = ["sources", "create", "--provider", "custom", "--name", "s", *flags]
        source = await asyncio.to_thread(run, *create)
        payload = tmp_path / "payload.json"
        payload.write_bytes(b'{"type": "invoice.paid", "id": "evt_1",\n "amount": 12}\n')

        signed = await asyncio.to_thread(run, "sources", "sign", source["id"], str(payload))
        assert signed["url"] == source["url"]
        assert signed["headers"]["Content-Type"] == "application/json"
        assert await _curl(signed["curl"], tmp_path) == "202"

        # From standard input, the body is inlined into the command.
        body = '{"type": "invoice.paid", "id": "evt_2"}'
        signed = await asyncio.to_thread(run, "sources", "sign", source["id"], "-", stdin=body)
        assert await _curl(signed["curl"], tmp_path) == "202"

        async def stored() -> bool:
            events = await _events(served, source["id"])
            return len(events) == 2 and all(e.status == "done" for e in events)

        await eventually(stored)


@pytest.mark.slow
def test_sign_human_output_and_errors(cli: Cli, tmp_path: Path) -> None:
    source = cli.json("sources", "create", "--provider", "custom", "--name", "s")
    payload = tmp_path / "p.json"
    payload.write_text('{"a": 1}')
    out = cli.ok("sources", "sign", source["id"], str(payload)).splitlines()
    assert out[0] == "Content-Type: application/json"
    assert out[1].startswith("X-Signature: sha256=")
    assert out[-1].startswith("curl http://127.0.0.1:8000/hooks/")
    assert out[-1].endswith(f"--data-binary @{payload}")

    assert "not JSON" in cli.fails("sources", "sign", source["id"], "-")
    assert "no source 'src_nope'" in cli.fails("sources", "sign", "src_nope", str(payload))
    assert "Could not open file" in cli.fails("sources", "sign", source["id"], str(tmp_path / "x"))


@pytest.mark.slow
@pytest.mark.anyio
async def test_infer_attach_list_show_delete(tmp_path: Path, sqlite_url: str) -> None:
    async with serving(settings_for(sqlite_url, providers="custom"), worker=False) as served:
        cli = Cli(Path(sqlite_url.removeprefix("sqlite:///")), HOOKGATE_PUBLIC_URL=served.base_url)
        source = await asyncio.to_thread(
            cli.json, "sources", "create", "--provider", "custom", "--name", "jira",
            "--set", "event_type_field=webhookEvent",
        )  # fmt: skip
        for path in sorted(JIRA.glob("*.json")):
            headers = await served.signed_headers(source["id"], path.read_bytes())
            response = await served.client.post(
                source["url"], content=path.read_bytes(), headers=headers
            )
            assert response.status_code == 202
        await asyncio.to_thread(_schema_commands, cli, source["id"], tmp_path)


def _schema_commands(cli: Cli, source_id: str, tmp_path: Path) -> None:
    inferred = cli.json("sources", "infer-schema", source_id, "--event", "jira:issue_updated")
    assert [(i["event_type"], i["samples"], i["saved"]) for i in inferred] == [
        ("jira:issue_updated", 2, False)
    ]
    human = cli.ok("sources", "infer-schema", source_id, "--last", "3")
    assert [line for line in human.splitlines() if line.startswith("#")] == [
        "# jira:issue_deleted: from 1 events",
        "# jira:issue_updated: from 2 events",
    ]

    saved = cli.json("sources", "infer-schema", source_id, "--save", "--closed")
    assert all(i["saved"] for i in saved)
    rows = cli.ok("sources", "schema", "list", source_id).splitlines()
    assert len(rows) == 6
    assert all(" inferred " in row for row in rows)

    # A closed inferred schema turns a typo in a trigger's filter into an error.
    error = cli.fails(
        "triggers", "create", "--source", source_id, "--agent", "a",
        "--event", "comment_created", "--filter", '(eq "coment.id" "1")',
    )  # fmt: skip
    assert 'did you mean "comment.id"' in error

    schema = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    out = cli.ok("sources", "schema", "attach", source_id, "--event", "ticket.done", str(path))
    assert "attached the schema of ticket.done" in out
    assert json.loads(cli.ok("sources", "schema", "show", source_id, "--event", "ticket.done")) == (
        schema
    )
    piped = cli.json(
        "sources", "schema", "attach", source_id, "--event", "other", "-",
        stdin=json.dumps(schema),
    )  # fmt: skip
    assert piped["origin"] == "attached"

    path.write_text('{"type": 12}')
    error = cli.fails("sources", "schema", "attach", source_id, "--event", "x", str(path))
    assert "not a valid JSON Schema at type" in error
    path.write_text("{nope")
    assert "is not valid JSON" in cli.fails(
        "sources", "schema", "attach", source_id, "--event", "x", str(path)
    )

    cli.ok("sources", "schema", "delete", source_id, "--event", "ticket.done")
    listed = cli.json("sources", "schema", "list", source_id)
    assert "ticket.done" not in {s["event_type"] for s in listed}
    assert "has no schema" in cli.fails(
        "sources", "schema", "delete", source_id, "--event", "ticket.done"
    )
