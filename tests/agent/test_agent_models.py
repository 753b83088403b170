"""Model routing, capability fallbacks, real BedrockModel (Stubber) and OpenAI (local server)."""

from __future__ import annotations

import json
import threading

import pytest
from agent_http import LocalServer
from agent_scripted import ScriptedModel, builder, text
from botocore.stub import Stubber
from genai.agents.factory import build_model
from genai.agents.models import UnknownModelError, resolve_model
from genai.agents.provider import AgentProvider, collect
from genai.request import InvokeRequest

pytestmark = pytest.mark.anyio
TOOLS = {"legacy_tools": ["sleep"], "strands_tools_enabled": False}


@pytest.mark.parametrize(
    ("model_id", "provider", "sent_as", "stream_tools"),
    [
        ("global.anthropic.claude-sonnet-4-6", "bedrock", "global.anthropic.claude-sonnet-4-6",
         True),
        ("us.amazon.nova-pro-v1:0", "bedrock", "us.amazon.nova-pro-v1:0", True),
        ("us.meta.llama3-3-70b-instruct-v1:0", "bedrock", "us.meta.llama3-3-70b-instruct-v1:0",
         False),
        ("gpt-4o", "openai", "gpt-4o", True),
        ("o3-mini", "openai", "o3-mini", True),
        ("openai/my-local-model", "openai", "my-local-model", True),
        ("gemini-2.5-flash", "gemini", "gemini-2.5-flash", True),
    ],
)
def test_routing_and_capabilities(model_id, provider, sent_as, stream_tools):
    choice = resolve_model(model_id)
    assert (choice.provider, choice.model_id) == (provider, sent_as)
    assert choice.capabilities.streaming_with_tools is stream_tools


@pytest.mark.parametrize("model_id", ["acme.llm", "claude-3", "openai/", "llama"])
def test_unknown_model_ids(model_id):
    with pytest.raises(UnknownModelError, match="Unknown model id"):
        resolve_model(model_id)


def test_fallbacks():
    llama = resolve_model("meta.llama3-1-70b-instruct-v1:0").for_tools(True)
    assert (llama.streaming, llama.tools_allowed, llama.fallback) == (
        False, True, "non_streaming_model_calls")
    assert resolve_model("meta.llama3-1-70b-instruct-v1:0").for_tools(False).fallback is None
    deepseek = resolve_model("us.deepseek.r1-v1:0").for_tools(True)
    assert (deepseek.tools_allowed, deepseek.fallback) == (False, "tools_disabled")


async def test_text_only_model_runs_without_tools_and_says_so():
    seen: list = []
    model = ScriptedModel([text("No tools here.")])
    provider = AgentProvider(model_builder=builder(model, seen))
    request = InvokeRequest(prompt="hi", model_id="us.deepseek.r1-v1:0", tool_config=TOOLS)
    body = await collect(provider.stream(request))
    assert body["status"] == "success" and model.calls[0]["tools"] == []
    assert body["metadata"]["fallback"] == "tools_disabled"
    assert body["metadata"]["tools"] == []


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
async def test_real_bedrock_model_non_streaming_fallback_via_stubber():
    """A model that cannot stream with tools is driven with Converse (not ConverseStream)."""
    stubs: list[Stubber] = []

    def build(choice, env):
        model = build_model(choice, env)
        stub = Stubber(model.client)
        stub.add_response(
            "converse",
            {"output": {"message": {"role": "assistant", "content": [{"text": "Hi there"}]}},
             "stopReason": "end_turn",
             "usage": {"inputTokens": 3, "outputTokens": 2, "totalTokens": 5},
             "metrics": {"latencyMs": 11}},
        )
        stub.activate()
        stubs.append(stub)
        return model

    provider = AgentProvider(model_builder=build)
    request = InvokeRequest(prompt="hi", model_id="us.meta.llama3-3-70b-instruct-v1:0",
                            tool_config=TOOLS, stream=True)
    chunks = [c async for c in provider.stream(request)]
    stubs[0].assert_no_pending_responses()
    assert chunks[:2] == [{"text": ""}, {"text": "Hi there"}]
    meta = chunks[2]["metadata"]
    assert meta["fallback"] == "non_streaming_model_calls"
    assert meta["usage"] == {"inputTokens": 3, "outputTokens": 2, "totalTokens": 5}
    assert chunks[-1] == {"status": "complete", "event": "done"}


@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
async def test_runtime_refusal_retries_without_streaming():
    from botocore.exceptions import ClientError

    refusal = ClientError({"Error": {"Code": "ValidationException", "Message":
                                     "This model doesn't support tool use in streaming mode."}},
                          "ConverseStream")

    class Refusing(ScriptedModel):
        async def stream(self, *args, **kwargs):
            if not self.calls:
                self.calls.append({})
                raise refusal
            async for event in super().stream(*args, **kwargs):
                yield event

    model = Refusing([text("fine")])
    seen: list = []
    provider = AgentProvider(model_builder=builder(model, seen))
    body = await collect(provider.stream(InvokeRequest(
        prompt="x", model_id="arn:aws:bedrock:us-west-2:1:inference-profile/p", tool_config=TOOLS)))
    assert body["response"] == "fine"
    assert body["metadata"]["fallback"] == "non_streaming_model_calls"
    assert [c.streaming for c in seen] == [True, False]


def _openai_sse(texts: list[str]) -> bytes:
    def chunk(delta, finish=None, usage=None):
        body = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "local",
                "choices": [] if usage else [{"index": 0, "delta": delta,
                                               "finish_reason": finish}]}
        if usage:
            body["usage"] = usage
        return f"data: {json.dumps(body)}\n\n"

    parts = [chunk({"role": "assistant", "content": ""})]
    parts += [chunk({"content": t}) for t in texts]
    parts.append(chunk({}, "stop"))
    parts.append(chunk({}, usage={"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}))
    parts.append("data: [DONE]\n\n")
    return "".join(parts).encode()


@pytest.mark.slow
async def test_openai_provider_through_local_compatible_server(monkeypatch):
    requests: list[dict] = []

    def completions(method, query, body):
        requests.append(json.loads(body))
        return 200, {"Content-Type": "text/event-stream"}, _openai_sse(["Hel", "lo"])

    with LocalServer({"/v1/chat/completions": completions}) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
        provider = AgentProvider()
        request = InvokeRequest(prompt="hi", model_id="openai/local-llm", stream=True,
                                tool_config={"enabled": False})
        chunks = [c async for c in provider.stream(request)]
    assert chunks[:3] == [{"text": ""}, {"text": "Hel"}, {"text": "lo"}]
    assert chunks[3]["metadata"]["provider"] == "openai"
    assert chunks[3]["metadata"]["usage"] == {"inputTokens": 4, "outputTokens": 2,
                                              "totalTokens": 6}
    assert chunks[-1] == {"status": "complete", "event": "done"}
    assert requests[0]["model"] == "local-llm" and requests[0]["stream"] is True


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
async def test_openai_provider_error_is_a_final_error_chunk(monkeypatch):
    def broken(method, query, body):
        return 500, {"Content-Type": "application/json"}, b'{"error": {"message": "boom"}}'

    with LocalServer({"/v1/chat/completions": broken}) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", f"{server.url}/v1")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-local")
        request = InvokeRequest(prompt="hi", model_id="gpt-4o", tool_config={"enabled": False})
        body = await AgentProvider().run(request)
    assert body["status"] == "error" and "boom" in body["error"]
    assert "sk-local" not in body["error"]


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
async def test_gemini_calls_have_a_read_timeout(monkeypatch):
    """A Gemini endpoint that never answers fails at MODEL_READ_TIMEOUT_SECONDS, not later."""
    release = threading.Event()
    seen: list[str] = []

    def stalled(method, query, body):
        seen.append(method)
        release.wait(timeout=30)
        return 500, {}, b""

    route = "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
    with LocalServer({route: stalled}) as server:
        monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", server.url)
        monkeypatch.setenv("GEMINI_API_KEY", "gm-local")
        monkeypatch.setenv("MODEL_READ_TIMEOUT_SECONDS", "0.5")
        monkeypatch.setenv("AGENT_TIMEOUT_SECONDS", "20")
        request = InvokeRequest(prompt="hi", model_id="gemini-2.5-flash",
                                tool_config={"enabled": False})
        try:
            body = await AgentProvider().run(request)
            still_stalled = not release.is_set()
        finally:
            release.set()
    assert seen == ["POST"]
    assert still_stalled  # the client gave up while the server was still holding the call
    assert body["status"] == "error"
    assert body["error"] == "TimeoutError: the request timed out"
    assert "gm-local" not in body["error"]
