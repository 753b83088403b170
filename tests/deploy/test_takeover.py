"""Taking over a toolkit-deployed project: rollback to versions only AWS knows, destroy of
what the starter toolkit created, and never a reference erased to what still exists."""

from __future__ import annotations

import json

import pytest
import yaml
from toolkit_guide import toolkit_deployed

from aibox_ops.aws import open_session
from aibox_ops.config import load_settings
from aibox_ops.deploy import load_history
from aibox_ops.deploy.destroy import apply_destroy, plan_destroy
from aibox_ops.deploy.rollback import apply_rollback, plan_rollback
from aibox_ops.deploy.runtime_api import list_versions, read_runtime
from aibox_ops.deploy.yaml_state import write_project_state
from aibox_ops.deploy_state import load_deploy_state, load_toolkit_record
from aibox_ops.errors import ConfigError
from aibox_ops.render import apply_render, plan_render
from tests.helpers import invoke, json_out

ACCOUNT, REGION = "123456789012", "ap-southeast-1"
ECR = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com"
TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
    "Action": "sts:AssumeRole"}]}


def agent_entry(root) -> dict:
    doc = yaml.safe_load((root / ".bedrock_agentcore.yaml").read_text())
    return doc["agents"]["my_aibox_agent"]


def items_by_kind(plan) -> dict[str, list]:
    out: dict[str, list] = {}
    for item in plan.items:
        out.setdefault(item.kind, []).append(item)
    return out


@pytest.mark.slow
def test_destroy_removes_what_the_starter_toolkit_created(tmp_path, aws, agentcore_moto,
                                                          monkeypatch):
    root = toolkit_deployed(tmp_path, monkeypatch)
    settings = load_settings(root, environ={})
    state = load_deploy_state(settings)
    memory_id = load_toolkit_record(settings)["memory_id"]
    assert state.agent_id and memory_id  # the toolkit's own record

    planned = json_out(invoke("--json", "destroy", "--dry-run", project=root))
    by_target = {i["target"]: i for i in planned["items"]}
    toolkit_made = [i for i in planned["items"] if i.get("owner") == "starter-toolkit"]
    assert {i["kind"] for i in toolkit_made} == {
        "role", "ecr-repository", "codebuild-project", "memory", "s3-object"}
    assert [(i["target"], i["status"], i["reason"]) for i in toolkit_made
            if i["status"] != "delete" or "created by the starter toolkit" not in i["reason"]
            ] == []
    assert len([i for i in toolkit_made if i["kind"] == "role"]) == 2
    assert by_target[memory_id]["reason"].startswith("created by the starter toolkit")
    assert "supplied by you" not in json.dumps(planned)
    assert aws.client("bedrock-agentcore-control").list_agent_runtimes()["agentRuntimes"]

    session = open_session(REGION)
    apply_destroy(session, settings, plan_destroy(session, settings))
    control = aws.client("bedrock-agentcore-control")
    assert control.list_agent_runtimes()["agentRuntimes"] == []
    assert control.list_memories()["memories"] == []
    assert not [r for r in aws.client("iam").list_roles()["Roles"]
                if r["RoleName"].startswith("AmazonBedrockAgentCoreSDK")]
    assert aws.client("ecr").describe_repositories()["repositories"] == []
    assert aws.client("codebuild").list_projects()["projects"] == []
    bucket = state.source_bucket
    assert aws.client("s3").list_objects_v2(Bucket=bucket).get("KeyCount") == 0  # kept, empty

    entry = agent_entry(root)
    assert entry["bedrock_agentcore"]["agent_id"] is None
    assert entry["aws"]["execution_role"] is None and entry["memory"]["memory_id"] is None
    assert entry["codebuild"]["source_bucket"] == bucket  # the shared bucket still exists
    assert entry["aws"]["account"] == ACCOUNT
    assert load_history(settings).created == {}


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_destroy_keeps_what_you_supplied_and_its_references(project, aws):
    iam = aws.client("iam")
    role_arn = iam.create_role(RoleName="team-agent-role",
                               AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    aws.client("ecr").create_repository(repositoryName="team-images")
    memory = aws.client("bedrock-agentcore-control").create_memory(
        name="team_memory", eventExpiryDuration=30)["memory"]
    settings = load_settings(project, environ={})
    apply_render(project, plan_render(settings))
    write_project_state(settings, {
        "execution_role": role_arn, "ecr_repository": f"{ECR}/team-images",
        "memory_id": memory["id"], "memory_arn": memory["arn"], "memory_name": "team_memory"})

    session = open_session(REGION)
    plan = plan_destroy(session, settings)
    kept = {i.target: i for i in plan.items if i.status == "unchanged"}
    assert set(kept) == {"team-agent-role", "team-images", memory["id"]}
    assert all(i.detail["owner"] == "you" and "never deleted" in i.reason
               for i in kept.values())
    assert not plan.changes
    apply_destroy(session, settings, plan)
    assert iam.get_role(RoleName="team-agent-role")
    state = load_deploy_state(settings)
    assert (state.execution_role, state.ecr_repository) == (role_arn, f"{ECR}/team-images")
    assert load_toolkit_record(settings)["memory_id"] == memory["id"]


def test_a_reference_to_what_is_gone_is_forgotten(project, aws):
    settings = load_settings(project, environ={})
    apply_render(project, plan_render(settings))
    gone_role = f"arn:aws:iam::{ACCOUNT}:role/AmazonBedrockAgentCoreSDKRuntime-{REGION}-0123456789"
    write_project_state(settings, {"execution_role": gone_role, "agent_id": "a-1234567890"})
    session = open_session(REGION)
    plan = plan_destroy(session, settings)
    assert {i.reason.split(" (")[0] for i in plan.items} == {"already gone"}
    apply_destroy(session, settings, plan)
    state = load_deploy_state(settings)
    assert state.execution_role is None and state.agent_id is None


@pytest.fixture
def two_versions(project, aws, agentcore_moto):
    """A runtime whose version 1 (image :toolkit, the toolkit's environment) no aibox-ops
    history knows, and version 2 (image :second) on top of it."""
    control = aws.client("bedrock-agentcore-control")
    common = {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/r",
              "networkConfiguration": {"networkMode": "PUBLIC"}}
    first = control.create_agent_runtime(
        agentRuntimeName="my_aibox_agent", **common,
        agentRuntimeArtifact={"containerConfiguration": {"containerUri": f"{ECR}/r:toolkit"}},
        environmentVariables={"BEDROCK_AGENTCORE_MEMORY_ID": "mem-1"})
    control.update_agent_runtime(
        agentRuntimeId=first["agentRuntimeId"], **common,
        agentRuntimeArtifact={"containerConfiguration": {"containerUri": f"{ECR}/r:second"}},
        environmentVariables={"ONLY_IN_V2": "1"})
    settings = load_settings(project, environ={})
    apply_render(project, plan_render(settings))
    write_project_state(settings, {"agent_id": first["agentRuntimeId"],
                                   "agent_arn": first["agentRuntimeArn"]})
    return settings, first["agentRuntimeId"]


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_rollback_goes_back_to_a_version_only_aws_knows(two_versions, aws):
    settings, agent_id = two_versions
    session = open_session(REGION)
    assert not load_history(settings).deploys
    plan, runtime, target = plan_rollback(session, settings)
    assert (target.source, target.runtime_version, target.image_uri) == (
        "aws", "1", f"{ECR}/r:toolkit")
    assert "its own environment" in plan.items[0].reason
    result = apply_rollback(session, settings, runtime, target, timeout=5, poll=0.05)
    now = read_runtime(session, agent_id)
    assert (now.version, now.image_uri) == ("3", f"{ECR}/r:toolkit") == (
        result.runtime_version, target.image_uri)
    assert now.environment == {"BEDROCK_AGENTCORE_MEMORY_ID": "mem-1"}  # carried forward
    assert load_history(settings).last.action == "rollback"

    status = json_out(invoke("--json", "status", project=settings.project_dir))
    assert [(v["version"], v["in_history"]) for v in status["versions"]] == [
        ("3", True), ("2", False), ("1", False)]
    human = invoke("status", project=settings.project_dir).stdout
    assert "versions:  3, 2, 1 (not deployed by aibox-ops: 2, 1;" in human

    shown = json_out(invoke("--json", "rollback", "--dry-run", "2", project=settings.project_dir))
    assert (shown["to_version"], shown["source"], shown["to_image"]) == (
        "2", "aws", f"{ECR}/r:second")
    with pytest.raises(ConfigError) as info:
        plan_rollback(session, settings, "9")
    assert "versions: 3, 2, 1" in info.value.problems[0]


def test_version_reads_follow_the_service_model(aws):
    from botocore.stub import Stubber

    session = open_session(REGION)
    client = session.client("bedrock-agentcore-control")
    summary = {"agentRuntimeArn": "arn:aws:bedrock-agentcore:x:1:runtime/a-1234567890",
               "agentRuntimeId": "a-1234567890", "agentRuntimeName": "n",
               "lastUpdatedAt": "2026-01-01T00:00:00Z", "status": "READY", "description": "d"}
    with Stubber(client) as stub:
        stub.add_response("list_agent_runtime_versions",
                          {"agentRuntimes": [{**summary, "agentRuntimeVersion": "1"}],
                           "nextToken": "t"}, {"agentRuntimeId": "a-1234567890"})
        stub.add_response("list_agent_runtime_versions",
                          {"agentRuntimes": [{**summary, "agentRuntimeVersion": "12"}]},
                          {"agentRuntimeId": "a-1234567890", "nextToken": "t"})
        stub.add_response("get_agent_runtime", {
            **{k: v for k, v in summary.items() if k != "status"}, "status": "READY",
            "agentRuntimeVersion": "1", "createdAt": "2026-01-01T00:00:00Z",
            "roleArn": "arn:aws:iam::123456789012:role/r", "lifecycleConfiguration": {},
            "networkConfiguration": {"networkMode": "PUBLIC"},
            "agentRuntimeArtifact": {"containerConfiguration": {"containerUri": "img:1"}}},
            {"agentRuntimeId": "a-1234567890", "agentRuntimeVersion": "1"})
        versions = list_versions(session, "a-1234567890")
        info = read_runtime(session, "a-1234567890", "1")
    assert [v["agentRuntimeVersion"] for v in versions] == ["12", "1"]  # newest first
    assert (info.version, info.image_uri) == ("1", "img:1")


def test_who_created_what():
    from aibox_ops.deploy.created import AIBOX_OPS, TOOLKIT, USER, toolkit_owners

    role = "AmazonBedrockAgentCoreSDKRuntime-ap-southeast-1-f2ee589c5e"  # sha256 of the name
    owners = toolkit_owners("my_aibox_agent", REGION, {"codebuild_role": "mine",
                                                       "ecr_repository": "mine"})
    assert owners.owner_of("execution_role", role) == TOOLKIT
    assert owners.owner_of("execution_role", role.replace(REGION, "us-east-1")) == USER
    assert owners.owner_of("ecr_repository", "mine") == AIBOX_OPS
    # a role recorded as created under another name than deploy gives it: a hand edit
    assert owners.hand_edited("codebuild_role", "mine")
    assert owners.owner_of("codebuild_role", "mine") == USER
    assert owners.owner_of("ecr_repository", "bedrock-agentcore-my_aibox_agent") == TOOLKIT
    assert owners.owner_of("ecr_repository", "bedrock-agentcore-other") == USER
    assert owners.owner_of("codebuild_project",
                           "bedrock-agentcore-my_aibox_agent-builder") == TOOLKIT
    assert owners.owner_of("memory", "my_aibox_agent_mem") == TOOLKIT
    assert owners.owner_of("memory", "my_aibox_agent_mem-AbCdEf1234") == TOOLKIT
    assert owners.owner_of("memory", "team_memory") == USER
    flagged = toolkit_owners("my_aibox_agent", REGION, {}, memory_flag=True)
    assert flagged.owner_of("memory", "team_memory") == TOOLKIT  # was_created_by_toolkit
    assert owners.owner_of("execution_role", None) == USER


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_keep_images_keeps_the_toolkits_repository_and_its_reference(project, aws):
    repo = "bedrock-agentcore-my_aibox_agent"
    aws.client("ecr").create_repository(repositoryName=repo)
    settings = load_settings(project, environ={})
    apply_render(project, plan_render(settings))
    write_project_state(settings, {"ecr_repository": f"{ECR}/{repo}"})
    session = open_session(REGION)

    kept = plan_destroy(session, settings, keep_images=True)
    item = kept.item(repo)
    assert (item.status, item.detail["owner"]) == ("unchanged", "starter-toolkit")
    assert item.reason == "created by the starter toolkit: kept (--keep-images)"
    apply_destroy(session, settings, kept)
    assert load_deploy_state(settings).ecr_repository == f"{ECR}/{repo}"

    apply_destroy(session, settings, plan_destroy(session, settings))
    assert aws.client("ecr").describe_repositories()["repositories"] == []
    assert load_deploy_state(settings).ecr_repository is None
