"""The health phase end to end: InvokeAgentRuntime -> a local peer -> the real agent app
(agent/agentcore_app.py served by uvicorn on 127.0.0.1)."""

from __future__ import annotations

import pytest

from aibox_ops.aws import open_session
from aibox_ops.config import load_settings
from aibox_ops.deploy.hooks import health_check
from aibox_ops.deploy.phases import PhaseReport
from aibox_ops.errors import AwsError
from tests.helpers import REPO, make_project, serve_app

ARN = "arn:aws:bedrock-agentcore:ap-southeast-1:123456789012:runtime/demo-abc1234567"


@pytest.fixture
def agent_url(monkeypatch, tmp_path):
    import logging

    monkeypatch.setenv("LOG_TO_FILE", "false")  # never write into the repository's agent/
    monkeypatch.setenv("LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setenv("AGENT_WARMUP", "false")  # no background warm-up outliving the test
    monkeypatch.syspath_prepend(str(REPO / "agent"))
    import agentcore_app

    # The app's lifespan configures these loggers; put them back for the tests that follow.
    saved = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate,
                    logging.getLogger(name).level) for name in ("genai", "agentcore_app")}
    try:
        with serve_app(agentcore_app.app) as url:
            yield f"http://{url}"
    finally:
        for name, (handlers, propagate, level) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers[:] = handlers
            logger.propagate, logger.level = propagate, level


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
