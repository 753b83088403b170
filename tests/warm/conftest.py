"""Warm fixtures: a project with warm-up on, a runtime in moto, a call recorder."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from warm_helpers import warm_project  # noqa: E402


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
        client.meta.events.register(  # the API parameters, as the caller passed them
            "before-parameter-build.*.*",
            lambda model, params, **_: self.calls.append((service, model.name, dict(params))))

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


REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def local_agent() -> str:
    """The bundled agent served by uvicorn on 127.0.0.1 (a separate process, as
    ``deploy --local`` runs it); yields its base URL."""
    import os
    import socket
    import subprocess
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(LOG_TO_FILE="false", AWS_ENDPOINT_URL="http://127.0.0.1:9",
               AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_EC2_METADATA_DISABLED="true")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "agentcore_app:app", "--app-dir", str(REPO / "agent"),
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/ping", timeout=1):
                    break
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"agent did not start: {proc.stderr.read()!r}") from exc
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
