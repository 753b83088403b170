"""The universal target and the role's documents, derived from and checked against models."""

from __future__ import annotations

import json

import botocore.session
import pytest

from aibox_ops.aws.validate import validate_request
from aibox_ops.warm.policies import INVOKE_ACTION, invoke_policy, scheduler_trust_policy
from aibox_ops.warm.target import invoke_shape, target_arn, target_input
from tests.iam.lint import lint_policy

RUNTIME = "arn:aws:bedrock-agentcore:ap-southeast-1:123456789012:runtime/my_aibox_agent-AbC123"
SESSION = "warm-my_aibox_agent-00-0123456789abcdef0123456789abcdef"


def test_input_member_names_come_from_botocores_model():
    model = botocore.session.get_session().get_service_model("bedrock-agentcore")
    members = model.operation_model("InvokeAgentRuntime").input_shape.members
    shape = invoke_shape()
    assert members[shape.session_id].serialization["name"] == \
        "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"
    assert members[shape.runtime_arn].serialization["location"] == "uri"
    assert members[shape.qualifier].serialization["location"] == "querystring"
    assert members[shape.payload].type_name == "blob"
    assert (shape.runtime_arn, shape.qualifier, shape.session_id, shape.payload) == \
        ("agentRuntimeArn", "qualifier", "runtimeSessionId", "payload")
    assert target_arn() == "arn:aws:scheduler:::aws-sdk:bedrockagentcore:invokeAgentRuntime"
    assert target_arn("aws-cn").startswith("arn:aws-cn:scheduler:::")


def test_input_is_a_valid_invoke_request():
    request = json.loads(target_input(RUNTIME, SESSION, {"action": "health"}))
    assert request == {"agentRuntimeArn": RUNTIME, "qualifier": "DEFAULT",
                       "runtimeSessionId": SESSION, "payload": '{"action":"health"}'}
    request["payload"] = request["payload"].encode()
    assert validate_request("bedrock-agentcore", "InvokeAgentRuntime", request) == []
    request["runtimeSessionId"] = "too-short"
    assert validate_request("bedrock-agentcore", "InvokeAgentRuntime", request)


def test_role_may_only_invoke_this_runtime():
    model = botocore.session.get_session().get_service_model("bedrock-agentcore")
    assert f"{model.signing_name}:InvokeAgentRuntime" == INVOKE_ACTION
    statements = invoke_policy(RUNTIME)["Statement"]
    assert len(statements) == 1 and statements[0]["Action"] == INVOKE_ACTION
    assert statements[0]["Resource"] == [RUNTIME, f"{RUNTIME}/runtime-endpoint/*"]
    trust = scheduler_trust_policy("123456789012", "aws", "ap-southeast-1", "g")["Statement"]
    assert trust[0]["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust[0]["Condition"] == {"StringEquals": {
        "aws:SourceAccount": "123456789012",
        "aws:SourceArn": "arn:aws:scheduler:ap-southeast-1:123456789012:schedule-group/g"}}


@pytest.mark.parametrize("runtime", [RUNTIME])
def test_parliament_finds_nothing_but_the_unknown_service(runtime):
    # parliament's bundled IAM catalogue predates AgentCore, so it cannot check the action
    # itself; everything else about the policy (structure, effect, resources) passes.
    assert lint_policy(invoke_policy(runtime)) == [
        "UNKNOWN_PREFIX: Unknown prefix bedrock-agentcore"]
    broken = invoke_policy(runtime)
    broken["Statement"][0]["Effect"] = "Alow"
    assert "MALFORMED: Unknown Effect used. Effect must be either Allow or Deny" \
        in lint_policy(broken)


def test_the_input_is_checked_against_the_invoke_model_before_scheduling():
    """Scheduler would send a bad Input every interval and drop the failure silently."""
    from aibox_ops.aws.validate import InvalidRequestError

    assert json.loads(target_input(RUNTIME, SESSION, {"action": "health"}))["qualifier"] == \
        "DEFAULT"
    with pytest.raises(InvalidRequestError, match="runtimeSessionId"):
        target_input(RUNTIME, "too-short", {"action": "health"})
