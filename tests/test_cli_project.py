"""The project a command works on: finding it, refusing near-miss tables and bad layouts."""

import pytest

from aibox_ops.errors import AwsError, ExitCode
from tests.helpers import invoke, json_out, make_project

DOCKERFILE = ".bedrock_agentcore/my_aibox_agent/Dockerfile"


@pytest.mark.parametrize("table", ["aibox_ops", "aiboxops", "aibox-op", "aibox_ops.x",
                                   "AIBOX-OPS"])
def test_near_miss_table_is_a_config_error(tmp_path, table):
    make_project(tmp_path, tool=f'[tool.{table}]\nregion = "eu-west-1"\n')
    result = invoke("--json", "render", project=tmp_path)
    assert result.exit_code == ExitCode.CONFIG, result.stderr
    name = table.split(".")[0]
    assert f"[tool.{name}] is not read by aibox-ops (did you mean [tool.aibox-ops]?)" \
        in result.stderr
    assert "pyproject.toml:8:" in result.stderr  # the line of the table header
    assert json_out(result)["exit_code"] == ExitCode.CONFIG
    assert not (tmp_path / ".dockerignore").exists()


def test_other_tool_tables_are_fine(tmp_path):
    make_project(tmp_path, tool='[tool.ruff]\nline-length = 100\n[tool.aibox]\nx = 1\n')
    assert invoke("config", project=tmp_path).exit_code == 0


def _run_in(folder, *args):
    """The CLI run as a user would: from ``folder``, with no --project."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "aibox_ops", *args], cwd=folder,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_render_from_the_agent_folder_writes_at_the_project_root(tmp_path):
    make_project(tmp_path, tool='[tool.aibox-ops]\nregion = "eu-west-1"\n')
    proc = _run_in(tmp_path / "agent", "render")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "agent").iterdir()) == ["agentcore_app.py"]
    assert 'AWS_REGION="eu-west-1"' in (tmp_path / DOCKERFILE).read_text()


def test_the_project_with_the_tool_table_wins_over_a_nearer_pyproject(tmp_path):
    make_project(tmp_path, tool='[tool.aibox-ops]\nagent_name = "outer"\n')
    (tmp_path / "agent" / "pyproject.toml").write_text('[project]\nname = "inner"\n')
    result = invoke("--json", "config", project=tmp_path / "agent")
    assert result.exit_code == 0, result.stderr
    settings = json_out(result)["settings"]
    assert (settings["agent_name"], settings["project_dir"]) == ("outer", str(tmp_path))


def test_no_project_is_refused_and_nothing_is_written(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("render", project=empty)
    assert result.exit_code == ExitCode.CONFIG
    assert f"no project found: no pyproject.toml in {empty} or any folder above it" \
        in result.stderr
    assert list(empty.iterdir()) == []


def test_generated_files_never_land_in_the_agent_folder(tmp_path):
    make_project(tmp_path, tool='[tool.aibox-ops]\nrequirements_file = "agent/req.txt"\n')
    result = invoke("render", project=tmp_path)
    assert result.exit_code == ExitCode.CONFIG
    assert "'requirements_file' puts the generated 'agent/req.txt' inside the agent's " \
        "folder agent/" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["agent", "pyproject.toml"]


@pytest.mark.parametrize("check", [[], ["--check"]])
def test_a_missing_entrypoint_is_a_config_error(tmp_path, check):
    make_project(tmp_path, tool='[tool.aibox-ops]\nentrypoint = "agent/agentcore_ap.py"\n')
    result = invoke("render", *check, project=tmp_path)
    assert result.exit_code == ExitCode.CONFIG, result.stderr
    assert f"{tmp_path / 'pyproject.toml'}:9: 'entrypoint' = 'agent/agentcore_ap.py': no such " \
        f"file in {tmp_path}" in result.stderr
    assert not (tmp_path / ".dockerignore").exists()


def test_a_missing_default_entrypoint_names_the_table_to_set_it_in(tmp_path):
    make_project(tmp_path, agent=False)
    result = invoke("render", "--check", project=tmp_path)
    assert result.exit_code == ExitCode.CONFIG
    assert f"default (not set in [tool.aibox-ops] of {tmp_path / 'pyproject.toml'}): " \
        "'entrypoint' = 'agent/agentcore_app.py': no such file" in result.stderr


def test_a_missing_lock_is_reported_as_a_missing_lock(tmp_path):
    make_project(tmp_path)  # no uv.lock; the agent imports a module only a lock would pin
    (tmp_path / "agent" / "tools.py").write_text("import yaml\n")
    result = invoke("sync-requirements", project=tmp_path)
    assert result.exit_code == ExitCode.DEPENDENCY
    assert f"uv.lock is missing ({tmp_path / 'uv.lock'})" in result.stderr
    assert "agent/tools.py:1: imports 'yaml'" in result.stderr
    assert "Run `uv lock`" in result.stderr
    assert not (tmp_path / "requirements-agentcore.txt").exists()


def test_config_shows_profile_and_region_and_where_they_came_from(tmp_path, monkeypatch):
    aws_config = tmp_path / "aws-config"
    aws_config.write_text("[default]\nregion = us-east-1\n\n[profile dev]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(aws_config))
    monkeypatch.setenv("AWS_PROFILE", "dev")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    make_project(tmp_path / "p", tool='[tool.aibox-ops]\nregion = "us-west-2"\n')
    result = invoke("--json", "config", project=tmp_path / "p")
    assert result.exit_code == 0, result.stderr
    aws = json_out(result)["settings"]["aws"]
    assert aws == {"profile": "dev", "profile_from": "env AWS_PROFILE", "profile_exists": True,
                   "region": "us-west-2",
                   "region_from": f"{tmp_path / 'p' / 'pyproject.toml'}:9",
                   "ignored_env": {"AWS_REGION": "eu-west-1"}}
    result = invoke("config", "--profile", "ghost", "--region", "eu-west-1",
                    project=tmp_path / "p")
    assert "profile: ghost\n  profile_from: flag --profile\n  profile_exists: false\n" \
        "  region: eu-west-1\n  region_from: flag --region" in result.stdout
    assert "AWS profile 'ghost' (flag --profile) does not exist" in result.stderr


def test_a_profile_that_does_not_exist_fails_as_soon_as_aws_is_needed(tmp_path, monkeypatch):
    from aibox_ops.aws import open_session

    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_PROFILE", "ghost")
    with pytest.raises(AwsError) as info:
        open_session("ap-southeast-1")
    assert info.value.exit_code == ExitCode.AWS
    assert info.value.message == ("AWS profile 'ghost' (from env AWS_PROFILE) does not exist "
                                  "(profiles found: none)")


@pytest.mark.parametrize("tool,rule", [
    ('tables = ["ab"]', "3-255 characters: letters, digits, _ . -"),
    ('secrets = ["a b"]', "1-512 characters: letters, digits and / _ + = . @ -; no wildcards"),
])
def test_rejected_names_state_the_rule(tmp_path, tool, rule):
    make_project(tmp_path, tool=f"[tool.aibox-ops]\n{tool}\n")
    result = invoke("config", project=tmp_path)
    assert result.exit_code == ExitCode.CONFIG
    assert rule in result.stderr
