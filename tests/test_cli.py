"""The CLI shell: exit codes, --json, --verbose, --debug, and a fast, lazy --help."""

import json
import subprocess
import sys

import pytest

from aibox_ops import __version__
from aibox_ops.errors import ExitCode
from tests.helpers import REPO, invoke, json_out, make_project

DOCKERFILE = ".bedrock_agentcore/my_aibox_agent/Dockerfile"


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"aibox-ops {__version__}\n"


def test_help_lists_commands():
    result = invoke("--help")
    assert result.exit_code == 0
    for name in ("render", "sync-requirements", "config", "--json", "--project", "--profile",
                 "--region", "--verbose", "--debug"):
        assert name in result.stdout


def test_help_imports_no_heavy_packages():
    code = (
        "import sys\n"
        "from aibox_ops.cli.main import app\n"
        "try:\n    app(['--help'], prog_name='aibox-ops')\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'boto3', 'botocore', 'strands', 'strands_tools', 'bedrock_agentcore', "
        "'bedrock_agentcore_starter_toolkit', 'jinja2', 'pydantic'})\n"
        "print(heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == "[]"


def test_render_then_check_clean_then_drift(tmp_path):
    make_project(tmp_path)
    result = invoke("render", project=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "written" in result.stdout
    assert result.stderr == "warning: requirements-agentcore.txt: not found; run `aibox-ops " \
        "sync-requirements`\n"
    assert invoke("render", "--check", project=tmp_path).exit_code == 0
    result = invoke("--region", "eu-west-1", "render", "--check", project=tmp_path)
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert '-    AWS_REGION="ap-southeast-1"' in result.stdout
    assert '+    AWS_REGION="eu-west-1"' in result.stdout
    assert "3 file(s) out of date" in result.stderr  # Dockerfile, YAML, render record
    assert 'AWS_REGION="ap-southeast-1"' in (tmp_path / DOCKERFILE).read_text()


def test_render_json_is_one_document_on_stdout(tmp_path):
    make_project(tmp_path)
    result = invoke("--json", "render", "--dry-run", project=tmp_path)
    assert result.exit_code == 0
    data = json_out(result)
    assert data["ok"] is True and data["written"] == []
    assert [f["status"] for f in data["items"]] == ["create"] * 4
    assert data["mode"] == "dry-run" and data["command"] == "render"
    assert "+FROM --platform=linux/arm64" in result.stderr  # diffs move off stdout
    assert not (tmp_path / DOCKERFILE).exists()


def test_render_refuses_hand_edit_with_exit_7_and_diff(tmp_path):
    make_project(tmp_path)
    invoke("render", project=tmp_path)
    ignore = tmp_path / ".dockerignore"
    ignore.write_text(ignore.read_text() + "extra\n")
    result = invoke("render", project=tmp_path)
    assert result.exit_code == ExitCode.REFUSED
    assert "-extra" in result.stdout
    assert "refusing to overwrite .dockerignore" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert ignore.read_text().endswith("extra\n")
    assert invoke("render", "--force", project=tmp_path).exit_code == 0
    assert not ignore.read_text().endswith("extra\n")


def test_config_error_exit_3_json_and_no_traceback(tmp_path):
    make_project(tmp_path, tool='[tool.aibox-ops]\nagent_name = "my-agent"\nbogus = 1\n')
    result = invoke("--json", "render", project=tmp_path)
    assert result.exit_code == ExitCode.CONFIG
    data = json_out(result)
    assert data["ok"] is False and data["error"] == "ConfigError"
    assert len(data["problems"]) == 2
    assert "Traceback" not in result.stderr
    assert "pyproject.toml:9: 'agent_name'" in result.stderr
    assert not (tmp_path / ".dockerignore").exists()


def test_malformed_pyproject_exit_3(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.aibox-ops\n")
    result = invoke("render", project=tmp_path)
    assert result.exit_code == ExitCode.CONFIG
    assert "is not valid TOML" in result.stderr and "line 1" in result.stderr


def test_file_error_exit_4(tmp_path):
    make_project(tmp_path)
    (tmp_path / ".bedrock_agentcore").write_text("a file where a folder must go")
    result = invoke("render", project=tmp_path)
    assert result.exit_code == ExitCode.FILE
    assert "cannot" in result.stderr and "Traceback" not in result.stderr


def test_usage_error_exit_2(tmp_path):
    assert invoke("render", "--no-such-flag").exit_code == ExitCode.USAGE
    assert invoke("--project", str(tmp_path / "missing"), "render").exit_code == ExitCode.USAGE


def test_verbose_says_where_settings_came_from(tmp_path):
    make_project(tmp_path)
    result = invoke("--verbose", "config", project=tmp_path)
    assert result.exit_code == 0
    assert "settings: detection (no [tool.aibox-ops] in " in result.stderr
    assert "`aibox-ops init` writes it down" in result.stderr


def test_config_json_shows_effective_settings(tmp_path):
    make_project(tmp_path, tool='[tool.aibox-ops]\nregion = "eu-west-1"\n')
    data = json_out(invoke("--json", "--region", "us-east-1", "config", project=tmp_path))
    assert data["settings"]["region"] == "us-east-1"
    assert data["settings"]["container_env"]["AWS_REGION"] == "us-east-1"
    assert data["settings"]["table_names"] == ["aibox_setting", "aibox_session"]


def test_unexpected_error_is_exit_70_and_traceback_only_with_debug(tmp_path, monkeypatch):
    import aibox_ops.render as render_pkg

    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(render_pkg, "plan_render", boom)
    make_project(tmp_path)
    result = invoke("render", project=tmp_path)
    assert result.exit_code == ExitCode.INTERNAL
    assert "internal error: RuntimeError: kaboom" in result.stderr
    assert "Traceback" not in result.stderr
    result = invoke("--debug", "render", project=tmp_path)
    assert isinstance(result.exception, RuntimeError)  # propagates: the runner shows it


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_sync_requirements_cli_check_and_json(tmp_path):
    make_project(tmp_path)
    result = invoke("sync-requirements", "--check", project=tmp_path)
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert "+bedrock-agentcore==1.25.0" in result.stdout
    result = invoke("--json", "sync-requirements", project=tmp_path)
    data = json_out(result)
    assert result.exit_code == 0 and data["written"] == ["requirements-agentcore.txt"]
    assert data["items"][0]["requirements"] == 2
    result = invoke("--json", "sync-requirements", "--check", project=tmp_path)
    assert result.exit_code == 0 and json_out(result)["items"][0]["status"] == "unchanged"


def test_json_has_one_shape_for_render_and_sync_requirements(tmp_path):
    make_project(tmp_path)
    shapes = []
    for command in ("render", "sync-requirements"):
        data = json_out(invoke("--json", command, "--dry-run", project=tmp_path))
        shapes.append((sorted(data), sorted(data["items"][0])))
    keys = {"ok", "command", "mode", "changed", "written", "warnings", "errors", "items"}
    assert keys <= set(shapes[0][0]) and keys <= set(shapes[1][0])
    common = {"target", "kind", "status", "reason", "needs_force", "diff"}
    assert common <= set(shapes[0][1]) and common <= set(shapes[1][1])


def test_refusal_lists_its_files_like_check_and_check_hint_names_force(tmp_path):
    make_project(tmp_path)
    assert invoke("render", project=tmp_path).exit_code == 0
    (tmp_path / ".dockerignore").write_text("# mine\n")
    result = invoke("render", "--check", project=tmp_path)
    assert result.exit_code == ExitCode.CHECK_FAILED
    assert "render --force" in result.stderr and ".dockerignore" in result.stderr
    result = invoke("--json", "render", project=tmp_path)
    assert result.exit_code == ExitCode.REFUSED
    data = json_out(result)
    assert data["ok"] is False and data["error"]["targets"] == [".dockerignore"]
    assert [i["target"] for i in data["items"] if i["needs_force"]] == [".dockerignore"]
    assert (tmp_path / ".dockerignore").read_text() == "# mine\n"


def test_sync_requirements_unlisted_import_exit_6(tmp_path):
    make_project(tmp_path)
    (tmp_path / "agent" / "env.py").write_text("import dotenv\n")
    result = invoke("--json", "sync-requirements", project=tmp_path)
    assert result.exit_code == ExitCode.DEPENDENCY
    assert "python-dotenv" in json_out(result)["message"]
    assert not (tmp_path / "requirements-agentcore.txt").exists()


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_console_script_runs_as_a_process(tmp_path):
    make_project(tmp_path)
    exe = REPO / ".venv" / "bin" / "aibox-ops"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "aibox_ops"]
    proc = subprocess.run([*cmd, "--json", "-C", str(tmp_path), "render", "--dry-run"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["ok"] is True


def test_json_check_with_drift_is_still_one_document(tmp_path):
    make_project(tmp_path)
    for command in ("render", "sync-requirements"):
        result = invoke("--json", command, "--check", project=tmp_path)
        assert result.exit_code == ExitCode.CHECK_FAILED
        data = json.loads(result.stdout)  # raises on a second document
        assert data["ok"] is False
        assert "out of date" in result.stderr


def test_pyproject_that_is_a_directory_is_exit_4(tmp_path):
    (tmp_path / "pyproject.toml").mkdir()
    result = invoke("render", project=tmp_path)
    assert result.exit_code == ExitCode.FILE
    assert "pyproject.toml: is a directory" in result.stderr


def test_ctrl_c_exits_130(tmp_path, monkeypatch):
    import aibox_ops.render as render_pkg

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(render_pkg, "plan_render", interrupted)
    make_project(tmp_path)
    result = invoke("render", project=tmp_path)
    assert result.exit_code == ExitCode.INTERRUPTED
    assert "interrupted" in result.stderr


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_hand_edited_requirements_file_is_refused(tmp_path):
    make_project(tmp_path)
    assert invoke("sync-requirements", project=tmp_path).exit_code == 0
    path = tmp_path / "requirements-agentcore.txt"
    path.write_text(path.read_text() + "python-dotenv\n")
    result = invoke("sync-requirements", project=tmp_path)
    assert result.exit_code == ExitCode.REFUSED
    assert "was edited by hand" in result.stderr and "-python-dotenv" in result.stdout
    assert path.read_text().endswith("python-dotenv\n")
    assert invoke("sync-requirements", "--force", project=tmp_path).exit_code == 0
    assert "python-dotenv" not in path.read_text()


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_this_repositorys_generated_files_are_current():
    """CI runs `render --check` and `sync-requirements --check` on the repository itself; a merge
    that changes what render writes must also commit the re-rendered files."""
    for command in ("render", "sync-requirements"):
        result = invoke(command, "--check", project=REPO)
        assert result.exit_code == 0, f"{command} --check:\n{result.stdout}{result.stderr}"
