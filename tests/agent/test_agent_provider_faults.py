"""Broken, throttling and unreachable model providers: errors that say who and what.

The peer is ``agent_faults.FaultServer``, an OpenAI-compatible server on 127.0.0.1 that
answers each request as a test scripts it; the agent uses the real strands OpenAIModel.
"""

from __future__ import annotations

import json
import logging
import socket

import pytest
from agent_faults import FaultServer, Reply, chunk, good_stream, sse
from genai.agents import keys
from genai.agents.provider import AgentProvider, collect
from genai.request import InvokeRequest

pytestmark = pytest.mark.anyio
NO_TOOLS = {"enabled": False}


@pytest.fixture
def openai_env(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local-test-key-1")
    monkeypatch.setenv("AGENT_TIMEOUT_SECONDS", "20")
    monkeypatch.setenv("MODEL_RETRY_DELAY_SECONDS", "0.01")
    return monkeypatch


async def run_against(server: FaultServer, monkeypatch, stream: bool = True) -> list[dict]:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    request = InvokeRequest(prompt="hi", model_id="openai/local", tool_config=NO_TOOLS,
                            stream=stream)
    return [c async for c in AgentProvider().stream(request)]


def provider(server: FaultServer) -> str:
    return f"Model provider OpenAI ({server.url.removeprefix('http://')})"


# --- invalid or incomplete responses (defect 6) ------------------------------------------

BROKEN = [
    pytest.param(Reply(headers={"Content-Type": "text/html"},
                       body=b"<html><body>Welcome to nginx!</body></html>"),
                 "sent an invalid response: no events (HTTP 200, content type 'text/html'; "
                 "expected an event stream)", id="html-200"),
    pytest.param(Reply(body=sse({"id": "x", "object": "chat.completion.chunk"}, "[DONE]")),
                 "sent an invalid response: an event without 'choices'", id="no-choices"),
    pytest.param(Reply(body=sse(chunk({"role": "assistant", "content": "Hel"}))),
                 "sent an incomplete response: the stream ended before a finish_reason",
                 id="ends-before-finish"),
    pytest.param(Reply(body=good_stream("Hello there"), cut_at=150),
                 "sent an incomplete response: the connection closed mid-response",
                 id="connection-dropped"),
    pytest.param(Reply(body=b"data: {not json\n\n"),
                 "sent an invalid response: an event that is not valid JSON", id="bad-sse"),
]


@pytest.mark.parametrize(("reply", "needle"), BROKEN)
async def test_broken_provider_response_is_an_error(openai_env, reply, needle):
    with FaultServer(lambda n: reply) as server:
        chunks = await run_against(server, openai_env)
    assert "metadata" in chunks[-2]
    assert chunks[-1]["status"] == "error"
    assert chunks[-1]["error"].startswith(f"{provider(server)} {needle}"), chunks[-1]


async def test_broken_response_in_the_non_streaming_body(openai_env):
    reply = Reply(headers={"Content-Type": "text/html"}, body=b"<html>login</html>")
    with FaultServer(lambda n: reply) as server:
        openai_env.setenv("OPENAI_BASE_URL", server.base_url)
        body = await AgentProvider().run(InvokeRequest(
            prompt="hi", model_id="openai/local", tool_config=NO_TOOLS))
    assert body["status"] == "error" and "sent an invalid response" in body["error"]


async def test_a_complete_stream_still_succeeds(openai_env):
    with FaultServer(lambda n: Reply(body=good_stream("Hel", "lo"))) as server:
        chunks = await run_against(server, openai_env)
    assert [c["text"] for c in chunks if "text" in c] == ["", "Hel", "lo"]
    assert chunks[-1] == {"status": "complete", "event": "done"}


# --- misleading errors (defect 7) -------------------------------------------------------

THROTTLED = Reply(status=429, headers={"Content-Type": "application/json",
                                       "retry-after-ms": "1"},
                  body=b'{"error": {"message": "Rate limit reached", "code": '
                       b'"rate_limit_exceeded"}}')


async def test_throttling_says_throttled_not_timed_out(openai_env):
    openai_env.setenv("MODEL_RETRY_ATTEMPTS", "3")
    with FaultServer(lambda n: THROTTLED) as server:
        chunks = await run_against(server, openai_env)
        requests = len(server.headers)
    assert chunks[-1]["error"] == (
        f"{provider(server)} throttled the request: too many requests "
        "(still throttled after 3 attempts); try again later")
    assert requests == 3  # 3 model calls by the agent; the SDK does not retry a 429 itself


async def test_throttle_backoff_never_outlives_the_deadline(openai_env):
    """A back-off longer than the time left is not started: the answer is still "throttled"."""
    openai_env.setenv("AGENT_TIMEOUT_SECONDS", "30")
    openai_env.setenv("MODEL_RETRY_DELAY_SECONDS", "60")
    with FaultServer(lambda n: THROTTLED) as server:
        chunks = await run_against(server, openai_env)
        requests = len(server.headers)
    assert "throttled the request" in chunks[-1]["error"]
    assert "timed out" not in chunks[-1]["error"]
    assert requests == 1  # one model call, no 60 s back-off (and no SDK retry of the 429)


async def test_recovering_from_throttling_succeeds(openai_env):
    replies = {0: THROTTLED, 1: THROTTLED}
    with FaultServer(lambda n: replies.get(n, Reply(body=good_stream("ok")))) as server:
        chunks = await run_against(server, openai_env)
    assert chunks[-1] == {"status": "complete", "event": "done"}


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
async def test_dead_base_url_names_provider_and_host(openai_env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    openai_env.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    body = await AgentProvider().run(InvokeRequest(
        prompt="hi", model_id="openai/local", tool_config=NO_TOOLS))
    assert body["error"] == (
        f"Model provider OpenAI (127.0.0.1:{port}) is unreachable: connection refused")


async def test_key_with_a_line_break_is_named_before_any_request(openai_env):
    openai_env.setenv("OPENAI_API_KEY", "sk-abc\ndef-123456")
    with FaultServer(lambda n: Reply(body=good_stream("no"))) as server:
        chunks = await run_against(server, openai_env)
        requests = len(server.headers)
    assert chunks == [{"status": "error", "error":
                       "OpenAI API key from OPENAI_API_KEY contains whitespace or a control "
                       "character (a line break?); store the key alone on one line"}]
    assert requests == 0


async def test_secret_key_is_stripped_like_an_env_key(aws, openai_env):
    openai_env.delenv("OPENAI_API_KEY")
    aws.client("secretsmanager").create_secret(
        Name="dev_openai_api", SecretString='{"api_key": "  sk-from-secret-42\\n"}')
    openai_env.setenv("OPENAI_SECRET_ID", "dev_openai_api")
    assert keys.api_key("openai") == "sk-from-secret-42"
    with FaultServer(lambda n: Reply(body=good_stream("hi"))) as server:
        chunks = await run_against(server, openai_env)
        auth = server.headers[0]["Authorization"]
    assert chunks[-1] == {"status": "complete", "event": "done"}
    assert auth == "Bearer sk-from-secret-42"


# --- key fragments (defect 9) -----------------------------------------------------------


async def test_key_fragments_never_reach_clients_or_logs(openai_env, caplog):
    openai_env.setenv("OPENAI_API_KEY", "custom-gateway-key-77aa")
    message = ("Incorrect API key provided: sk-****3a9c (key custom-gateway-key-77aa, "
               "see https://gw.example/v1?key=AIzaSyExampleExample123)")
    reply = Reply(status=401, headers={"Content-Type": "application/json"},
                  body=json.dumps({"error": {"message": message,
                                             "code": "invalid_api_key"}}).encode())
    caplog.set_level(logging.DEBUG)
    with FaultServer(lambda n: reply) as server:
        body = await collect(await _stream(server, openai_env))
    error = body["error"]
    assert error.startswith(f"{provider(server)} returned HTTP 401: Incorrect API key "
                            "provided: [redacted] (key [redacted], see")
    for fragment in ("3a9c", "77aa", "AIzaSy"):
        assert fragment not in error
        assert fragment not in caplog.text


async def _stream(server, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    return AgentProvider().stream(InvokeRequest(
        prompt="hi", model_id="openai/local", tool_config=NO_TOOLS))


async def test_bedrock_throttling_names_bedrock_and_its_host(openai_env):
    """strands turns Bedrock's ThrottlingException into ModelThrottledException."""
    from agent_scripted import ScriptedModel, builder, fail
    from strands.types.exceptions import ModelThrottledException

    model = ScriptedModel(*[[fail(ModelThrottledException("ThrottlingException"))]] * 3)
    openai_env.delenv("AWS_ENDPOINT_URL")
    openai_env.setenv("BEDROCK_REGION", "eu-central-1")
    body = await AgentProvider(model_builder=builder(model)).run(InvokeRequest(
        prompt="hi", model_id="global.anthropic.claude-sonnet-4-6", tool_config=NO_TOOLS))
    assert body["error"] == (
        "Model provider Bedrock (bedrock-runtime.eu-central-1.amazonaws.com) throttled the "
        "request: too many requests (still throttled after 3 attempts); try again later")
    assert len(model.calls) == 3


@pytest.mark.parametrize(
    ("reply", "needle"),
    [
        ((200, {"Content-Type": "text/html"}, b"<html>captive portal</html>"),
         "sent an invalid response: an event that is not valid JSON"),
        ((429, {"Content-Type": "application/json"},
          b'{"error": {"code": 429, "message": "Resource exhausted", '
          b'"status": "RESOURCE_EXHAUSTED"}}'),
         "throttled the request: too many requests (still throttled after 3 attempts)"),
    ],
    ids=["html-200", "429"],
)
@pytest.mark.slow  # 0.6 s or more: kept out of the everyday suite
async def test_gemini_failures_name_gemini_and_its_host(monkeypatch, reply, needle):
    from agent_http import LocalServer

    route = "/v1beta/models/gemini-2.5-flash:streamGenerateContent"
    monkeypatch.setenv("GEMINI_API_KEY", "gm-local-123456")
    monkeypatch.setenv("MODEL_RETRY_DELAY_SECONDS", "0.01")
    with LocalServer({route: lambda method, query, body: reply}) as server:
        monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", server.url)
        body = await AgentProvider().run(InvokeRequest(
            prompt="hi", model_id="gemini-2.5-flash", tool_config=NO_TOOLS))
    host = server.url.removeprefix("http://")
    assert body["error"].startswith(f"Model provider Gemini ({host}) {needle}"), body["error"]
