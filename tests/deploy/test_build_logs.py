"""A failed build shows the tail of its CloudWatch log, with doctor's diagnosis."""

from __future__ import annotations

import json
import time

import pytest

from aibox_ops.aws import open_session
from aibox_ops.deploy.build_logs import read_build_log_tail
from aibox_ops.deploy.hooks import diagnose_build_log

PROJECT = "bedrock-agentcore-demo-builder"


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_tail_of_the_latest_build_log_and_its_diagnosis(aws):
    iam = aws.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"Service": "codebuild.amazonaws.com"}}]}
    role = iam.create_role(RoleName="cb", AssumeRolePolicyDocument=json.dumps(trust))
    codebuild = aws.client("codebuild")
    codebuild.create_project(
        name=PROJECT, source={"type": "S3", "location": "bucket/key.zip"},
        artifacts={"type": "NO_ARTIFACTS"}, serviceRole=role["Role"]["Arn"],
        environment={"type": "ARM_CONTAINER", "image": "img", "computeType":
                     "BUILD_GENERAL1_MEDIUM"})
    build_id = codebuild.start_build(projectName=PROJECT)["build"]["id"]
    logs = aws.client("logs")
    group, stream = f"/aws/codebuild/{PROJECT}", build_id.split(":", 1)[1]
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    lines = ["Step 3/9 : RUN pip install", *[f"line {i}" for i in range(50)],
             "ModuleNotFoundError: No module named 'strands_tools'", "Docker build failed"]
    now = int(time.time() * 1000)  # CloudWatch drops events older than 14 days
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
        {"timestamp": now - len(lines) + i, "message": line} for i, line in enumerate(lines)])

    tail = read_build_log_tail(open_session("ap-southeast-1"), PROJECT, lines=10)
    assert tail[-1] == "Docker build failed" and len(tail) == 10
    assert diagnose_build_log(tail) == [
        "missing-requirement: ModuleNotFoundError: No module named 'strands_tools'"]


def test_no_build_no_tail(aws):
    assert read_build_log_tail(open_session("ap-southeast-1"), "nothing-here") == []
