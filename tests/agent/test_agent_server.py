"""Over a real socket: uvicorn on 127.0.0.1 (ephemeral port), SSE and WebSocket."""

from __future__ import annotations

import json
import threading

import agentcore_app
import httpx
import pytest
from agent_scripted import ScriptedModel, builder, text, tool, wait
from genai.agents.provider import AgentProvider


def script() -> ScriptedModel:
    return ScriptedModel([text("Let me wait. "), tool("sleep", "t1", {"duration": 0})],
                         [text("Done.")])


TOOLS = {"legacy_tools": ["sleep"], "strands_tools_enabled": False}


def test_sse_over_uvicorn(server_url):
    agentcore_app.set_provider(AgentProvider(model_builder=builder(script())))
    with httpx.Client(base_url=f"http://{server_url}", timeout=30) as client:
        assert client.get("/ping").json()["status"] == "Healthy"
        assert client.post("/invocations", json={"action": "health"}).json()["status"] == \
            "healthy"
        with client.stream("POST", "/invocations",
                           json={"prompt": "x", "stream": True, "tool_config": TOOLS}) as resp:
            lines = [line for line in resp.iter_lines() if line]
    chunks = [json.loads(line.removeprefix("data: ")) for line in lines]
    assert [next(iter(c)) for c in chunks] == ["text", "text", "tool_use", "tool_use", "text",
                                               "metadata", "status"]
    assert chunks[0] == {"text": ""}
    assert chunks[3]["tool_use"]["status"] == "completed"
    assert chunks[-1] == {"status": "complete", "event": "done"}


def test_websocket_over_uvicorn(server_url):
    from websockets.sync.client import connect

    agentcore_app.set_provider(AgentProvider(model_builder=builder(script())))
    with connect(f"ws://{server_url}/ws", open_timeout=10) as ws:
        ws.send(json.dumps({"prompt": "x", "tool_config": TOOLS}))
        messages = [json.loads(m) for m in ws]  # the server closes after the last chunk
    assert messages[:2] == [{"text": ""}, {"text": "Let me wait. "}]
    assert messages[-1] == {"status": "complete", "event": "done"}


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
def test_ping_answers_while_a_websocket_stream_waits_for_a_secret(server_url, monkeypatch):
    """The /ws handler runs on the server's main loop: its blocking work must be in threads."""
    from agent_http import GatedAwsPeer
    from websockets.sync.client import connect

    with GatedAwsPeer() as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL", peer.url)
        monkeypatch.setenv("GEMINI_SECRET_ID", "dev_gemini_api")
        agentcore_app.set_provider(AgentProvider())
        messages: list[dict] = []
        with connect(f"ws://{server_url}/ws", open_timeout=10) as ws:
            ws.send(json.dumps({"prompt": "hi", "model_id": "gemini-2.5-flash",
                                "tool_config": {"enabled": False}}))
            assert peer.entered.wait(20)
            with httpx.Client(base_url=f"http://{server_url}", timeout=10) as client:
                ping = client.get("/ping").json()
            assert not peer.release.is_set()
            peer.release.set()
            messages = [json.loads(m) for m in ws]
    assert ping["status"] == "Healthy"
    assert messages == [{"status": "error", "error": "Gemini API key not configured"}]


def test_ping_answers_while_a_stream_runs(server_url):
    """Read the stream up to its "start" chunk (so it is running), then ping, then finish it."""
    release = threading.Event()
    model = ScriptedModel([text("start"), wait(release)])
    agentcore_app.set_provider(AgentProvider(model_builder=builder(model)))
    payload = {"prompt": "x", "stream": True, "tool_config": {"enabled": False}}
    with httpx.Client(base_url=f"http://{server_url}", timeout=10) as client, \
            client.stream("POST", "/invocations", json=payload) as resp:
        lines = resp.iter_lines()
        seen = []
        for line in lines:
            if line:
                seen.append(json.loads(line.removeprefix("data: ")))
                if seen[-1] == {"text": "start"}:
                    break
        pings = [client.get("/ping").json()["status"] for _ in range(3)]
        assert not release.is_set()  # the model is still waiting: the stream is running
        release.set()
        rest = [json.loads(line.removeprefix("data: ")) for line in lines if line]
    assert seen == [{"text": ""}, {"text": "start"}]
    assert pings == ["Healthy"] * 3
    assert rest[-1] == {"status": "complete", "event": "done"}


def test_oversized_body_over_a_socket_gets_413_status_error(server_url):
    """The default limit (4 MiB) refuses a 5 MB body by its Content-Length, unread."""
    body = json.dumps({"prompt": "x" * (5 * 1024 * 1024)}).encode()
    with httpx.Client(base_url=f"http://{server_url}", timeout=30) as client:
        resp = client.post("/invocations", content=body)
        after = client.get("/ping")
    assert resp.status_code == 413
    assert resp.json()["status"] == "error"
    assert f"body too large ({len(body)} bytes, limit 4194304 bytes" in resp.json()["error"]
    assert after.json()["status"] == "Healthy"
