"""The server under load and when clients go away (uvicorn on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
import socket
import threading

import agent_gated_tool
import agentcore_app
import httpx
import pytest
from agent_scripted import ScriptedModel, builder, text, tool, wait
from genai.agents.provider import AgentProvider
from genai.tools import catalog

NO_TOOLS = {"enabled": False}
# More streams than anyio's default thread pool has tokens (40): the framework's own bridge
# parks one token per waiting stream, and its sync /ping needed one too.
STREAMS = 45


def open_request(server_url: str, payload: dict, path: str = "/invocations") -> socket.socket:
    """Send one POST over a raw socket and leave it open (the test closes it to disconnect)."""
    host, port = server_url.split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    body = json.dumps(payload).encode()
    sock.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: agent\r\n"
                 b"Content-Type: application/json\r\n"
                 b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    return sock


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
def test_ping_and_health_answer_while_many_streams_wait_on_the_model(server_url):
    release = threading.Event()
    model = ScriptedModel(*[[text("start"), wait(release)] for _ in range(STREAMS)])
    agentcore_app.set_provider(AgentProvider(model_builder=builder(model)))
    payload = {"prompt": "x", "stream": True, "tool_config": NO_TOOLS}

    async def scenario() -> tuple[list[str], str, list[dict]]:
        limits = httpx.Limits(max_connections=STREAMS + 5)
        async with httpx.AsyncClient(base_url=f"http://{server_url}", timeout=30,
                                     limits=limits) as client:
            started = asyncio.Event()
            waiting = 0

            async def one_stream() -> dict:
                nonlocal waiting
                async with client.stream("POST", "/invocations", json=payload) as resp:
                    lines = resp.aiter_lines()
                    async for line in lines:
                        if line == 'data: {"text": "start"}':
                            waiting += 1
                            if waiting == STREAMS:
                                started.set()
                            break
                    rest = [json.loads(x.removeprefix("data: ")) async for x in lines if x]
                return rest[-1]

            streams = [asyncio.create_task(one_stream()) for _ in range(STREAMS)]
            await asyncio.wait_for(started.wait(), 60)
            # Every stream is now open and its model call is waiting.
            probe = httpx.Timeout(5.0)
            pings = [(await client.get("/ping", timeout=probe)).json()["status"]
                     for _ in range(3)]
            health = (await client.post("/invocations", json={"action": "health"},
                                        timeout=probe)).json()["status"]
            assert not release.is_set()
            release.set()
            return pings, health, list(await asyncio.gather(*streams))

    pings, health, last_chunks = asyncio.run(scenario())
    assert pings == ["Healthy"] * 3
    assert health == "healthy"
    assert last_chunks == [{"status": "complete", "event": "done"}] * STREAMS


@pytest.mark.parametrize("stream", [True, False], ids=["sse", "non-streaming"])
def test_a_client_that_disconnects_stops_the_model_call(server_url, stream):
    model = ScriptedModel([text("start"), wait()], [text("never")])  # waits forever
    agentcore_app.set_provider(AgentProvider(model_builder=builder(model)))
    sock = open_request(server_url, {"prompt": "x", "stream": stream, "tool_config": NO_TOOLS})
    try:
        assert model.entered.wait(20)
    finally:
        sock.close()
    assert model.stopped.wait(10), "the model call went on after the client left"
    assert len(model.calls) == 1


@pytest.fixture
def gated_sleep(monkeypatch):
    monkeypatch.setitem(catalog._LOCATIONS, "sleep", ("agent_gated_tool", "sleep"))
    agent_gated_tool.GATE.clear()
    agent_gated_tool.CANCELLED.clear()
    yield
    agent_gated_tool.GATE.set()


def test_a_client_that_disconnects_stops_a_running_tool(server_url, gated_sleep):
    model = ScriptedModel([tool("sleep", "t1", {"duration": 5})], [text("never")])
    agentcore_app.set_provider(AgentProvider(model_builder=builder(model)))
    tools = {"legacy_tools": ["sleep"], "strands_tools_enabled": False}
    sock = open_request(server_url, {"prompt": "x", "stream": True, "tool_config": tools})
    buffered = b""
    try:
        while b'"status": "running"' not in buffered:  # the tool call is under way
            data = sock.recv(65536)
            assert data, "stream ended before the tool ran"
            buffered += data
    finally:
        sock.close()
    assert agent_gated_tool.CANCELLED.wait(10), "the tool went on after the client left"
    assert len(model.calls) == 1  # no second model call with the tool's result


def test_a_websocket_client_that_disconnects_stops_the_run(server_url):
    from websockets.sync.client import connect

    model = ScriptedModel([text("start"), wait()], [text("never")])
    agentcore_app.set_provider(AgentProvider(model_builder=builder(model)))
    with connect(f"ws://{server_url}/ws", open_timeout=10) as ws:
        ws.send(json.dumps({"prompt": "x", "tool_config": NO_TOOLS}))
        assert model.entered.wait(20)
    assert model.stopped.wait(10), "the model call went on after the client left"
    assert len(model.calls) == 1


def test_an_idle_websocket_is_closed_with_an_error_chunk(server_url, monkeypatch):
    from websockets.exceptions import ConnectionClosedOK
    from websockets.sync.client import connect

    monkeypatch.setenv("WS_IDLE_TIMEOUT_SECONDS", "0.3")
    messages = []
    with connect(f"ws://{server_url}/ws", open_timeout=10) as ws:
        with pytest.raises(ConnectionClosedOK):  # the server closes; recv never times out
            while True:
                messages.append(json.loads(ws.recv(timeout=10)))
        code = ws.close_code
    assert messages == [{"status": "error", "error": "Idle timeout: no request received "
                         "within 0.3 seconds; closing the connection"}]
    assert code == 1001


class _BrokenProvider(AgentProvider):
    """A provider whose run fails unexpectedly after its first chunk."""

    async def stream(self, request, session_id=None):
        yield {"text": ""}
        raise RuntimeError("boom")


@pytest.mark.parametrize("stream", [True, False], ids=["sse", "non-streaming"])
def test_an_unexpected_failure_still_ends_with_the_error_status(server_url, stream):
    agentcore_app.set_provider(_BrokenProvider())
    payload = {"prompt": "x", "stream": stream, "tool_config": NO_TOOLS}
    with httpx.Client(base_url=f"http://{server_url}", timeout=30) as client:
        resp = client.post("/invocations", json=payload)
    assert resp.status_code == 200
    if stream:
        chunks = [json.loads(x.removeprefix("data: ")) for x in resp.text.split("\n\n") if x]
        assert chunks[0] == {"text": ""}
        assert chunks[-1]["status"] == "error" and "boom" in chunks[-1]["error"]
    else:
        assert resp.json()["status"] == "error" and "boom" in resp.json()["error"]
