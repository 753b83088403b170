"""The entry point through the real BedrockAgentCoreApp, in-process (ASGI)."""

from __future__ import annotations

import asyncio
import json

import agentcore_app
import httpx
import pytest
from agent_scripted import ScriptedModel, builder, fail, text, think, tool, wait
from genai.agents.provider import AgentProvider
from starlette.testclient import TestClient

pytestmark = pytest.mark.anyio

SLEEP_ONLY = {"legacy_tools": [], "strands_tools_enabled": False}
SLEEP_TOOLS = {"legacy_tools": ["sleep"], "strands_tools_enabled": False}
SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"


def use_model(model: ScriptedModel, seen: list | None = None) -> AgentProvider:
    provider = AgentProvider(model_builder=builder(model, seen))
    agentcore_app.set_provider(provider)
    return provider


def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=agentcore_app.app)
    return httpx.AsyncClient(transport=transport, base_url="http://agent", timeout=30)


def sse(body: str) -> list[dict]:
    """Parse an SSE body into its JSON chunks (asserting the framing)."""
    events = [e for e in body.split("\n\n") if e]
    assert all(e.startswith("data: ") for e in events), body
    return [json.loads(e[len("data: ") :]) for e in events]


async def invoke(payload, headers: dict | None = None) -> httpx.Response:
    async with client() as c:
        data = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
        return await c.post("/invocations", content=data, headers=headers or {})


def assert_plain_chunks(chunks: list[dict]) -> None:
    """Every chunk is plain JSON data in one of the guide's shapes."""
    for chunk in chunks:
        assert json.loads(json.dumps(chunk)) == chunk
        keys = set(chunk)
        if keys == {"text"} or keys == {"thinking"}:
            assert isinstance(next(iter(chunk.values())), str)
        elif keys == {"tool_use"}:
            use = chunk["tool_use"]
            assert set(use) == {"name", "params", "status", "result", "tool_use_id"}
            assert use["status"] in {"running", "completed", "error"}
            assert isinstance(use["params"], dict)
        elif keys == {"metadata"}:
            assert isinstance(chunk["metadata"], dict)
        else:
            assert chunk in ({"status": "complete", "event": "done"},) or (
                keys == {"status", "error"} and chunk["status"] == "error"
            ), chunk
    assert chunks[-1] == {"status": "complete", "event": "done"} or chunks[-1]["status"] == "error"


def full_script() -> ScriptedModel:
    return ScriptedModel(
        [think("Let me check."), text("Sleeping "), tool("sleep", "t1", {"duration": 0})],
        [tool("sleep", "t2", {"duration": 9999})],
        [text("Done.")],
    )


EXPECTED_STREAM = [
    {"text": ""},  # the guide's streams open with one empty text chunk
    {"thinking": "Let me check."},
    {"text": "Sleeping "},
    {"tool_use": {"name": "sleep", "params": {"duration": 0}, "status": "running",
                  "result": None, "tool_use_id": "t1"}},
    {"tool_use": {"name": "sleep", "params": {"duration": 0}, "status": "completed",
                  "result": "Slept for 0.0 seconds", "tool_use_id": "t1"}},
    {"tool_use": {"name": "sleep", "params": {"duration": 9999}, "status": "running",
                  "result": None, "tool_use_id": "t2"}},
    {"tool_use": {"name": "sleep", "params": {"duration": 9999}, "status": "error",
                  "result": "Error: duration 9999.0 exceeds maximum of 60.0 seconds",
                  "tool_use_id": "t2"}},
    {"text": "Done."},
]


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
async def test_stream_exact_chunk_sequence():
    use_model(full_script())
    resp = await invoke({"prompt": "sleep twice", "stream": True, "tool_config": SLEEP_TOOLS})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/event-stream")
    chunks = sse(resp.text)
    assert_plain_chunks(chunks)
    assert chunks[:-2] == EXPECTED_STREAM
    assert [c for c in chunks if c == {"text": ""}] == [{"text": ""}]  # once, first
    meta = chunks[-2]["metadata"]
    assert meta["model_id"] == "global.anthropic.claude-sonnet-4-6"
    assert meta["provider"] == "bedrock"
    assert meta["usage"] == {"inputTokens": 30, "outputTokens": 15, "totalTokens": 45}
    assert meta["latency_ms"] == 21 and meta["model_calls"] == 3
    assert meta["tools"] == ["sleep"]
    assert chunks[-1] == {"status": "complete", "event": "done"}


async def test_non_streaming_body():
    use_model(full_script())
    resp = await invoke({"action": "invoke", "prompt": "sleep twice", "tool_config": SLEEP_TOOLS})
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "success"
    assert body["response"] == "Sleeping Done."
    assert body["tool_calls"] == [
        {"name": "sleep", "params": {"duration": 0}, "status": "completed",
         "result": "Slept for 0.0 seconds"},
        {"name": "sleep", "params": {"duration": 9999}, "status": "error",
         "result": "Error: duration 9999.0 exceeds maximum of 60.0 seconds"},
    ]
    assert body["metadata"]["usage"]["totalTokens"] == 45
    assert set(body) == {"response", "tool_calls", "metadata", "status"}


def test_websocket_speaks_the_same_chunks():
    use_model(full_script())
    with TestClient(agentcore_app.app) as tc, tc.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"prompt": "sleep twice", "tool_config": SLEEP_TOOLS}))
        messages = []
        while not messages or ("metadata" not in messages[-1] and "status" not in messages[-1]):
            messages.append(ws.receive_json())
        messages.append(ws.receive_json())
    assert messages[:-2] == EXPECTED_STREAM
    assert messages[-1] == {"status": "complete", "event": "done"}


def test_websocket_bad_json_gets_error_chunk_then_close():
    with TestClient(agentcore_app.app) as tc, tc.websocket_connect("/ws") as ws:
        ws.send_text("{not json")
        msg = ws.receive_json()
    assert msg["status"] == "error" and msg["error"].startswith("Invalid JSON: ")


async def test_history_and_system_prompt_reach_the_model():
    model = ScriptedModel([text("ok")])
    use_model(model)
    history = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [{"text": "hello"}]},
    ]
    body = (await invoke({"prompt": "again", "history": history, "system_prompt": "Be terse.",
                          "tool_config": {"enabled": False}})).json()
    assert body["status"] == "success"
    call = model.calls[0]
    assert call["system_prompt"] == "Be terse."
    assert [(m["role"], m["content"][0]["text"]) for m in call["messages"]] == [
        ("user", "hi"), ("assistant", "hello"), ("user", "again")]
    assert call["tools"] == []


async def test_health_action_touches_nothing():
    agentcore_app.set_provider(None)
    resp = await invoke({"action": "health"})
    assert resp.status_code == 200
    assert resp.json()["status"] == "healthy"
    assert agentcore_app._provider is None


async def test_ping():
    async with client() as c:
        resp = await c.get("/ping")
    assert resp.json()["status"] == "Healthy"


# --- bad input -------------------------------------------------------------------------


async def test_malformed_json_is_a_status_error():
    resp = await invoke(b'{"prompt": ')
    assert resp.status_code == 400
    body = resp.json()
    assert body["status"] == "error" and body["error"].startswith("Invalid JSON")


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        ({"prompt": 42}, "'prompt' must be a string (got int)"),
        ({}, "'prompt' must be a string (missing)"),
        ({"prompt": "   "}, "'prompt' is empty"),
        ({"prompt": "x", "history": "nope"}, "'history' must be a list"),
        ({"prompt": "x", "history": [{"role": "system", "content": "x"}]}, "history[0].role"),
        ({"prompt": "x", "history": [{"role": "user", "content": 3}]}, "history[0].content"),
        ({"prompt": "x", "stream": "yes"}, "'stream' must be true or false"),
        ({"prompt": "x", "tool_config": []}, "'tool_config' must be an object"),
        ({"prompt": "x", "tool_config": {"enabled": "no"}}, "'tool_config.enabled'"),
        ({"prompt": "x", "model_id": 7}, "'model_id' must be a string"),
        ({"action": "dance"}, "unknown action 'dance'"),
        ({"prompt": "x", "tool_config": {"legacy_tools": ["get_wether"]}},
         "unknown tool 'get_wether'"),
        ([1, 2], "body must be a JSON object, got list"),
        ("just a string", "body must be a JSON object, got str"),
    ],
)
async def test_bad_input_names_the_problem(payload, needle):
    resp = await invoke(json.dumps(payload))
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "error"
    assert needle in body["error"]
    assert "Traceback" not in resp.text


async def test_oversized_prompt_and_history(monkeypatch):
    monkeypatch.setenv("MAX_PROMPT_CHARS", "10")
    monkeypatch.setenv("MAX_HISTORY_MESSAGES", "2")
    monkeypatch.setenv("MAX_HISTORY_CHARS", "5")
    body = (await invoke({"prompt": "x" * 11})).json()
    assert "'prompt' is too long (11 characters, limit 10)" in body["error"]
    turns = [{"role": "user", "content": "a"}] * 3
    body = (await invoke({"prompt": "x", "history": turns})).json()
    assert "'history' is too long (3 messages, limit 2)" in body["error"]
    turns = [{"role": "user", "content": "abcdef"}]
    body = (await invoke({"prompt": "x", "history": turns})).json()
    assert "'history' is too large (6 characters, limit 5)" in body["error"]


async def test_bad_input_when_streaming_is_a_single_error_chunk():
    resp = await invoke({"prompt": 1, "stream": True})
    chunks = sse(resp.text)
    assert chunks == [{"status": "error", "error": "Invalid request: 'prompt' must be a string "
                                                    "(got int)"}]


async def test_unknown_model_id():
    resp = await invoke({"prompt": "x", "model_id": "acme.super-llm", "stream": True})
    chunks = sse(resp.text)
    assert len(chunks) == 1 and chunks[0]["status"] == "error"
    assert "Unknown model id 'acme.super-llm'" in chunks[0]["error"]


async def test_provider_error_ends_stream_with_error_chunk():
    use_model(ScriptedModel([text("Hal"), fail(ConnectionError("upstream reset"))]))
    chunks = sse((await invoke({"prompt": "x", "stream": True, "tool_config": SLEEP_ONLY})).text)
    assert chunks[:2] == [{"text": ""}, {"text": "Hal"}]
    assert "metadata" in chunks[2]
    assert chunks[-1] == {"status": "error", "error": "ConnectionError: upstream reset"}
    use_model(ScriptedModel([fail(ConnectionError("upstream reset"))]))
    body = (await invoke({"prompt": "x", "tool_config": SLEEP_ONLY})).json()
    assert body["status"] == "error" and body["error"] == "ConnectionError: upstream reset"


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
async def test_provider_timeout_ends_stream(monkeypatch):
    # Long enough for "Hmm" to come out on a loaded machine; wait() then blocks for good.
    monkeypatch.setenv("AGENT_TIMEOUT_SECONDS", "1.5")
    use_model(ScriptedModel([text("Hmm"), wait()]))
    chunks = sse((await invoke({"prompt": "x", "stream": True, "tool_config": SLEEP_ONLY})).text)
    assert chunks[:2] == [{"text": ""}, {"text": "Hmm"}]
    assert chunks[-1] == {"status": "error",
                          "error": "Model provider timed out after 1.5 seconds"}


async def test_model_calls_unknown_tool():
    use_model(ScriptedModel([tool("launch_rocket", "t9", {})], [text("Sorry.")]))
    chunks = sse((await invoke({"prompt": "x", "stream": True, "tool_config": SLEEP_TOOLS})).text)
    error = chunks[2]["tool_use"]
    assert error["status"] == "error" and error["name"] == "launch_rocket"
    assert "launch_rocket" in error["result"]
    assert chunks[-1]["status"] == "complete"


async def test_session_id_header_reaches_provider():
    seen: list = []

    class Recording(AgentProvider):
        async def stream(self, request, session_id=None):
            seen.append(session_id)
            async for chunk in super().stream(request, session_id):
                yield chunk

    agentcore_app.set_provider(Recording(model_builder=builder(ScriptedModel([text("x")]))))
    await invoke({"prompt": "x", "stream": True, "tool_config": SLEEP_ONLY},
                 headers={SESSION_HEADER: "sess-1"})
    assert seen == ["sess-1"]


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
async def test_health_action_answers_while_a_secret_lookup_is_slow(monkeypatch):
    """The HTTP stream's API-key lookup runs in a thread, not on the framework's worker loop."""
    from agent_http import GatedAwsPeer

    with GatedAwsPeer() as peer:
        monkeypatch.setenv("AWS_ENDPOINT_URL", peer.url)
        monkeypatch.setenv("GEMINI_SECRET_ID", "dev_gemini_api")
        agentcore_app.set_provider(AgentProvider())
        async with client() as c:
            streaming = asyncio.create_task(c.post("/invocations", json={
                "prompt": "hi", "model_id": "gemini-2.5-flash", "stream": True,
                "tool_config": {"enabled": False}}))
            assert await asyncio.to_thread(peer.entered.wait, 20)
            health = await asyncio.wait_for(
                c.post("/invocations", json={"action": "health"}), 10)
            ping = await asyncio.wait_for(c.get("/ping"), 10)
            assert not peer.release.is_set() and not streaming.done()
            peer.release.set()
            resp = await streaming
    assert health.json()["status"] == "healthy" and ping.json()["status"] == "Healthy"
    assert peer.targets == ["secretsmanager.GetSecretValue"]
    assert sse(resp.text)[-1] == {"status": "error", "error": "Gemini API key not configured"}
