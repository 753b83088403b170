"""aibox-ops' own deploy engine against the moto server: no toolkit code, read-modify-write
updates, trust policies with SourceAccount/SourceArn, lifecycle only on its own repository,
the bucket owner checked, targeted retries instead of sleeps."""

from __future__ import annotations

import importlib.abc
import json
import sys

import pytest
from moto_agentcore import builds

from aibox_ops.aws import open_session
from aibox_ops.aws.retry import ROLE_PROPAGATION, retry_if, retry_transient
from aibox_ops.config import load_settings
from aibox_ops.deploy import DeployOptions, load_history, run_deploy
from aibox_ops.errors import AwsError

FAST = DeployOptions(timeout=5, poll=0.05, no_warm=True)
REGION, ACCOUNT = "ap-southeast-1", "123456789012"


class NoToolkit(importlib.abc.MetaPathFinder):
    """Refuses any import of the starter toolkit, and remembers what was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def find_spec(self, name, path=None, target=None):  # noqa: D102
        if name.split(".")[0] == "bedrock_agentcore_starter_toolkit":
            self.asked.append(name)
            raise ImportError(f"{name}: the toolkit must not be imported during a deploy")
        return None


@pytest.mark.slow
def test_a_deploy_never_imports_the_toolkit_and_keeps_what_the_console_set(
        project, aws, agentcore_moto, health_peer, monkeypatch):
    for name in [m for m in sys.modules if m.startswith("bedrock_agentcore_starter_toolkit")]:
        monkeypatch.delitem(sys.modules, name)
    blocker = NoToolkit()
    monkeypatch.setattr(sys, "meta_path", [blocker, *sys.meta_path])
    settings = load_settings(project, environ={})
    session = open_session(REGION)
    first = run_deploy(session, settings, FAST)
    assert first.action == "create" and builds() == 1 and blocker.asked == []
    assert first.requests[0]["operation"] == "CreateAgentRuntime"

    iam = aws.client("iam")
    history = load_history(settings)
    role = iam.get_role(RoleName=history.created["execution_role"])["Role"]
    statement = role["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "bedrock-agentcore.amazonaws.com"}
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:*"}}
    build_role = iam.get_role(RoleName=history.created["codebuild_role"])["Role"]
    condition = build_role["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]
    assert condition["ArnLike"]["aws:SourceArn"].endswith(
        ":project/bedrock-agentcore-my_aibox_agent-builder")
    assert iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"][0] == \
        "aibox-ops-runtime-base"
    lifecycle = json.loads(aws.client("ecr").get_lifecycle_policy(
        repositoryName="bedrock-agentcore-my_aibox_agent")["lifecyclePolicyText"])
    assert lifecycle["rules"][1]["selection"]["countNumber"] == 50  # = the history kept
    # ECR requires a tagStatus "any" rule to have the lowest priority (highest number).
    assert [r["selection"]["tagStatus"] for r in sorted(
        lifecycle["rules"], key=lambda r: r["rulePriority"])] == ["untagged", "any"]
    source = next(s for s in iam.get_role_policy(
        RoleName=build_role["RoleName"], PolicyName="aibox-ops-codebuild")["PolicyDocument"][
        "Statement"] if s["Sid"] == "ReadSource")
    assert source["Resource"].endswith(":::bedrock-agentcore-codebuild-sources-"
                                       f"{ACCOUNT}-{REGION}/my_aibox_agent/*")
    # A role aibox-ops created whose trust was changed gets its trust back on the next deploy.
    iam.update_assume_role_policy(RoleName=role["RoleName"], PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "ec2.amazonaws.com"}}]}))

    # Someone sets a description and a header allow-list in the console; a configuration
    # change then updates the runtime without a build, and neither is reset.
    control = aws.client("bedrock-agentcore-control")
    current = control.get_agent_runtime(agentRuntimeId=first.agent_id)
    control.update_agent_runtime(
        agentRuntimeId=first.agent_id, roleArn=current["roleArn"],
        agentRuntimeArtifact=current["agentRuntimeArtifact"],
        networkConfiguration=current["networkConfiguration"], description="set by hand",
        requestHeaderConfiguration={"requestHeaderAllowlist": ["X-Tenant"]},
        environmentVariables=current["environmentVariables"])
    settings = load_settings(project, environ={"AIBOX_OPS_LIFECYCLE__IDLE_TIMEOUT": "600"})
    changed = run_deploy(open_session(REGION), settings, FAST)
    assert changed.action == "update" and builds() == 1
    after = control.get_agent_runtime(agentRuntimeId=first.agent_id)
    assert after["description"] == "set by hand"
    assert after["lifecycleConfiguration"]["idleRuntimeSessionTimeout"] == 600
    rebuilt = run_deploy(open_session(REGION), settings,
                         DeployOptions(timeout=5, poll=0.05, no_warm=True, force_build=True))
    assert rebuilt.action == "build" and builds() == 2
    trust = iam.get_role(RoleName=role["RoleName"])["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": "bedrock-agentcore.amazonaws.com"}
    assert control.get_agent_runtime(agentRuntimeId=first.agent_id)["description"] == \
        "set by hand"
    assert blocker.asked == []


def test_a_transient_role_failure_is_retried_and_another_failure_is_not():
    sleeps: list[float] = []
    attempts: list[int] = []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise AwsError("could not create: ValidationException: Role validation failed "
                           "for arn:aws:iam::1:role/r: it cannot be assumed",
                           code="ValidationException")
        return "ok"

    assert retry_transient(flaky, ROLE_PROPAGATION, sleep=sleeps.append) == "ok"
    assert sleeps == [1.0, 2.0]

    def other() -> str:
        raise AwsError("could not create: ValidationException: name too long",
                       code="ValidationException")

    with pytest.raises(AwsError):
        retry_transient(other, ROLE_PROPAGATION, sleep=sleeps.append)
    assert sleeps == [1.0, 2.0]  # no wait for a failure that is not the role's
    attempts.clear()
    with pytest.raises(AwsError):  # a role that already existed: no waiting at all
        retry_transient(flaky, retry_if(False), sleep=sleeps.append)
    assert sleeps == [1.0, 2.0] and len(attempts) == 1

    def denied() -> str:  # the caller's own permission, named with its assumed-role ARN
        raise AwsError("could not create: arn:aws:sts::1:assumed-role/Dev/me is not allowed "
                       "to call bedrock-agentcore:CreateAgentRuntime", code="AccessDenied")

    with pytest.raises(AwsError):
        retry_transient(denied, ROLE_PROPAGATION, sleep=sleeps.append)
    assert sleeps == [1.0, 2.0]


def test_a_bucket_another_account_owns_stops_before_any_upload(aws):
    from botocore.stub import Stubber

    from aibox_ops.deploy.engine.source import ensure_source_bucket

    session = open_session(REGION)
    with Stubber(session.client("s3")) as stub:
        stub.add_client_error("head_bucket", service_error_code="403", http_status_code=403,
                              expected_params={"Bucket": "b-1", "ExpectedBucketOwner": ACCOUNT})
        with pytest.raises(AwsError) as info:
            ensure_source_bucket(session, "b-1", ACCOUNT, REGION, lambda _t: None)
        stub.assert_no_pending_responses()
    assert info.value.code == "BucketNotOwned" and "nothing was uploaded" in info.value.hint


def test_a_new_bucket_is_private_and_expires_sources(aws):
    from aibox_ops.deploy.engine.source import ensure_source_bucket

    session = open_session(REGION)
    assert ensure_source_bucket(session, "src-1", ACCOUNT, REGION, lambda _t: None) is True
    s3 = aws.client("s3")
    block = s3.get_public_access_block(Bucket="src-1")["PublicAccessBlockConfiguration"]
    assert all(block.values())
    rules = s3.get_bucket_lifecycle_configuration(Bucket="src-1")["Rules"]
    assert rules[0]["Expiration"] == {"Days": 7}
    assert ensure_source_bucket(session, "src-1", ACCOUNT, REGION, lambda _t: None) is False


def test_a_project_aibox_ops_did_not_create_is_used_only_if_it_builds_arm64_docker(aws):
    from aibox_ops.deploy.engine.build import ensure_project

    role = aws.client("iam").create_role(RoleName="cb", AssumeRolePolicyDocument="{}")
    aws.client("codebuild").create_project(
        name="theirs", serviceRole=role["Role"]["Arn"], artifacts={"type": "NO_ARTIFACTS"},
        source={"type": "S3", "location": "b/k"},
        environment={"type": "LINUX_CONTAINER", "image": "img",
                     "computeType": "BUILD_GENERAL1_SMALL"})
    with pytest.raises(AwsError) as info:
        ensure_project(open_session(REGION), "theirs", role["Role"]["Arn"], "b/k",
                       owned=False, record=lambda _n: None, note=lambda _t: None)
    assert info.value.code == "ProjectUnsuitable" and "never changes" in info.value.hint
    project = aws.client("codebuild").batch_get_projects(names=["theirs"])["projects"][0]
    assert project["environment"]["type"] == "LINUX_CONTAINER"  # untouched


def test_an_update_request_carries_forward_what_aibox_ops_does_not_manage():
    from aibox_ops.deploy.engine.runtime import update_request

    current = {"agentRuntimeId": "r-1", "agentRuntimeArn": "arn:x", "status": "READY",
               "description": "", "roleArn": "arn:old",
               "requestHeaderConfiguration": {"requestHeaderAllowlist": ["X-Tenant"]},
               "authorizerConfiguration": {"customJWTAuthorizer": {"discoveryUrl": "u"}},
               "environmentVariables": {"BEDROCK_AGENTCORE_MEMORY_ID": "m-1", "OLD": "1"},
               "agentRuntimeArtifact": {"containerConfiguration": {"containerUri": "old"}}}
    params = update_request(current, {"containerConfiguration": {"containerUri": "new"}},
                            "arn:role", {"environmentVariables": {"A": "1"}},
                            managed=("authorizerConfiguration",))
    assert params["requestHeaderConfiguration"] == {"requestHeaderAllowlist": ["X-Tenant"]}
    assert "description" not in params and "status" not in params  # "" and read-only
    assert "authorizerConfiguration" not in params  # managed: removed in the settings
    assert params["environmentVariables"] == {"BEDROCK_AGENTCORE_MEMORY_ID": "m-1", "A": "1"}
    assert params["roleArn"] == "arn:role" and params["agentRuntimeId"] == "r-1"
    # The toolkit's AWS-issued JWT (authorizer type "jwt") is not described by the settings:
    # an update keeps it as the runtime has it.
    kept = update_request(current, {"containerConfiguration": {"containerUri": "new"}},
                          "arn:role", {}, managed=())
    assert kept["authorizerConfiguration"] == current["authorizerConfiguration"]


@pytest.mark.slow
def test_every_request_a_deploy_sends_is_in_the_documented_permission_list(
        project, aws, agentcore_moto, health_peer, monkeypatch):
    import re

    from aibox_ops.aws import session as session_module
    from tests.helpers import REPO

    sent: set[tuple[str, str]] = set()
    validate = session_module.validate_params

    def record(params, model, **kwargs):  # the one hook every client's request goes through
        sent.add((model.service_model.service_name, model.name))
        return validate(params, model, **kwargs)

    monkeypatch.setattr(session_module, "validate_params", record)
    settings = load_settings(project, environ={})
    run_deploy(open_session(REGION), settings, FAST)
    settings = load_settings(project, environ={"AIBOX_OPS_LIFECYCLE__IDLE_TIMEOUT": "600"})
    assert run_deploy(open_session(REGION), settings, FAST).action == "update"
    text = (REPO / "docs" / "deploy.md").read_text()
    table = text.split("### What the deploying credentials need", 1)[1].split("###", 1)[0]
    documented = {(row.split("|")[1].split()[0], op) for row in table.splitlines()
                  if row.startswith("| ") and not row.startswith("| service")
                  for op in re.findall(r"`([A-Z][A-Za-z]+)`", row.split("|")[2])}
    assert {"CreateAgentRuntime", "StartBuild", "PutLifecyclePolicy"} <= {o for _, o in sent}
    assert sent <= documented, sorted(sent - documented)
