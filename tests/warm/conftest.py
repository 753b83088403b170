"""Warm fixtures: a project with warm-up on, a runtime in moto, a call recorder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers import make_project  # noqa: E402

WARM_TOOL = ('[tool.aibox-ops]\nagent_name = "my_aibox_agent"\n\n'
             "[tool.aibox-ops.warm]\nenabled = true\ninterval_minutes = {interval}\n"
             "sessions = {sessions}\n")


def warm_project(root: Path, sessions: int = 3, interval: int = 5) -> Path:
    """A project with warm-up enabled (rewrites pyproject.toml when called again)."""
    return make_project(root, WARM_TOOL.format(sessions=sessions, interval=interval))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return warm_project(tmp_path / "proj")


@pytest.fixture
def runtime_arn(aws) -> str:
    """A runtime named like the agent, created in moto (found through ListAgentRuntimes)."""
    control = aws.client("bedrock-agentcore-control")
    reply = control.create_agent_runtime(
        agentRuntimeName="my_aibox_agent",
        agentRuntimeArtifact={"containerConfiguration": {
            "containerUri": "123456789012.dkr.ecr.ap-southeast-1.amazonaws.com/x:latest"}},
        roleArn="arn:aws:iam::123456789012:role/exec",
        networkConfiguration={"networkMode": "PUBLIC"},
        lifecycleConfiguration={"idleRuntimeSessionTimeout": 900, "maxLifetime": 28800})
    return reply["agentRuntimeArn"]


class CallLog:
    """Every AWS operation a session's clients send (botocore's before-call event)."""

    READ_PREFIXES = ("Get", "List", "Describe")

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict]] = []

    def hook(self, client) -> None:
        service = client.meta.service_model.service_name
        client.meta.events.register(
            "before-call.*.*",
            lambda model, params, **_: self.calls.append((service, model.name, params)))

    @property
    def writes(self) -> list[tuple[str, str]]:
        return [(s, op) for s, op, _ in self.calls if not op.startswith(self.READ_PREFIXES)]


@pytest.fixture
def session(aws):
    """An AwsSession on moto (one per test)."""
    from aibox_ops.aws import open_session

    return open_session("ap-southeast-1")


@pytest.fixture
def calls(session) -> CallLog:
    """Records what the session's scheduler/IAM/control clients send."""
    log = CallLog()
    for service in ("scheduler", "iam", "bedrock-agentcore-control"):
        log.hook(session.client(service))
    return log
