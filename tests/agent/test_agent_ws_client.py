"""The WebSocket client shown in docs/agent.md works with the installed websockets (issue 19).

The documented block itself is executed: its signing half offline with static credentials,
its connecting half against the agent over uvicorn on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import agentcore_app
import pytest
from agent_scripted import ScriptedModel, builder, text
from genai.agents.provider import AgentProvider

DOC = Path(__file__).resolve().parents[2] / "docs" / "agent.md"
ARN = "arn:aws:bedrock-agentcore:ap-southeast-1:123456789012:runtime/my_aibox_agent-AbC123"
SESSION = "ws-client-session-0123456789-0123456789"


def documented_client() -> dict:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    code = next(b for b in blocks if "additional_headers=" in b)
    namespace: dict = {"__name__": "docs_ws_client"}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own docs
    return namespace


class _Recording(AgentProvider):
    """Records the session id each stream was given (what the WebSocket headers carried)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.seen_sessions: list[str | None] = []

    def stream(self, request, session_id=None):
        self.seen_sessions.append(session_id)
        return super().stream(request, session_id)


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_documented_client_signs_and_talks_to_the_agent(server_url, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-example")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    client = documented_client()
    url, headers = client["signed_connection"](ARN, "ap-southeast-1", SESSION)
    assert url.startswith("wss://bedrock-agentcore.ap-southeast-1.amazonaws.com/runtimes/")
    assert set(headers) == {"X-Amz-Date", "Authorization",
                            "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"}
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")

    provider = _Recording(model_builder=builder(ScriptedModel([text("Hello there")])))
    agentcore_app.set_provider(provider)
    chunks = asyncio.run(client["ask"](f"ws://{server_url}/ws", headers, "Hello"))
    assert [c["text"] for c in chunks if "text" in c] == ["", "Hello there"]
    assert chunks[-1] == {"status": "complete", "event": "done"}
    assert provider.seen_sessions == [SESSION]


def test_the_guides_extra_headers_form_fails_on_this_websockets(server_url):
    import websockets

    async def guide_form() -> None:
        async with websockets.connect(f"ws://{server_url}/ws", extra_headers={"X": "1"}):
            pass  # pragma: no cover

    with pytest.raises(TypeError, match="extra_headers"):
        asyncio.run(guide_form())
