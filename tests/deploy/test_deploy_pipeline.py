"""The whole deploy pipeline against moto (aibox-ops' own engine; no toolkit code runs).

Each full launch costs a few seconds of toolkit work, so the scenarios are chained: one
flow with a user-supplied execution role (deploy, unchanged redeploy, changed redeploy,
rollback, destroy), one where the toolkit creates the role (runtime deleted outside,
timeout, destroy).
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from moto_agentcore import builds

from aibox_ops.aws import open_session
from aibox_ops.config import load_settings
from aibox_ops.deploy import DeployOptions, load_history, run_deploy
from aibox_ops.deploy.destroy import apply_destroy, plan_destroy
from aibox_ops.deploy.rollback import apply_rollback, plan_rollback
from aibox_ops.deploy.yaml_state import write_project_state
from aibox_ops.deploy_state import load_deploy_state
from aibox_ops.errors import AwsError
from aibox_ops.render import apply_render, plan_render

FAST = DeployOptions(timeout=5, poll=0.05, no_warm=True)
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


def deploy(project, options=FAST, environ=None):
    settings = load_settings(project, environ=environ or {})
    return run_deploy(open_session(settings.region), settings, options), settings


def source_zip(aws, settings) -> set[str]:
    bucket = f"bedrock-agentcore-codebuild-sources-123456789012-{settings.region}"
    body = aws.client("s3").get_object(
        Bucket=bucket, Key=f"{settings.agent_name}/source.zip")["Body"].read()
    return set(zipfile.ZipFile(io.BytesIO(body)).namelist())


def runtime_of(aws, agent_id):
    return aws.client("bedrock-agentcore-control").get_agent_runtime(agentRuntimeId=agent_id)


@pytest.mark.slow
def test_user_role_flow_deploy_redeploy_rollback_destroy(project, aws, agentcore_moto,
                                                         health_peer):
    iam = aws.client("iam")
    role_arn = iam.create_role(RoleName="my-own-agent-role",
                               AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    settings = load_settings(project, environ={})
    apply_render(project, plan_render(settings))
    write_project_state(settings, {"execution_role": role_arn})

    first, settings = deploy(project)
    assert first.action == "create" and builds() == 1
    names = source_zip(aws, settings)
    assert {"Dockerfile", "requirements-agentcore.txt", "agent/agentcore_app.py",
            "agent/genai/config.py", "agent/permissions.json"} <= names
    assert not [n for n in names if ".env" in n or "tests/" in n or n.endswith(".pyc")
                or n.startswith(("docs/", "aibox_ops/", "pyproject", ".bedrock"))]
    runtime = runtime_of(aws, first.agent_id)
    assert runtime["environmentVariables"] == settings.container_env
    assert runtime["roleArn"] == role_arn
    assert runtime["networkConfiguration"] == {"networkMode": "PUBLIC"}
    assert runtime["lifecycleConfiguration"] == {"idleRuntimeSessionTimeout": 900,
                                                 "maxLifetime": 28800}
    assert not runtime.get("authorizerConfiguration")
    assert runtime["protocolConfiguration"] == {"serverProtocol": "HTTP"}
    assert not plan_render(settings).changes  # render --check stays green
    history = load_history(settings)
    assert "execution_role" not in history.created
    assert {"codebuild_role", "ecr_repository", "codebuild_project", "runtime"} <= set(
        history.created)
    phases = {p.name: p for p in first.phases}
    assert phases["iam"].status == "ok" and phases["iam"].detail["backup_id"]
    owned = iam.list_role_policies(RoleName="my-own-agent-role")["PolicyNames"]
    assert owned and all(name.startswith("aibox-ops") for name in owned)
    assert health_peer.calls and health_peer.calls[-1][2] == {"action": "health"}
    assert len(health_peer.calls[-1][1]) >= 33  # a valid runtime session id

    again, _ = deploy(project)
    assert again.action == "unchanged" and builds() == 1
    assert [p.status for p in again.phases if p.name in ("launch", "wait", "iam")] == \
        ["skipped"] * 3

    (project / "agent" / "genai" / "extra.py").write_text("X = 1\n")
    changed, _ = deploy(project)
    assert changed.action == "build" and builds() == 2
    runtime = runtime_of(aws, first.agent_id)
    assert runtime["environmentVariables"] == settings.container_env
    assert runtime["agentRuntimeVersion"] == "2"
    assert "agent/genai/extra.py" in source_zip(aws, settings)
    assert not plan_render(settings).changes

    session = open_session(settings.region)
    plan, info, target = plan_rollback(session, settings)
    assert target.image_uri == first.image_uri and info.image_uri == changed.image_uri
    result = apply_rollback(session, settings, info, target, timeout=5, poll=0.05)
    runtime = runtime_of(aws, first.agent_id)
    assert runtime["agentRuntimeArtifact"]["containerConfiguration"]["containerUri"] == \
        first.image_uri
    assert runtime["environmentVariables"] == settings.container_env
    assert result.health == "agent answered healthy"
    assert load_history(settings).last.action == "rollback"

    plan = plan_destroy(session, settings)
    kept = {i.target for i in plan.items if i.status == "unchanged"}
    assert "my-own-agent-role" in kept
    apply_destroy(session, settings, plan)
    assert iam.get_role(RoleName="my-own-agent-role")["Role"]["Arn"] == role_arn
    assert aws.client("bedrock-agentcore-control").list_agent_runtimes()["agentRuntimes"] == []
    assert aws.client("codebuild").batch_get_projects(
        names=["bedrock-agentcore-my_aibox_agent-builder"])["projects"] == []
    assert aws.client("ecr").describe_repositories()["repositories"] == []
    assert not [r for r in iam.list_roles()["Roles"] if "CodeBuild" in r["RoleName"]]
    assert not load_deploy_state(settings).deployed
    assert load_deploy_state(settings).execution_role == role_arn  # it still exists
    assert not plan_render(settings).changes


@pytest.mark.slow
def test_toolkit_role_flow_interrupt_stale_runtime_timeout_destroy(project, aws, agentcore_moto,
                                                                   monkeypatch):
    from aibox_ops.deploy.engine import build

    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:  # Ctrl-C while CodeBuild runs
        patch.setattr(build, "run_build", ctrl_c)
        with pytest.raises(KeyboardInterrupt):
            deploy(project)
    settings = load_settings(project, environ={})
    assert not plan_render(settings).changes  # the YAML is whole and up to date
    # What the launch made before the interruption is recorded as aibox-ops' own.
    assert {"ecr_repository", "execution_role", "codebuild_role", "codebuild_project"} <= set(
        load_history(settings).created)
    assert not load_history(settings).deploys
    assert aws.client("bedrock-agentcore-control").list_agent_runtimes()["agentRuntimes"] == []

    first, settings = deploy(project)  # resumes: reuses the repository and roles
    assert first.action == "create" and builds() == 1  # the interrupted one never started
    created = load_history(settings).created
    assert created["execution_role"].startswith("AmazonBedrockAgentCoreSDKRuntime-")

    aws.client("bedrock-agentcore-control").delete_agent_runtime(agentRuntimeId=first.agent_id)
    second, _ = deploy(project)
    assert second.action == "create" and second.agent_id != first.agent_id
    assert any("deleted outside" in w for w in second.warnings)
    assert load_deploy_state(settings).agent_id == second.agent_id

    agentcore_moto.updates_finish = False  # the runtime stays UPDATING, as moto does
    with pytest.raises(AwsError) as info:
        deploy(project, DeployOptions(timeout=0.2, poll=0.05, no_warm=True),
               environ={"AIBOX_OPS_LIFECYCLE__IDLE_TIMEOUT": "600"})
    assert info.value.code == "Timeout" and "UPDATING" in info.value.message

    session = open_session(settings.region)
    apply_destroy(session, settings, plan_destroy(session, settings))
    assert not [r for r in aws.client("iam").list_roles()["Roles"]
                if r["RoleName"].startswith("AmazonBedrockAgentCoreSDK")]


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_dry_run_creates_nothing(project, aws, agentcore_moto):
    report, settings = deploy(project, DeployOptions(dry_run=True, no_warm=True))
    assert report.action == "create"
    assert {p.status for p in report.phases} <= {"ok", "planned", "skipped"}
    assert not (project / ".bedrock_agentcore.yaml").exists()
    assert not (project / ".aibox-ops").exists()
    assert aws.client("bedrock-agentcore-control").list_agent_runtimes()["agentRuntimes"] == []
    assert aws.client("ecr").describe_repositories()["repositories"] == []
    assert not [r for r in aws.client("iam").list_roles()["Roles"]
                if "BedrockAgentCore" in r["RoleName"]]
    assert builds() == 0
