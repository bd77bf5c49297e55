"""``hookgate filter check|test|fmt``: output and exit codes as scripts rely on them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hookgate.cli import main

FIXTURES = Path(__file__).parents[2] / "fixtures" / "github"
PULL_REQUEST = str(FIXTURES / "pull_request.opened.json")  # 1 changed file, label "bug"


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, ["filter", *args], input=stdin)


# -- test ----------------------------------------------------------------------------


def test_a_matching_payload_prints_match_and_exits_0() -> None:
    result = run("test", '(has "pull_request.labels.*.name" "bug")', PULL_REQUEST)
    assert (result.exit_code, result.stdout) == (0, "match\n")


def test_a_payload_that_does_not_match_prints_no_match_and_exits_1() -> None:
    result = run("test", '(has "pull_request.labels.*.name" "wip")', PULL_REQUEST)
    assert (result.exit_code, result.stdout) == (1, "no match\n")


def test_explain_says_which_condition_failed() -> None:
    result = run(
        "test",
        '(and (eq action opened) (gt "pull_request.changed_files" 20))',
        PULL_REQUEST,
        "--explain",
    )
    assert result.exit_code == 1
    assert result.stdout == (
        'no match\n  line 1, column 25: "pull_request.changed_files" is 1, expected > 20\n'
    )


def test_json_output_of_test() -> None:
    result = run("test", "(eq action opened)", PULL_REQUEST, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["matched"] is True
    assert data["reasons"][0]["value"] == "opened"


def test_the_payload_can_come_from_stdin() -> None:
    result = run("test", "(eq a 1)", "-", stdin='{"a": 1}')
    assert (result.exit_code, result.stdout) == (0, "match\n")


def test_the_expression_can_come_from_stdin() -> None:
    result = run("test", "-", PULL_REQUEST, stdin="(eq action closed)\n")
    assert (result.exit_code, result.stdout) == (1, "no match\n")


def test_both_from_stdin_is_a_usage_error() -> None:
    result = run("test", "-", "-", stdin="")
    assert result.exit_code == 2
    assert "only one of EXPRESSION and PAYLOAD_FILE" in result.stderr


def test_an_invalid_expression_exits_2_with_a_caret(tmp_path: Path) -> None:
    result = run("test", '(has "tags.*.name" bug', PULL_REQUEST)
    assert result.exit_code == 2
    assert result.stdout == ""
    source, caret, message = result.stderr.splitlines()
    assert source == '1 | (has "tags.*.name" bug'
    assert caret.index("^") == len(source)
    assert message.startswith("error: unexpected end of the filter")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (None, "cannot read the payload"),
        ("{not json", "is not valid JSON"),
        ("", "is not valid JSON"),
        ("[" * 5000 + "]" * 5000, "nested deeper than 128 levels"),
        ('{"a": NaN}', "NaN and Infinity are not JSON numbers"),
    ],
)
def test_an_unreadable_payload_exits_2(tmp_path: Path, content: str | None, fragment: str) -> None:
    path = tmp_path / "payload.json"
    if content is not None:
        path.write_text(content)
    result = run("test", "(eq a 1)", str(path))
    assert result.exit_code == 2
    assert fragment in result.stderr


def test_a_payload_that_is_not_utf8_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "payload.json"
    path.write_bytes(b'{"a": "\xff"}')
    result = run("test", "(eq a 1)", str(path), "--json")
    assert result.exit_code == 2
    assert "not valid JSON" in json.loads(result.stdout)["error"]["message"]


# -- check ---------------------------------------------------------------------------


def test_check_of_a_valid_expression_exits_0() -> None:
    result = run("check", "(and (eq action opened) (gt pull_request.changed_files 20))")
    assert (result.exit_code, result.stdout) == (0, "valid\n")


def test_check_of_an_invalid_expression_exits_2_with_a_suggestion() -> None:
    result = run("check", '(starts_with "ref" "refs/heads/")')
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[:2] == ['1 | (starts_with "ref" "refs/heads/")', "     ^^^^^^^^^^^"]
    assert "did you mean 'starts-with'?" in lines[2]


def test_check_json_of_an_invalid_expression() -> None:
    result = run("check", "(eq a 1) x", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "valid": False,
        "error": {
            "message": json.loads(result.stdout)["error"]["message"],
            "line": 1,
            "column": 10,
            "text": "x",
        },
    }


def test_check_against_a_provider_schema_reports_type_mismatches() -> None:
    expression = '(and (eq "action" "opened")\n     (gt "pull_request.title" 3))'
    result = run("check", expression, "--provider", "github", "--event", "pull_request")
    assert result.exit_code == 2
    assert result.stdout == "invalid\n"
    assert "2 |      (gt" in result.stderr
    assert "error: gt needs a number" in result.stderr


def test_check_against_a_provider_schema_passes_a_fitting_filter() -> None:
    result = run(
        "check",
        '(and (eq action opened) (has "pull_request.labels.*.name" "bug"))',
        "--provider",
        "github",
        "--event",
        "pull_request",
        "--json",
    )
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["valid"] is True
    assert data["fields"] == ["action", "pull_request.labels.*.name"]
    assert [p for p in data["problems"] if p["severity"] == "error"] == []


def test_warnings_are_shown_and_fail_only_with_strict() -> None:
    args = [
        "check",
        '(eq "pull_request.tilte" "x")',
        "--provider",
        "github",
        "--event",
        "pull_request",
    ]
    relaxed = run(*args)
    assert relaxed.exit_code == 0
    assert 'warning: "pull_request.tilte"' in relaxed.stderr
    assert 'did you mean "pull_request.title"?' in relaxed.stderr
    assert run(*args, "--strict").exit_code == 2


def test_an_unknown_provider_or_event_exits_2_and_lists_the_known_ones() -> None:
    result = run("check", "(eq a 1)", "--provider", "nope", "--event", "push")
    assert result.exit_code == 2
    assert "unknown provider 'nope'" in result.stderr
    result = run("check", "(eq a 1)", "--provider", "github", "--event", "pushed")
    assert result.exit_code == 2
    assert "has no event 'pushed'" in result.stderr
    assert "pull_request" in result.stderr


def test_provider_without_event_is_a_usage_error() -> None:
    result = run("check", "(eq a 1)", "--provider", "github")
    assert result.exit_code == 2
    assert "--provider and --event go together" in result.stderr


# -- fmt -----------------------------------------------------------------------------


def test_fmt_prints_the_canonical_form() -> None:
    result = run(
        "fmt",
        "(and (eq action opened) (gt pull_request.changed_files 20)"
        " (not (has-any pull_request.labels.*.name (wip do-not-review))))",
    )
    assert result.exit_code == 0
    assert result.stdout == (
        '(and (eq "action" "opened")\n'
        '     (gt "pull_request.changed_files" 20)\n'
        '     (not (has-any "pull_request.labels.*.name" ("wip" "do-not-review"))))\n'
    )
    again = run("fmt", "-", stdin=result.stdout)
    assert again.stdout == result.stdout


def test_fmt_of_an_invalid_expression_exits_2() -> None:
    result = run("fmt", "(eq a", "--json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["valid"] is False


@pytest.mark.slow
def test_the_console_script_runs_filter_test(tmp_path: Path) -> None:
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps({"tags": [{"name": "bug"}]}))
    script = str(Path(sys.executable).with_name("hookgate"))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOOKGATE_")}
    outcomes = [
        subprocess.run(
            [script, "filter", "test", expression, str(payload)],
            capture_output=True,
            text=True,
            env=environment,
            check=False,
            timeout=60,
        )
        for expression in ('(has "tags.*.name" "bug")', '(has "tags.*.name" "x")', "(((")
    ]
    assert [(o.returncode, o.stdout) for o in outcomes] == [
        (0, "match\n"),
        (1, "no match\n"),
        (2, ""),
    ]
