"""The toolkit adapter: request hook (full environment, validation), quiet output, filter."""

from __future__ import annotations

import logging

import pytest

from aibox_ops.aws.validate import InvalidRequestError
from aibox_ops.deploy import toolkit
from aibox_ops.errors import AwsError

CONFIG = {"environmentVariables": {"A": "1", "LOG_TO_FILE": "false"},
          "lifecycleConfiguration": {"idleRuntimeSessionTimeout": 600, "maxLifetime": 28800},
          "networkConfiguration": {"networkMode": "PUBLIC"}}
ROLE = "arn:aws:iam::123456789012:role/r"
IMAGE = "123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/repo:tag1"


def test_runtime_writes_get_the_full_environment_even_when_the_toolkit_sends_none(aws):
    import boto3

    sent: list[dict] = []
    with toolkit._toolkit_session(None, CONFIG, sent):
        client = boto3.client("bedrock-agentcore-control", region_name="ap-southeast-1")
        reply = client.create_agent_runtime(
            agentRuntimeName="demo_agent", roleArn=ROLE,
            agentRuntimeArtifact={"containerConfiguration": {"containerUri": IMAGE}},
            networkConfiguration={"networkMode": "PUBLIC"}, environmentVariables={})
    stored = aws.client("bedrock-agentcore-control").get_agent_runtime(
        agentRuntimeId=reply["agentRuntimeId"])
    assert stored["environmentVariables"] == CONFIG["environmentVariables"]
    assert stored["lifecycleConfiguration"]["idleRuntimeSessionTimeout"] == 600
    assert sent[0]["operation"] == "CreateAgentRuntime"


def test_the_toolkits_memory_link_survives_the_environment_overlay(aws):
    """With a Memory (STM_ONLY), the toolkit adds BEDROCK_AGENTCORE_MEMORY_ID to what it
    sends; the full environment laid over it must not drop it."""
    import boto3

    sent: list[dict] = []
    with toolkit._toolkit_session(None, CONFIG, sent):
        client = boto3.client("bedrock-agentcore-control", region_name="ap-southeast-1")
        reply = client.create_agent_runtime(
            agentRuntimeName="demo_agent", roleArn=ROLE,
            agentRuntimeArtifact={"containerConfiguration": {"containerUri": IMAGE}},
            networkConfiguration={"networkMode": "PUBLIC"},
            environmentVariables={"BEDROCK_AGENTCORE_MEMORY_ID": "demo_mem-a1B2c3D4e5",
                                  "BEDROCK_AGENTCORE_MEMORY_NAME": "demo_mem", "A": "old"})
    stored = aws.client("bedrock-agentcore-control").get_agent_runtime(
        agentRuntimeId=reply["agentRuntimeId"])
    assert stored["environmentVariables"] == {
        **CONFIG["environmentVariables"], "BEDROCK_AGENTCORE_MEMORY_ID": "demo_mem-a1B2c3D4e5",
        "BEDROCK_AGENTCORE_MEMORY_NAME": "demo_mem"}


def test_a_name_the_service_rejects_fails_before_it_is_sent(aws):
    import boto3

    with toolkit._toolkit_session(None, CONFIG, []), pytest.raises(InvalidRequestError) as info:
        boto3.client("bedrock-agentcore-control", region_name="ap-southeast-1"
                     ).create_agent_runtime(
            agentRuntimeName="my-agent", roleArn=ROLE,
            agentRuntimeArtifact={"containerConfiguration": {"containerUri": IMAGE}},
            networkConfiguration={"networkMode": "PUBLIC"})
    assert "agentRuntimeName: 'my-agent' does not match" in info.value.message
    assert info.value.exit_code == 3
    # moto would have accepted it: nothing was created.
    assert aws.client("bedrock-agentcore-control").list_agent_runtimes()["agentRuntimes"] == []


def test_quiet_keeps_prints_and_log_records_out_of_stdout(capsys):
    lines: list[str] = []
    root_handlers = list(logging.getLogger().handlers)
    with toolkit._quiet(lines.append):
        print("banner from the toolkit")
        logging.getLogger("bedrock_agentcore_starter_toolkit.x").warning("a toolkit warning")
        logging.getLogger().handlers.append(logging.StreamHandler())  # as its cli import does
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert "banner from the toolkit" in lines
    assert any("a toolkit warning" in line for line in lines)
    assert logging.getLogger().handlers == root_handlers


def test_upload_filter_drops_are_reported():
    dropped = toolkit.upload_drops(["agent/a.py", "agent/build/x.py", "agent/run.log",
                                    "Dockerfile", "requirements-agentcore.txt"])
    assert dropped == ["agent/build/x.py", "agent/run.log"]


def test_build_failure_is_translated_with_its_cause():
    error = toolkit._translate(RuntimeError("CodeBuild failed with status: FAILED"))
    assert isinstance(error, toolkit.BuildFailed) and error.exit_code == 5


def test_throttling_inside_the_toolkit_is_a_clear_aws_error():
    from botocore.exceptions import ClientError

    throttled = ClientError({"Error": {"Code": "ThrottlingException",
                                       "Message": "Rate exceeded"}}, "CreateAgentRuntime")
    error = toolkit._translate(throttled)
    assert isinstance(error, AwsError) and error.exit_code == 5
    assert error.code == "ThrottlingException" and "Rate exceeded" in error.message
    assert "throttling" in error.hint and "resumes" in error.hint


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_throttling_in_our_own_calls_names_the_call(aws):
    from botocore.stub import Stubber

    from aibox_ops.aws import open_session
    from aibox_ops.deploy.runtime_api import read_runtime

    session = open_session("ap-southeast-1")
    client = session.client("bedrock-agentcore-control")
    with Stubber(client) as stub:
        stub.add_client_error("get_agent_runtime", "ThrottlingException", "Rate exceeded",
                              expected_params={"agentRuntimeId": "demo-abc1234567"})
        with pytest.raises(AwsError) as info:
            read_runtime(session, "demo-abc1234567")
    assert info.value.code == "ThrottlingException"
    assert "read runtime demo-abc1234567" in info.value.message and "retries" in info.value.hint


def test_an_unrecorded_runtime_of_the_same_name_is_explained():
    from botocore.exceptions import ClientError

    conflict = ClientError({"Error": {"Code": "ConflictException", "Message": "exists"}},
                           "CreateAgentRuntime")
    error = toolkit._translate(RuntimeError("wrapped"))
    assert error.code == "ToolkitError"
    wrapped = RuntimeError("Launch failed")
    wrapped.__cause__ = conflict
    error = toolkit._translate(wrapped)
    assert error.code == "ConflictException" and "aibox-ops init" in error.hint
