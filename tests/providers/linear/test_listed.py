"""The installed package is found by hookgate and healthy."""

from click.testing import CliRunner
from hookgate.cli import main


def test_hookgate_providers_lists_it_ok() -> None:
    result = CliRunner().invoke(main, ["providers"])
    assert result.exit_code == 0, result.output
    line = next((x for x in result.output.splitlines() if x.split()[:1] == ["linear"]), None)
    assert line is not None, f"linear is not installed: {result.output}"
    assert line.split()[-1] == "ok", line
