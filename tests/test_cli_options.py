"""Global options anywhere on the line, --json for usage errors, whole summaries, Ctrl-C."""

import subprocess
import sys

import pytest

from aibox_ops.errors import ExitCode
from tests.helpers import REPO, invoke, json_out, make_project


@pytest.mark.parametrize("argv", [
    ["--json", "render", "--bogus"],
    ["render", "--bogus", "--json"],
    ["--json", "-C", "/nope/not/here", "render"],
    ["--json", "no-such-command"],
])
def test_usage_errors_with_json_print_one_document(argv):
    result = invoke(*argv)
    assert result.exit_code == ExitCode.USAGE
    data = json_out(result)
    assert (data["ok"], data["error"], data["exit_code"]) == (False, "UsageError", 2)
    assert data["message"] and data["message"] in result.stderr  # human text stays there


def test_usage_errors_without_json_leave_stdout_empty():
    result = invoke("render", "--bogus")
    assert result.exit_code == ExitCode.USAGE and result.stdout == ""


def test_global_options_after_the_command(tmp_path):
    make_project(tmp_path)
    result = invoke("config", "--region", "eu-west-1", "--json", "-C", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert json_out(result)["settings"]["region"] == "eu-west-1"
    result = invoke("render", "--dry-run", "--json", "--region=eu-central-1", project=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert json_out(result)["written"] == []
    assert '+    AWS_REGION="eu-central-1"' in result.stderr


def test_hoisting_is_generic_and_stops_at_double_dash():
    from aibox_ops.cli.main import hoist_global_options

    options = {"--json": False, "--region": True, "-C": True}
    assert hoist_global_options(["future", "--x", "--region", "r", "--json", "a"], options,
                                {"future"}) == ["--region", "r", "--json", "future", "--x", "a"]
    assert hoist_global_options(["future", "--", "--json"], options, {"future"}) == [
        "future", "--", "--json"]
    # a value-taking option without its value stays for click to report
    assert hoist_global_options(["future", "--region"], options, {"future"}) == [
        "future", "--region"]


def test_help_shows_each_summary_whole():
    result = invoke("--help")
    text = " ".join(result.stdout.split())
    assert "Show the effective settings (defaults < pyproject < AIBOX_OPS_* env < flags)." \
        in text
    assert "..." not in result.stdout.split("Commands:")[1]


def test_ctrl_c_during_settings_load_exits_130(tmp_path, monkeypatch):
    import aibox_ops.cli.state as state

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(state, "load_settings", interrupted)
    make_project(tmp_path)
    result = invoke("config", project=tmp_path)
    assert result.exit_code == ExitCode.INTERRUPTED
    assert "Traceback" not in result.stderr


def test_ctrl_c_during_start_up_exits_130_without_traceback():
    code = (
        "import builtins\n"
        "real = builtins.__import__\n"
        "def slow(name, *a, **k):\n"
        "    if name == 'typer':\n        raise KeyboardInterrupt\n"
        "    return real(name, *a, **k)\n"
        "builtins.__import__ = slow\n"
        "from aibox_ops.entry import run\n"
        "run()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, "--help"], capture_output=True,
                          text=True, timeout=60, cwd=REPO)
    assert proc.returncode == ExitCode.INTERRUPTED
    assert proc.stderr == "interrupted\n"
