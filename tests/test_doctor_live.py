"""doctor's live checks and log scan against the moto server (and a local control-plane peer
for the DEFAULT endpoint, which moto lacks)."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from tests.doctor_peer import ControlPlanePeer
from tests.doctor_support import doctor, healthy_project

AGENT = "my_aibox_agent"
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


@pytest.fixture
def peer(aws, monkeypatch):
    with ControlPlanePeer(aws.url) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL", server.url)
        yield server


def deploy(aws, root, account="123456789012", **runtime):
    """A role and a runtime in moto, recorded in the YAML as the toolkit records them."""
    iam = aws.client("iam")
    role = iam.create_role(RoleName="AgentRuntimeRole",
                           AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    reply = aws.client("bedrock-agentcore-control").create_agent_runtime(
        agentRuntimeName=AGENT, roleArn=role["Arn"],
        agentRuntimeArtifact={"containerConfiguration": {
            "containerUri": "123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/x:latest"}},
        networkConfiguration={"networkMode": "PUBLIC"}, **runtime)
    path = root / ".bedrock_agentcore.yaml"
    data = yaml.safe_load(path.read_text())
    agent = data["agents"][AGENT]
    agent["aws"].update(account=account, execution_role=role["Arn"])
    agent["bedrock_agentcore"].update(agent_id=reply["agentRuntimeId"],
                                      agent_arn=reply["agentRuntimeArn"])
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return reply["agentRuntimeId"], role


def ready_endpoint(peer, runtime_id, status="READY"):
    peer.endpoints[runtime_id] = {
        "name": "DEFAULT", "id": "DEFAULT", "status": status, "liveVersion": "1",
        "agentRuntimeEndpointArn": f"arn:aws:bedrock-agentcore:ap-southeast-1:123456789012:"
                                   f"runtime/{runtime_id}/runtime-endpoint/DEFAULT",
        "agentRuntimeArn": f"arn:aws:bedrock-agentcore:ap-southeast-1:123456789012:"
                           f"runtime/{runtime_id}",
        "createdAt": 1700000000, "lastUpdatedAt": 1700000000}


def live(root, *ids):
    return doctor(root, "--no-logs", "--only", ",".join(ids))


def test_aws_credentials_pass_then_another_account(aws, tmp_path):
    root = healthy_project(tmp_path)
    _, _, by_id = live(root, "aws-credentials")
    assert by_id["aws-credentials"]["status"] == "pass"
    assert "123456789012" in by_id["aws-credentials"]["message"]
    deploy(aws, root, account="999999999999")
    code, _, by_id = live(root, "aws-credentials")
    assert by_id["aws-credentials"]["status"] == "fail" and code == 1
    assert "999999999999" in by_id["aws-credentials"]["message"]


def test_without_credentials_live_checks_skip_with_a_reason(aws, tmp_path, monkeypatch):
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key)
    root = healthy_project(tmp_path)
    _, _, by_id = live(root, "aws-credentials", "runtime-status", "dynamodb-access")
    assert by_id["aws-credentials"]["status"] == "fail"
    assert "credentials" in by_id["aws-credentials"]["message"]
    for check_id in ("runtime-status", "dynamodb-access"):
        assert by_id[check_id]["status"] == "skip"
        assert "credentials" in by_id[check_id]["message"]


def test_runtime_status_ready_missing_endpoint_failed_and_not_deployed(aws, peer, tmp_path):
    root = healthy_project(tmp_path)
    _, _, by_id = live(root, "runtime-status")
    assert by_id["runtime-status"]["status"] == "skip"
    runtime_id, _ = deploy(aws, root)
    _, _, by_id = live(root, "runtime-status")
    assert by_id["runtime-status"]["status"] == "fail"
    assert "no DEFAULT endpoint" in by_id["runtime-status"]["message"]
    ready_endpoint(peer, runtime_id, status="CREATE_FAILED")
    _, _, by_id = live(root, "runtime-status")
    assert by_id["runtime-status"]["status"] == "fail"
    ready_endpoint(peer, runtime_id)
    code, _, by_id = live(root, "runtime-status")
    assert by_id["runtime-status"]["status"] == "pass" and code == 0


def test_env_drift_against_the_deployed_runtime(aws, peer, tmp_path):

    root = healthy_project(tmp_path)
    deploy(aws, root, environmentVariables={"SETTING_TABLE": "old"})
    _, _, by_id = live(root, "env-drift")
    result = by_id["env-drift"]
    assert result["status"] == "fail"
    assert any(line.startswith("runtime ") and "SETTING_TABLE='old'" in line
               for line in result["evidence"])


def test_env_drift_passes_when_the_runtime_has_the_config_environment(aws, peer, tmp_path):
    from aibox_ops.config import load_settings

    root = healthy_project(tmp_path)
    env = load_settings(root, environ={}).container_env
    deploy(aws, root, environmentVariables=env)
    _, _, by_id = live(root, "env-drift")
    assert by_id["env-drift"]["status"] == "pass"
    assert "deployed runtime" in by_id["env-drift"]["message"]


def test_cold_start_interval_longer_than_the_deployed_idle_timeout(aws, peer, tmp_path):
    root = healthy_project(tmp_path, tool="[tool.aibox-ops.warm]\nenabled = true\n")
    deploy(aws, root, lifecycleConfiguration={"idleRuntimeSessionTimeout": 120,
                                              "maxLifetime": 3600})
    _, _, by_id = live(root, "cold-start")
    assert by_id["cold-start"]["status"] == "fail"
    assert "deployed runtime: idle timeout 120 s" in by_id["cold-start"]["evidence"]


def test_auth_deployed_protection_differs_from_config(aws, peer, tmp_path):
    root = healthy_project(tmp_path)
    deploy(aws, root, authorizerConfiguration={"customJWTAuthorizer": {
        "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
        "allowedAudience": ["web"]}})
    _, _, by_id = live(root, "auth")
    assert by_id["auth"]["status"] == "fail"
    assert "deployed runtime uses JWT" in by_id["auth"]["evidence"][0]


def put_logs(aws, group, messages):
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": now - 1000 + i, "message": m} for i, m in enumerate(messages)])


def test_log_scan_reports_signatures_under_their_ids_redacted(aws, peer, tmp_path):
    root = healthy_project(tmp_path)
    runtime_id, _ = deploy(aws, root)
    ready_endpoint(peer, runtime_id)
    put_logs(aws, f"/aws/bedrock-agentcore/runtimes/{runtime_id}-DEFAULT", [
        "Traceback (most recent call last):",
        "ModuleNotFoundError: No module named 'dotenv'",
        "ERROR Gemini API key not configured (api_key=AIzaSyA1234567890abcdefghijklmnopqrstu)",
        "PermissionError: [Errno 13] Permission denied: '/app/logs/app.log'",
        "all good"])
    put_logs(aws, f"/aws/codebuild/bedrock-agentcore-{AGENT}-builder", [
        "error: Multiple top-level packages discovered in a flat-layout: ['agent', 'genai']."])
    code, doc, by_id = doctor(root, "--only", "missing-requirement,secrets-access,flat-layout,"
                              "log-permission,main-guard", "--since", "1h")
    assert code == 1
    assert by_id["missing-requirement"]["status"] == "fail"
    assert any("No module named 'dotenv'" in e for e in by_id["missing-requirement"]["evidence"])
    assert by_id["flat-layout"]["status"] == "fail"
    assert any("codebuild" in e for e in by_id["flat-layout"]["evidence"])
    assert by_id["log-permission"]["status"] == "fail"
    secrets = "\n".join(by_id["secrets-access"]["evidence"])
    assert "Gemini API key not configured" in secrets
    assert "AIzaSy" not in json.dumps(doc) and "[REDACTED]" in secrets
    assert by_id["main-guard"]["status"] == "pass"
    scan = by_id["log-scan"]
    assert scan["status"] == "fail" and len(
        [e for e in scan["evidence"] if e.startswith("read ")]) == 2


def test_log_scan_is_off_offline_and_missing_groups_are_reported(aws, peer, tmp_path):
    root = healthy_project(tmp_path)
    _, doc, by_id = doctor(root, "--only", "main-guard")
    assert by_id["log-scan"]["status"] == "pass"
    assert any("no log group /aws/codebuild/" in e for e in by_id["log-scan"]["evidence"])
    _, doc, by_id = doctor(root, "--offline", "--only", "main-guard")
    assert "log-scan" not in by_id


def test_each_aws_resource_is_read_once_per_run(aws, peer, tmp_path):
    root = healthy_project(tmp_path, tool="[tool.aibox-ops.warm]\nenabled = true\n")
    runtime_id, _ = deploy(aws, root)
    ready_endpoint(peer, runtime_id)
    doctor(root)
    assert peer.count(rf"^/runtimes/{runtime_id}/?$") == 1
    assert peer.count(rf"^/runtimes/{runtime_id}/runtime-endpoints/DEFAULT/?$") == 1


def test_cold_start_reads_the_warm_schedules_in_aws(aws, peer, tmp_path):
    from aibox_ops.config import load_settings
    from aibox_ops.warm.names import group_name

    root = healthy_project(tmp_path, tool="[tool.aibox-ops.warm]\nenabled = true\n")
    runtime_id, role = deploy(aws, root)
    _, _, by_id = live(root, "cold-start")
    assert by_id["cold-start"]["status"] == "fail"
    assert "no schedule" in by_id["cold-start"]["message"]
    group = group_name(load_settings(root, environ={}))
    scheduler = aws.client("scheduler")
    scheduler.create_schedule_group(Name=group)
    scheduler.create_schedule(
        Name="ping-0", GroupName=group, ScheduleExpression="rate(20 minutes)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:scheduler:::aws-sdk:bedrockagentcore:invokeAgentRuntime",
                "RoleArn": role["Arn"], "Input": "{}"})
    _, _, by_id = live(root, "cold-start")
    result = by_id["cold-start"]
    assert result["status"] == "fail"
    assert "schedule ping-0 (1200 s) is not shorter" in result["message"]
    assert "schedule ping-0: rate(20 minutes)" in result["evidence"]
