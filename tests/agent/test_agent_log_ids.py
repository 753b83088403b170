"""The agent's own log lines name the request and session they belong to (issue 19)."""

from __future__ import annotations

import io

import pytest
from agent_scripted import ScriptedModel, fail, text
from test_agent_app import SESSION_HEADER, SLEEP_ONLY, invoke, use_model

pytestmark = pytest.mark.anyio
REQUEST_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Request-Id"
SESSION = "sess-0123456789-0123456789-0123456789"


@pytest.fixture
def log_text(monkeypatch):
    from genai.logsetup import configure_logging

    monkeypatch.setenv("LOG_TO_FILE", "false")
    handler = configure_logging()
    buffer = io.StringIO()
    handler.setStream(buffer)
    return buffer


@pytest.mark.parametrize("stream", [False, True], ids=["body", "sse"])
async def test_agent_log_lines_carry_request_and_session_ids(log_text, stream):
    use_model(ScriptedModel([fail(RuntimeError("model broke"))]))
    headers = {SESSION_HEADER: SESSION, REQUEST_HEADER: "req-42"}
    await invoke({"prompt": "x", "stream": stream, "tool_config": SLEEP_ONLY}, headers)
    lines = log_text.getvalue().splitlines()
    ids = f"[request req-42 session {SESSION}]"
    provider_line = next(line for line in lines if "Agent run failed" in line)
    outcome = next(line for line in lines if "Invocation failed" in line)
    assert f"genai.agents.provider {ids}: Agent run failed: RuntimeError" in provider_line
    assert f"agentcore_app {ids}: Invocation failed: RuntimeError: model broke" in outcome


async def test_lines_outside_a_request_have_no_ids(log_text):
    import logging

    logging.getLogger("genai").warning("Warm-up done in 1.0 s")
    use_model(ScriptedModel([text("fine")]))
    await invoke({"prompt": "x", "tool_config": SLEEP_ONLY})  # no session header
    lines = log_text.getvalue().splitlines()
    assert lines[0].endswith(" WARNING genai: Warm-up done in 1.0 s")
    succeeded = next(line for line in lines if "Invocation succeeded" in line)
    assert "[request " in succeeded and "session" not in succeeded  # the framework's own id
