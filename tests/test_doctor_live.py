"""doctor's live checks and log scan against the moto server (and a local control-plane peer
for the DEFAULT endpoint, which moto lacks)."""

from __future__ import annotations

import json
import time

import pytest
import yaml

from tests.doctor_peer import ControlPlanePeer
from tests.doctor_support import doctor, healthy_project
from tests.helpers import invoke, json_out

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


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_credentials_for_another_account_than_the_deployed_one(aws, tmp_path):
    root = healthy_project(tmp_path)
    deploy(aws, root, account="999999999999")
    code, _, by_id = live(root, "aws-credentials")
    assert by_id["aws-credentials"]["status"] == "fail" and code == 1
    assert "123456789012" in by_id["aws-credentials"]["message"]
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


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_a_ready_runtime_with_the_config_environment_passes(aws, peer, tmp_path):
    from aibox_ops.config import load_settings

    root = healthy_project(tmp_path)
    env = load_settings(root, environ={}).container_env
    runtime_id, _ = deploy(aws, root, environmentVariables=env)
    ready_endpoint(peer, runtime_id)
    code, _, by_id = live(root, "aws-credentials", "runtime-status", "env-drift", "auth")
    assert code == 0
    assert by_id["aws-credentials"]["status"] == "pass"
    assert "123456789012" in by_id["aws-credentials"]["message"]
    assert by_id["runtime-status"]["status"] == "pass"
    assert by_id["env-drift"]["status"] == "pass"
    assert "deployed runtime" in by_id["env-drift"]["message"]
    assert by_id["auth"]["status"] == "pass" and "deployed: SigV4" in by_id["auth"]["message"]


def _table_var(root):
    from aibox_ops.config import load_settings

    env = load_settings(root, environ={}).container_env
    table = next(k for k in env if k.endswith("_TABLE"))
    return table, env[table]


def test_variables_the_image_sets_are_not_missing_from_the_runtime(aws, peer, tmp_path):
    """The toolkit-deployed runtime of the guide passes few or no variables: the
    Dockerfile's ENV is what the process sees, so env-drift must not call them missing."""
    root = healthy_project(tmp_path)
    table, value = _table_var(root)
    deploy(aws, root, environmentVariables={table: value})  # the rest from the image
    _, _, by_id = live(root, "env-drift")
    assert by_id["env-drift"]["status"] == "pass", by_id["env-drift"]


def test_a_runtime_variable_overriding_the_image_is_drift(aws, peer, tmp_path):
    root = healthy_project(tmp_path)
    table, value = _table_var(root)
    runtime_id, _ = deploy(aws, root, environmentVariables={table: "another_table"})
    _, _, by_id = live(root, "env-drift")
    assert by_id["env-drift"]["status"] == "fail"
    assert [line for line in by_id["env-drift"]["evidence"] if line.startswith("runtime ")] \
        == [f"runtime {runtime_id}: {table}='another_table', config says {value!r}"]


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_runtime_status_missing_or_failed_endpoint(aws, peer, tmp_path):
    root = healthy_project(tmp_path)
    runtime_id, _ = deploy(aws, root)
    _, _, by_id = live(root, "runtime-status")
    assert by_id["runtime-status"]["status"] == "fail"
    assert "no DEFAULT endpoint" in by_id["runtime-status"]["message"]
    ready_endpoint(peer, runtime_id, status="CREATE_FAILED")
    _, _, by_id = live(root, "runtime-status")
    assert by_id["runtime-status"]["status"] == "fail"
    assert "CREATE_FAILED" in by_id["runtime-status"]["message"]


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_deployed_runtime_differs_in_environment_lifecycle_and_auth(aws, peer, tmp_path):
    root = healthy_project(tmp_path, tool="[tool.aibox-ops.warm]\nenabled = true\n")
    deploy(aws, root, environmentVariables={"SETTING_TABLE": "old"},
           lifecycleConfiguration={"idleRuntimeSessionTimeout": 120, "maxLifetime": 3600},
           authorizerConfiguration={"customJWTAuthorizer": {
               "discoveryUrl": "https://idp.example.com/.well-known/openid-configuration",
               "allowedAudience": ["web"]}})
    _, _, by_id = live(root, "env-drift", "cold-start", "auth")
    env = by_id["env-drift"]
    assert env["status"] == "fail"
    assert any(line.startswith("runtime ") and "SETTING_TABLE='old'" in line
               for line in env["evidence"])
    assert by_id["cold-start"]["status"] == "fail"
    assert "deployed runtime: idle timeout 120 s" in by_id["cold-start"]["evidence"]
    assert by_id["auth"]["status"] == "fail"
    assert "deployed runtime uses JWT" in by_id["auth"]["evidence"][0]


def put_logs(aws, group, messages):
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(logGroupName=group, logStreamName="s", logEvents=[
        {"timestamp": now - 1000 + i, "message": m} for i, m in enumerate(messages)])


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
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
                              "log-permission,main-guard,log-scan", "--since", "1h")
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


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_not_deployed_log_scan_reports_missing_groups_and_is_off_offline(aws, peer, tmp_path):
    root = healthy_project(tmp_path)
    _, doc, by_id = doctor(root, "--only", "main-guard,runtime-status,log-scan")
    assert by_id["runtime-status"]["status"] == "skip"
    assert "nothing deployed" in by_id["runtime-status"]["message"]
    assert by_id["log-scan"]["status"] == "pass"
    assert any("no log group /aws/codebuild/" in e for e in by_id["log-scan"]["evidence"])
    _, doc, by_id = doctor(root, "--offline", "--only", "main-guard")
    assert "log-scan" not in by_id
    _, doc, by_id = doctor(root, "--offline", "--only", "log-scan")
    assert by_id["log-scan"]["status"] == "skip" and "offline" in by_id["log-scan"]["message"]


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_log_scan_is_listed_selectable_alone_and_skippable(aws, peer, tmp_path):
    root = healthy_project(tmp_path)
    runtime_id, _ = deploy(aws, root)
    ready_endpoint(peer, runtime_id)
    put_logs(aws, f"/aws/bedrock-agentcore/runtimes/{runtime_id}-DEFAULT", [
        "ModuleNotFoundError: No module named 'dotenv'"])
    listed = invoke("--json", "doctor", "--list", project=root)
    assert "log-scan" in [c["id"] for c in json_out(listed)["checks"]]
    assert "log-scan" in invoke("doctor", "--list", project=root).stdout
    code, doc, by_id = doctor(root, "--only", "log-scan", "--since", "1h")
    assert code == 1 and list(by_id) == ["log-scan"]
    assert by_id["log-scan"]["status"] == "fail"
    assert "1 match(es) for missing-requirement (not selected)" in by_id["log-scan"]["evidence"]
    # Skipping it reads no logs: the failure the logs show is not merged either.
    _, _, by_id = doctor(root, "--only", "missing-requirement", "--skip", "log-scan")
    assert by_id["missing-requirement"]["status"] == "pass" and "log-scan" not in by_id
    _, _, by_id = doctor(root, "--only", "missing-requirement", "--since", "1h")
    assert by_id["missing-requirement"]["status"] == "fail"


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_a_denial_only_the_logs_show_names_fix_iam_from_logs_not_doctor_fix(aws, peer,
                                                                            tmp_path):
    from aibox_ops import iam
    from aibox_ops.aws import open_session
    from aibox_ops.config import load_settings
    from aibox_ops.deploy_state import load_deploy_state
    from tests.test_doctor_iam import resources

    root = healthy_project(tmp_path)
    settings = load_settings(root, environ={})
    resources(aws)
    runtime_id, _ = deploy(aws, root)
    ready_endpoint(peer, runtime_id)
    session = open_session(settings.region)  # the role passes on paper
    role = iam.find_role(session, settings, load_deploy_state(settings))
    iam.apply_role_policies(session, role.name, iam.plan_role_policies(session, settings, role),
                            root / iam.BACKUP_DIR)
    assert doctor(root, "--only", "secrets-access", "--no-logs")[2]["secrets-access"][
        "status"] == "pass"
    put_logs(aws, f"/aws/bedrock-agentcore/runtimes/{runtime_id}-DEFAULT", [
        "ERROR Gemini API key not configured"])
    _, _, by_id = doctor(root, "--only", "secrets-access,log-scan", "--since", "1h")
    result = by_id["secrets-access"]
    assert result["status"] == "fail", result
    assert not result["fixable"]
    assert "fix-iam --from-logs" in result["fix"] and "secrets set" in result["fix"]
    human = invoke("doctor", "--only", "secrets-access,log-scan", "--since", "1h",
                   project=root)
    assert "doctor --fix can apply it" not in human.stdout


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_a_healthy_deployment_passes_online_and_each_resource_is_read_once(aws, peer,
                                                                          tmp_path):
    from aibox_ops import iam
    from aibox_ops.aws import open_session
    from aibox_ops.config import load_settings
    from aibox_ops.deploy_state import load_deploy_state
    from aibox_ops.render import apply_render, plan_render
    from tests.test_doctor_iam import resources

    root = healthy_project(tmp_path)
    settings = load_settings(root, environ={})
    resources(aws)
    runtime_id, _ = deploy(aws, root, environmentVariables=settings.container_env)
    ready_endpoint(peer, runtime_id)
    apply_render(root, plan_render(settings))  # the header back, the toolkit's state kept
    session = open_session(settings.region)  # grant the access through fix-iam's library
    role = iam.find_role(session, settings, load_deploy_state(settings))
    iam.apply_role_policies(session, role.name, iam.plan_role_policies(session, settings, role),
                            root / iam.BACKUP_DIR)
    peer.requests.clear()
    code, doc, by_id = doctor(root)
    assert code == 0 and doc["ok"], [c for c in doc["checks"] if c["status"] == "fail"]
    for check_id in ("aws-credentials", "runtime-status", "dynamodb-access", "secrets-access",
                     "env-drift", "auth", "log-scan"):
        assert by_id[check_id]["status"] == "pass", by_id[check_id]
    assert by_id["cold-start"]["status"] == "warn"  # warm-up off: advice, not a failure
    assert peer.count(rf"^/runtimes/{runtime_id}/?$") == 1
    assert peer.count(rf"^/runtimes/{runtime_id}/runtime-endpoints/DEFAULT/?$") == 1


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_cold_start_reads_the_warm_schedules_in_aws(aws, peer, tmp_path):
    from aibox_ops.config import load_settings
    from aibox_ops.warm.names import group_name

    root = healthy_project(tmp_path, tool="[tool.aibox-ops.warm]\nenabled = true\n")
    runtime_id, role = deploy(aws, root)
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
