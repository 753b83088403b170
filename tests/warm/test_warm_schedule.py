"""warm schedule/unschedule against the moto server: what Scheduler and IAM end up holding."""

from __future__ import annotations

import json

import pytest
from warm_helpers import warm_project

from aibox_ops.aws.validate import validate_request
from aibox_ops.config import load_settings
from aibox_ops.errors import AiboxError, ConfigError, RefusedError
from aibox_ops.warm import (
    apply_schedules,
    load_pool,
    plan_schedules,
    read_schedules,
    remove_schedules,
)
from aibox_ops.warm.names import OWNER_TAG, POLICY_NAME, group_name, role_name
from aibox_ops.warm.quota import SessionQuota
from aibox_ops.warm.target import invoke_shape

UNKNOWN_QUOTA = SessionQuota(None, None, "not asked in this test")


def plan(session, project, **kw):
    return plan_schedules(session, load_settings(project), quota=UNKNOWN_QUOTA, **kw)


def test_schedule_creates_one_schedule_per_pooled_session(aws, session, project, runtime_arn):
    settings = load_settings(project)
    the_plan = plan(session, project)
    assert not the_plan.errors
    written = apply_schedules(session, the_plan)
    pool = load_pool(settings)
    assert len(pool) == 3 and all(len(sid) >= 33 for sid in pool)
    assert ".aibox-ops/warm-sessions.json" in written
    assert any((project / ".aibox-ops/backups").iterdir())  # fix-iam's writer backed up first

    scheduler, iam = aws.client("scheduler"), aws.client("iam")
    group = group_name(settings)
    listed = scheduler.list_schedules(GroupName=group)["Schedules"]
    assert sorted(s["Name"] for s in listed) == ["warm-00", "warm-01", "warm-02"]
    role = iam.get_role(RoleName=role_name(settings))["Role"]
    for index, session_id in enumerate(pool):
        got = scheduler.get_schedule(Name=f"warm-{index:02d}", GroupName=group)
        target = got["Target"]
        assert target["Arn"] == "arn:aws:scheduler:::aws-sdk:bedrockagentcore:invokeAgentRuntime"
        assert target["RoleArn"] == role["Arn"]
        assert got["ScheduleExpression"] == "rate(5 minutes)"
        assert json.loads(target["Input"]) == {
            "agentRuntimeArn": runtime_arn, "qualifier": "DEFAULT",
            "runtimeSessionId": session_id, "payload": '{"action":"health"}'}

    trust = role["AssumeRolePolicyDocument"]
    statement = trust["Statement"][0]
    assert statement["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert statement["Condition"]["StringEquals"] == {
        "aws:SourceAccount": aws.account_id,
        "aws:SourceArn": f"arn:aws:scheduler:ap-southeast-1:{aws.account_id}:schedule-group/"
                         f"{group}"}
    policy = iam.get_role_policy(RoleName=role["RoleName"], PolicyName=POLICY_NAME)
    assert policy["PolicyDocument"]["Statement"] == [{
        "Sid": "InvokeThisRuntimeOnly", "Effect": "Allow",
        "Action": "bedrock-agentcore:InvokeAgentRuntime",
        "Resource": [runtime_arn, f"{runtime_arn}/runtime-endpoint/*"]}]
    tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role["RoleName"])["Tags"]}
    assert tags[OWNER_TAG] == "my_aibox_agent@ap-southeast-1"


def test_unchanged_pool_makes_no_write_call(session, calls, project, runtime_arn):
    apply_schedules(session, plan(session, project))
    assert calls.writes  # the first run did write
    # every request sent (reads and writes) passes botocore's model, patterns included
    assert [(s, op, p) for s, op, p in calls.calls if validate_request(s, op, p)] == []
    assert {op for _, op, _ in calls.calls} >= {"CreateRole", "PutRolePolicy",
                                                 "CreateScheduleGroup", "CreateSchedule"}
    calls.calls.clear()
    again = plan(session, project)
    assert [i.status for i in again.items] == ["unchanged"] * len(again.items)
    assert apply_schedules(session, again) == []
    assert calls.writes == []
    assert calls.calls  # it did read AWS to know


def test_changed_interval_updates_in_place_and_shrinking_deletes(aws, session, calls, tmp_path,
                                                                 runtime_arn):
    project = warm_project(tmp_path / "p", sessions=3, interval=5)
    apply_schedules(session, plan(session, project))
    scheduler = aws.client("scheduler")
    group = group_name(load_settings(project))
    created = scheduler.get_schedule(Name="warm-00", GroupName=group)["CreationDate"]
    before_ids = load_pool(load_settings(project))

    warm_project(project, sessions=2, interval=7)
    calls.calls.clear()
    update = plan(session, project)
    statuses = {i.target: i.status for i in update.items}
    assert statuses[f"schedule/{group}/warm-00"] == "update"
    assert statuses[f"schedule/{group}/warm-02"] == "delete"
    apply_schedules(session, update)
    assert ("scheduler", "CreateSchedule") not in calls.writes
    assert calls.writes.count(("scheduler", "UpdateSchedule")) == 2
    got = scheduler.get_schedule(Name="warm-00", GroupName=group)
    assert got["ScheduleExpression"] == "rate(7 minutes)"
    assert got["CreationDate"] == created
    assert sorted(s["Name"] for s in scheduler.list_schedules(GroupName=group)["Schedules"]) \
        == ["warm-00", "warm-01"]
    assert load_pool(load_settings(project)) == before_ids[:2]  # the same ids, stable


def test_unschedule_removes_schedules_group_and_role(aws, session, project, runtime_arn):
    settings = load_settings(project)
    apply_schedules(session, plan(session, project))
    removed = remove_schedules(session, settings)
    assert f"schedule-group/{group_name(settings)}" in removed
    assert f"role/{role_name(settings)}" in removed
    assert aws.client("scheduler").list_schedule_groups(
        NamePrefix="aibox-warm")["ScheduleGroups"] == []
    assert not read_schedules(session, settings).role_arn
    assert remove_schedules(session, settings) == []  # nothing left: nothing to do


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_failure_mid_apply_leaves_no_half_created_group(aws, session, project, runtime_arn):
    settings = load_settings(project)
    good = plan(session, project)
    # Break the last schedule's request so the model check stops it after the group, the
    # role and two schedules were created.
    broken = good.items[-1]
    object.__setattr__(broken, "payload", {**broken.payload, "ScheduleExpression": ""})
    with pytest.raises(AiboxError, match="undone"):
        apply_schedules(session, good)
    assert aws.client("scheduler").list_schedule_groups(
        NamePrefix="aibox-warm")["ScheduleGroups"] == []
    assert read_schedules(session, settings).role_arn is None


def test_foreign_group_is_refused_and_left_alone(aws, session, project, runtime_arn):
    settings = load_settings(project)
    aws.client("scheduler").create_schedule_group(Name=group_name(settings))
    the_plan = plan(session, project)
    assert isinstance(the_plan.errors[0], RefusedError)
    with pytest.raises(RefusedError):
        apply_schedules(session, the_plan)
    with pytest.raises(RefusedError):
        remove_schedules(session, settings)
    aws.client("scheduler").get_schedule_group(Name=group_name(settings))  # still there


def test_not_deployed_is_a_clear_aws_error(session, project):
    with pytest.raises(AiboxError) as info:
        plan(session, project)
    assert info.value.exit_code == 5 and "not deployed" in info.value.message


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_pool_over_the_session_quota_is_refused(session, project, runtime_arn):
    quota = SessionQuota(2, "Active session workloads per account", "service-quotas")
    the_plan = plan_schedules(session, load_settings(project), quota=quota)
    error = the_plan.errors[0]
    assert isinstance(error, ConfigError)
    assert "'warm.sessions' = 3 is more than" in error.message and "quota of 2" in error.message


def test_interval_against_the_deployed_idle_timeout(aws, session, tmp_path):
    control = aws.client("bedrock-agentcore-control")
    control.create_agent_runtime(
        agentRuntimeName="my_aibox_agent",
        agentRuntimeArtifact={"containerConfiguration": {"containerUri": "1.dkr.ecr/x:1"}},
        roleArn="arn:aws:iam::123456789012:role/exec",
        networkConfiguration={"networkMode": "PUBLIC"},
        lifecycleConfiguration={"idleRuntimeSessionTimeout": 300, "maxLifetime": 28800})
    project = warm_project(tmp_path / "p", sessions=1, interval=5)
    error = plan(session, project).errors[0]
    assert "= 5 min (300 s) is not shorter than the deployed runtime's " \
           "idleRuntimeSessionTimeout = 300 s minus a 60 s margin" in error.message


def test_every_planned_request_passes_the_service_model(session, project, runtime_arn):
    the_plan = plan(session, project)
    operations = {"schedule": "CreateSchedule", "schedule-group": "CreateScheduleGroup",
                  "role": "CreateRole"}
    for item in the_plan.items:
        if item.kind in operations:
            service = "iam" if item.kind == "role" else "scheduler"
            assert validate_request(service, operations[item.kind], item.payload) == []
    item = next(i for i in the_plan.items if i.kind == "schedule")
    request = json.loads(item.payload["Target"]["Input"])
    shape = invoke_shape()
    request[shape.payload] = request[shape.payload].encode()
    assert validate_request("bedrock-agentcore", "InvokeAgentRuntime", request) == []


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_unschedule_also_detaches_a_managed_policy_someone_attached(aws, session, project,
                                                                    runtime_arn):
    """DeleteRole refuses a role with an attached policy: the one role deleter detaches it."""
    settings = load_settings(project)
    apply_schedules(session, plan(session, project))
    iam = aws.client("iam")
    arn = iam.create_policy(PolicyName="extra", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role_name(settings), PolicyArn=arn)
    removed = remove_schedules(session, settings)
    assert f"role/{role_name(settings)}/attached/{arn}" in removed
    assert role_name(settings) not in [r["RoleName"] for r in iam.list_roles()["Roles"]]
