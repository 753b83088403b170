"""Faults moto cannot produce (Stubber checks each scripted call against the real model):
a missing Scheduler permission, a role Scheduler cannot assume yet, the session quota."""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from aibox_ops.config import load_settings
from aibox_ops.errors import AwsError, ConfigError
from aibox_ops.warm import apply_schedules, plan_schedules, read_schedules
from aibox_ops.warm.apply import _put_schedule
from aibox_ops.warm.quota import read_session_quota

NOT_ASSUMABLE = ("The execution role you provide must allow AWS EventBridge Scheduler to "
                 "assume the role.")


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_missing_scheduler_permission_names_the_call_and_undoes_the_role(
        aws, session, project, runtime_arn):
    settings = load_settings(project)
    plan = plan_schedules(session, settings)  # reads from moto; the quota is unreadable there
    assert "could not read the account's active-session quota" in plan.warnings[0]
    with Stubber(session.client("scheduler")) as stub:
        stub.add_client_error(
            "create_schedule_group", service_error_code="AccessDeniedException",
            service_message="User: arn:aws:iam::123456789012:user/dev is not authorized to "
                            "perform: scheduler:CreateScheduleGroup", http_status_code=403)
        with pytest.raises(AwsError) as info:
            apply_schedules(session, plan)
        stub.assert_no_pending_responses()
    error = info.value
    assert error.code == "AccessDeniedException" and error.exit_code == 5
    assert "create schedule group aibox-warm-my_aibox_agent" in error.message
    assert "undone: role aibox-warm-my_aibox_agent-ap-southeast-1" in error.message
    assert read_schedules(session, settings).role_arn is None  # the new role is gone again


def test_a_new_role_is_waited_for_then_the_schedule_is_created(session):
    params = {"Name": "warm-00", "GroupName": "g", "ScheduleExpression": "rate(5 minutes)",
              "FlexibleTimeWindow": {"Mode": "OFF"},
              "Target": {"Arn": "arn:aws:scheduler:::aws-sdk:bedrockagentcore:"
                                "invokeAgentRuntime",
                         "RoleArn": "arn:aws:iam::123456789012:role/r", "Input": "{}"}}
    slept: list[float] = []
    scheduler = session.client("scheduler")
    with Stubber(scheduler) as stub:
        for _ in range(2):
            stub.add_client_error("create_schedule", "ValidationException", NOT_ASSUMABLE)
        stub.add_response("create_schedule",
                          {"ScheduleArn": "arn:aws:scheduler:ap-southeast-1:123456789012:"
                                          "schedule/g/warm-00"}, params)
        _put_schedule(scheduler, "create", params, True, slept.append)
        stub.assert_no_pending_responses()
    assert slept == [2.0, 4.0]
    with Stubber(scheduler) as stub:  # an old role: no waiting, the error is reported at once
        stub.add_client_error("create_schedule", "ValidationException", NOT_ASSUMABLE)
        with pytest.raises(AwsError, match="ValidationException"):
            _put_schedule(scheduler, "create", params, False, slept.append)
    assert slept == [2.0, 4.0]


def test_the_session_quota_comes_from_service_quotas(session, project, runtime_arn):
    client = session.client("service-quotas", max_attempts=1)
    with Stubber(client) as stub:
        stub.add_response("list_service_quotas", {"Quotas": [
            {"QuotaName": "Versions per agent", "Value": 1000.0},
            {"QuotaName": "Active session workloads per account", "Value": 2.0}]},
            {"ServiceCode": "bedrock-agentcore", "MaxResults": 100})
        plan = plan_schedules(session, load_settings(project))
    error = plan.errors[0]
    assert isinstance(error, ConfigError)
    assert ("'warm.sessions' = 3 is more than the account's 'Active session workloads per "
            "account' quota of 2 sessions in ap-southeast-1") in error.message
    with Stubber(client) as stub:
        stub.add_client_error("list_service_quotas", "AccessDeniedException", "no")
        assert read_session_quota(session).value is None
