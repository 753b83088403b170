"""fix-iam's library against the moto server: find, plan, apply, verify, back up, roll back."""

from __future__ import annotations

import json

import pytest

from aibox_ops import iam
from aibox_ops.aws import open_session
from aibox_ops.aws.validate import InvalidRequestError
from aibox_ops.config import load_settings
from aibox_ops.deploy_state import load_deploy_state
from aibox_ops.errors import AwsError, RefusedError
from tests.iam.conftest import (
    ACCOUNT,
    EXPECTED_MODELS,
    IAM_WRITES,
    REGION,
    TEAM_POLICY,
    count_calls,
    create_runtime,
    expected_data,
    inline,
)
from tests.iam.lint import lint_policy


def setup(world):
    session = open_session(REGION)
    settings = load_settings(world.project)
    role = iam.find_role(session, settings, load_deploy_state(settings))
    return session, settings, role


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_toolkit_role_gets_exact_documents_and_a_rerun_writes_nothing(aws, world):
    session, settings, role = setup(world)
    assert (role.name, role.found_by) == (world.role_name, "toolkit name")
    before = inline(aws, world.role_name)
    planned = iam.plan_role_access(session, settings, role)
    plan = planned.plan
    assert [(i.target, i.status) for i in plan.items] == [
        ("aibox-ops-data", "create"), ("aibox-ops-models", "create")]
    assert plan.item("aibox-ops-data").payload == expected_data(world)
    assert plan.item("aibox-ops-models").payload == EXPECTED_MODELS
    assert any("BedrockImageModel: already allowed" in n for n in planned.notes)
    for item in plan.items:
        assert lint_policy(item.payload) == []
    backups = world.project / iam.BACKUP_DIR
    result = iam.apply_role_policies(session, role.name, plan, backups)
    assert result.written == ["aibox-ops-data", "aibox-ops-models"] and result.backup_id
    after = inline(aws, world.role_name)
    assert after["aibox-ops-data"] == expected_data(world)
    assert after["aibox-ops-models"] == EXPECTED_MODELS
    for name, doc in before.items():  # the toolkit's and the team's policies: untouched
        assert after[name] == doc
    assert after["team-s3-read"] == TEAM_POLICY
    report = iam.verify_role_access(session, role.name, planned.requirements)
    assert report.ok and report.missing == []

    fresh = open_session(REGION)  # a second run: plans unchanged, sends no IAM write
    calls = count_calls(fresh, "iam")
    again = iam.plan_role_policies(fresh, settings, iam.find_role(
        fresh, settings, load_deploy_state(settings)))
    assert [i.status for i in again.items] == ["unchanged", "unchanged"]
    assert iam.apply_role_policies(fresh, role.name, again, backups).backup_id is None
    assert calls and not IAM_WRITES & set(calls)


def test_rollback_restores_byte_equal_and_deletes_created_policies(aws, world):
    session, settings, role = setup(world)
    backups = world.project / iam.BACKUP_DIR
    handmade = '{"Version": "2012-10-17",\n  "Statement": [{"Sid": "Old", "Effect": "Allow", ' \
               '"Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:*:*:table/x"}]}'
    aws.client("iam").put_role_policy(RoleName=role.name, PolicyName="aibox-ops-data",
                                      PolicyDocument=handmade)
    plan = iam.plan_role_policies(session, settings, role)
    assert [(i.target, i.status) for i in plan.items] == [
        ("aibox-ops-data", "update"), ("aibox-ops-models", "create")]
    assert "- Old: Allow" in plan.item("aibox-ops-data").diff
    first = iam.apply_role_policies(session, role.name, plan, backups)
    saved = iam.load_backup(backups, first.backup_id)
    assert saved.policies == {"aibox-ops-data": handmade, "aibox-ops-models": None}

    undone = iam.rollback_role_policies(session, backups, first.backup_id)
    assert undone.written == ["aibox-ops-data"] and undone.deleted == ["aibox-ops-models"]
    raw = iam.role.read_inline_policy(session, role.name, "aibox-ops-data")
    assert raw.text == handmade  # byte for byte
    assert set(inline(aws, role.name)) == {
        "BedrockAgentCoreRuntimeExecutionPolicy-my_aibox_agent", "team-s3-read",
        "aibox-ops-data"}
    listed = iam.list_backups(backups)
    assert [b.id for b in listed] == [first.backup_id, undone.backup_id]
    assert iam.rollback_role_policies(session, backups, first.backup_id).backup_id is None


def test_missing_role_lists_agentcore_candidates(aws, world):
    aws.client("iam").create_role(RoleName="MyAgentCoreRole", AssumeRolePolicyDocument="{}")
    session, settings, _ = setup(world)
    with pytest.raises(AwsError) as info:
        iam.find_role(session, settings, load_deploy_state(settings), explicit="nope")
    assert "--role: role nope does not exist" in info.value.message
    assert "MyAgentCoreRole" in info.value.hint
    assert world.role_name in info.value.hint


def test_role_found_through_the_runtime_by_name(aws, world, tmp_path):
    session = open_session(REGION)
    settings = load_settings(world.project)
    aws.client("iam").create_role(RoleName="custom-runtime-role", AssumeRolePolicyDocument="{}")
    create_runtime(aws, f"arn:aws:iam::{ACCOUNT}:role/custom-runtime-role")
    role = iam.find_role(session, settings, load_deploy_state(settings))
    assert (role.name, role.found_by) == ("custom-runtime-role", "GetAgentRuntime")


def test_oversized_policies_fail_before_writing(aws, world):
    session, settings, role = setup(world)
    big = {"Version": "2012-10-17", "Statement": [
        {"Sid": f"S{i}", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::bucket-{i:04d}-{'x' * 60}/*"} for i in range(80)]}
    aws.client("iam").put_role_policy(RoleName=role.name, PolicyName="big",
                                      PolicyDocument=json.dumps(big))
    plan = iam.plan_role_policies(session, settings, role)
    assert plan.errors and plan.errors[0].code == "LimitExceeded"
    assert "10240" in plan.errors[0].message
    with pytest.raises(AwsError, match="over IAM's 10240-character limit"):
        iam.apply_role_policies(session, role.name, plan, world.project / iam.BACKUP_DIR)
    assert "aibox-ops-data" not in inline(aws, role.name)
    assert not (world.project / iam.BACKUP_DIR).exists()


def test_put_owned_policies_refuses_other_names(aws, world):
    session, _, role = setup(world)
    with pytest.raises(RefusedError, match="team-s3-read"):
        iam.put_owned_policies(session, role.name, {"team-s3-read": None},
                               world.project / iam.BACKUP_DIR, iam.OWNED_PREFIX)
    assert inline(aws, role.name)["team-s3-read"] == TEAM_POLICY


def test_requests_are_validated_before_they_are_sent(aws, world):
    from aibox_ops.aws.calls import call

    session = open_session(REGION)
    sent = count_calls(session, "iam")
    with pytest.raises(InvalidRequestError) as info:
        call(session, "iam", "PutRolePolicy", "write policy", RoleName="bad role/name",
             PolicyName="aibox-ops-data", PolicyDocument="{}")
    assert "RoleName" in info.value.message  # the pattern, which botocore itself skips
    with pytest.raises(InvalidRequestError, match="PolicyName"):
        call(session, "iam", "GetRolePolicy", "read policy", RoleName=world.role_name)
    assert sent == []  # nothing reached the endpoint


def test_a_secret_that_cannot_be_described_gets_its_name_pattern_and_a_warning(aws, world):
    session, settings, role = setup(world)
    aws.client("secretsmanager").delete_secret(SecretId="dev_openai_api",
                                               ForceDeleteWithoutRecovery=True)
    plan = iam.plan_role_policies(session, settings, role)
    [statement] = [st for st in plan.item("aibox-ops-data").payload["Statement"]
                   if st["Sid"] == "ProviderApiKeySecrets"]
    assert statement["Resource"] == [
        f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:dev_openai_api-??????",
        world.secret_arns["dev_gemini_api"]]
    assert any("secret dev_openai_api" in w and "ResourceNotFoundException" in w
               for w in plan.warnings)
