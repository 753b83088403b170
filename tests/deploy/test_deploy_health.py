"""The health phase end to end: InvokeAgentRuntime -> a local peer -> the real agent app
(agent/agentcore_app.py served by uvicorn on 127.0.0.1)."""

from __future__ import annotations

import sys
import threading

import pytest

from aibox_ops.aws import open_session
from aibox_ops.config import load_settings
from aibox_ops.deploy.hooks import health_check
from aibox_ops.deploy.phases import PhaseReport
from aibox_ops.errors import AwsError
from tests.helpers import REPO, make_project

ARN = "arn:aws:bedrock-agentcore:ap-southeast-1:123456789012:runtime/demo-abc1234567"


@pytest.fixture
def agent_url(monkeypatch, tmp_path):
    import uvicorn

    monkeypatch.setenv("LOG_TO_FILE", "false")  # never write into the repository's agent/
    monkeypatch.setenv("LOG_DIR", str(tmp_path / "logs"))

    if str(REPO / "agent") not in sys.path:
        sys.path.insert(0, str(REPO / "agent"))
    import agentcore_app

    server = uvicorn.Server(uvicorn.Config(agentcore_app.app, host="127.0.0.1", port=0,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        threading.Event().wait(0.01)
    assert server.started
    yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)


def test_health_phase_reaches_the_running_agent(tmp_path, monkeypatch, agent_url):
    from runtime_peer import RuntimePeer

    with RuntimePeer(forward=agent_url) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", peer.url)
        settings = load_settings(make_project(tmp_path), environ={})
        phase = PhaseReport("health", "Health invocation")
        summary = health_check(open_session("ap-southeast-1"), settings, ARN, phase)
    assert summary == "agent answered healthy"
    assert phase.detail["reply"][0]["status"] == "healthy"
    arn, session_id, payload = peer.calls[0]
    assert arn == ARN and payload == {"action": "health"} and len(session_id) >= 33


def test_unhealthy_reply_fails_the_phase(tmp_path, monkeypatch):
    from runtime_peer import RuntimePeer

    with RuntimePeer(reply={"error": "model failed"}) as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_AGENTCORE", peer.url)
        with pytest.raises(AwsError) as info:
            settings = load_settings(make_project(tmp_path), environ={})
            health_check(open_session("ap-southeast-1"), settings, ARN,
                         PhaseReport("health", "Health invocation"))
    assert info.value.code == "Unhealthy" and "model failed" in info.value.message
