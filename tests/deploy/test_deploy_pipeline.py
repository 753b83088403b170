"""The whole deploy pipeline against moto with the real starter toolkit."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from conftest import builds

from aibox_ops.aws import open_session
from aibox_ops.config import load_settings
from aibox_ops.deploy import DeployOptions, load_history, run_deploy
from aibox_ops.deploy_state import load_deploy_state
from aibox_ops.render import plan_render

FAST = DeployOptions(timeout=5, poll=0.05, no_warm=True)


def deploy(project, options=FAST, environ=None):
    settings = load_settings(project, environ=environ or {})
    return run_deploy(open_session(settings.region), settings, options), settings


def source_zip(aws, settings) -> set[str]:
    s3 = aws.client("s3")
    bucket = f"bedrock-agentcore-codebuild-sources-123456789012-{settings.region}"
    body = s3.get_object(Bucket=bucket, Key=f"{settings.agent_name}/source.zip")["Body"].read()
    return set(zipfile.ZipFile(io.BytesIO(body)).namelist())


def test_first_deploy_builds_creates_and_records(project, aws, agentcore_moto):
    report, settings = deploy(project)
    assert report.action == "create"
    names = source_zip(aws, settings)
    assert "Dockerfile" in names and "requirements-agentcore.txt" in names
    assert "agent/agentcore_app.py" in names and "agent/genai/config.py" in names
    assert not [n for n in names if ".env" in n or "tests/" in n or n.endswith(".pyc")
                or n.startswith(("docs/", "aibox_ops/", "pyproject"))]
    state = load_deploy_state(settings)
    runtime = aws.client("bedrock-agentcore-control").get_agent_runtime(
        agentRuntimeId=state.agent_id)
    assert runtime["environmentVariables"] == settings.container_env
    assert runtime["roleArn"] == state.execution_role
    assert runtime["networkConfiguration"] == {"networkMode": "PUBLIC"}
    assert runtime["lifecycleConfiguration"] == {"idleRuntimeSessionTimeout": 900,
                                                 "maxLifetime": 28800}
    assert "authorizerConfiguration" not in runtime or not runtime["authorizerConfiguration"]
    assert builds() == 1
    # The project's YAML got the state back and still passes render --check.
    assert not plan_render(settings).changes
    history = load_history(settings)
    assert history.last.image_uri == report.image_uri
    assert history.last.runtime_version == "1"
    assert set(history.created) >= {"execution_role", "codebuild_role", "ecr_repository",
                                    "codebuild_project", "runtime"}
    statuses = {p.name: p.status for p in report.phases}
    assert statuses["launch"] == statuses["wait"] == "ok"


def test_unchanged_redeploy_makes_no_build(project, aws, agentcore_moto):
    deploy(project)
    report, settings = deploy(project)
    assert report.action == "unchanged"
    assert builds() == 1
    assert len(load_history(settings).deploys) == 1


def test_changed_redeploy_builds_and_keeps_environment(project, aws, agentcore_moto):
    deploy(project)
    (project / "agent" / "genai" / "extra.py").write_text("X = 1\n")
    report, settings = deploy(project)
    assert report.action == "build"
    assert builds() == 2
    state = load_deploy_state(settings)
    runtime = aws.client("bedrock-agentcore-control").get_agent_runtime(
        agentRuntimeId=state.agent_id)
    assert runtime["environmentVariables"] == settings.container_env
    assert runtime["agentRuntimeVersion"] == "2"
    assert "agent/genai/extra.py" in source_zip(aws, settings)
    assert not plan_render(settings).changes


def test_runtime_config_change_updates_in_place_without_build(project, aws, agentcore_moto):
    # The environment is baked into the Dockerfile too (a change rebuilds); lifecycle is not.
    deploy(project)
    report, settings = deploy(project, environ={"AIBOX_OPS_LIFECYCLE__IDLE_TIMEOUT": "600"})
    assert report.action == "update" and builds() == 1
    runtime = aws.client("bedrock-agentcore-control").get_agent_runtime(
        agentRuntimeId=report.agent_id)
    assert runtime["lifecycleConfiguration"]["idleRuntimeSessionTimeout"] == 600
    assert runtime["environmentVariables"] == settings.container_env
    assert load_history(settings).last.action == "update"


def test_dry_run_creates_nothing(project, aws, agentcore_moto):
    report, settings = deploy(project, DeployOptions(dry_run=True, no_warm=True))
    assert report.action == "create"
    assert not (project / ".bedrock_agentcore.yaml").exists()
    assert not (project / ".aibox-ops").exists()
    control = aws.client("bedrock-agentcore-control")
    assert control.list_agent_runtimes()["agentRuntimes"] == []
    assert aws.client("ecr").describe_repositories()["repositories"] == []
    assert [r for r in aws.client("iam").list_roles()["Roles"]
            if "BedrockAgentCore" in r["RoleName"]] == []
    assert builds() == 0


def test_runtime_deleted_outside_is_recreated(project, aws, agentcore_moto):
    first, settings = deploy(project)
    aws.client("bedrock-agentcore-control").delete_agent_runtime(
        agentRuntimeId=first.agent_id)
    report, _ = deploy(project)
    assert report.action == "create" and report.agent_id != first.agent_id
    assert any("deleted outside" in w for w in report.warnings)
    assert load_deploy_state(settings).agent_id == report.agent_id


def test_wait_times_out_instead_of_reporting_success(project, aws, agentcore_moto):
    from aibox_ops.errors import AwsError

    deploy(project)
    agentcore_moto.updates_finish = False
    (project / "agent" / "genai" / "extra.py").write_text("X = 2\n")
    with pytest.raises(AwsError) as info:
        deploy(project, DeployOptions(timeout=0.2, poll=0.05, no_warm=True))
    assert info.value.code == "Timeout" and "UPDATING" in info.value.message


def test_history_file_is_json_keyed_by_agent_and_region(project, aws, agentcore_moto):
    _, settings = deploy(project)
    data = json.loads((project / ".aibox-ops" / "deploys.json").read_text())
    assert list(data["targets"]) == ["my_aibox_agent@ap-southeast-1"]
