"""Runtime identity (aibox_ops.aws.agentcore) against the moto server."""

import pytest

from aibox_ops.aws import open_session
from aibox_ops.aws.agentcore import (
    find_runtime_by_name,
    find_runtime_id,
    list_versions,
    read_runtime,
    runtime_arn,
    runtime_id_from_arn,
    session_runtime_arn,
)
from aibox_ops.aws.regions import partition_of

IMAGE = "123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/x:latest"


def _create(control, name: str) -> dict:
    return control.create_agent_runtime(
        agentRuntimeName=name, agentRuntimeArtifact={"containerConfiguration": {
            "containerUri": IMAGE}},
        roleArn="arn:aws:iam::123456789012:role/exec",
        networkConfiguration={"networkMode": "PUBLIC"})


def test_arn_and_id_convert_both_ways_in_every_partition():
    assert partition_of("ap-southeast-1") == "aws"
    assert partition_of("cn-north-1") == "aws-cn"
    assert partition_of("us-gov-west-1") == "aws-us-gov"
    arn = runtime_arn("my_agent-AbC1234567", "cn-north-1", "123456789012")
    assert arn == "arn:aws-cn:bedrock-agentcore:cn-north-1:123456789012:runtime/my_agent-AbC1234567"
    assert runtime_id_from_arn(arn) == "my_agent-AbC1234567"
    assert runtime_id_from_arn("arn:aws:iam::123456789012:role/x") is None
    assert runtime_id_from_arn(None) is None


@pytest.mark.slow  # ~0.9 s: moto's CreateAgentRuntime and a first STS client
def test_find_by_name_by_id_read_and_versions(aws):
    session = open_session("ap-southeast-1")
    control = session.client("bedrock-agentcore-control")
    made = [_create(control, f"agent_{i}") for i in range(2)]
    wanted = made[1]["agentRuntimeId"]
    assert find_runtime_by_name(session, "agent_1")["agentRuntimeId"] == wanted
    assert find_runtime_by_name(session, "nobody") is None
    assert find_runtime_id(session, name="agent_1") == wanted
    assert find_runtime_id(session, arn=session_runtime_arn(session, "x_y-AbC1234567"),
                           name="agent_1") == "x_y-AbC1234567"  # the ARN wins, no call
    assert read_runtime(session, wanted)["agentRuntimeName"] == "agent_1"
    assert read_runtime(session, "gone_agent-AbC1234567") is None
    versions = list_versions(session, wanted)
    assert [v["agentRuntimeVersion"] for v in versions] == ["1"]
    assert session_runtime_arn(session, wanted) == (
        f"arn:aws:bedrock-agentcore:ap-southeast-1:{aws.account_id}:runtime/{wanted}")


def test_a_bounded_search_stops_at_its_page_limit(aws):
    session = open_session("ap-southeast-1")
    control = session.client("bedrock-agentcore-control")
    _create(control, "agent_0")
    pages: list[str] = []
    control.meta.events.register("before-send.*.ListAgentRuntimes",
                                 lambda **_: pages.append("page"))
    assert find_runtime_by_name(session, "nobody", max_pages=1) is None
    assert len(pages) == 1


@pytest.mark.parametrize("bad", ["my-agent", "x" * 120])
def test_a_malformed_runtime_id_is_refused_before_sending(aws, bad):
    from aibox_ops.aws.validate import InvalidRequestError

    with pytest.raises(InvalidRequestError, match="agentRuntimeId"):
        read_runtime(open_session("ap-southeast-1"), bad)
