"""The agent against model servers that misbehave the way real ones do (issue 19).

Cycle caps, read timeouts, Retry-After, finish reasons other than ``stop``, context-window
overflow and streams without usage, each against ``agent_faults.FaultServer`` (an
OpenAI-compatible server on 127.0.0.1, driven through the real strands OpenAIModel) or the
scripted strands Model.
"""

from __future__ import annotations

import json

import pytest
from agent_faults import FaultServer, Reply, finished_stream, good_stream, tool_call_stream
from agent_scripted import ScriptedModel, builder, text, tool
from genai.agents.provider import AgentProvider, collect
from genai.config import Limits
from genai.request import InvokeRequest, RequestError, parse_invoke

pytestmark = pytest.mark.anyio
NO_TOOLS = {"enabled": False}
CLOCK = {"enabled": True, "legacy_tools": ["current_time"], "strands_tools_enabled": False}


@pytest.fixture
def openai_env(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-local-test-key-1")
    monkeypatch.setenv("AGENT_TIMEOUT_SECONDS", "20")
    monkeypatch.setenv("MODEL_RETRY_DELAY_SECONDS", "0.01")
    for name in ("AGENT_MAX_CYCLES", "AGENT_MAX_CYCLES_LIMIT", "MODEL_READ_TIMEOUT_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def provider(server: FaultServer) -> str:
    return f"Model provider OpenAI ({server.url.removeprefix('http://')})"


async def chunks_from(server: FaultServer, monkeypatch, **request) -> list[dict]:
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    fields = {"prompt": "hi", "model_id": "openai/local", "tool_config": NO_TOOLS, **request}
    return [c async for c in AgentProvider().stream(InvokeRequest(**fields))]


# --- 1. model-tool cycles are capped ------------------------------------------------------


async def test_a_model_that_always_asks_for_a_tool_stops_at_the_requested_cap(openai_env):
    with FaultServer(lambda n: Reply(body=tool_call_stream("current_time", f"c{n}"))) as server:
        chunks = await chunks_from(server, openai_env, tool_config=CLOCK, max_cycles=3)
        calls = len(server.headers)
    assert calls == 3
    done = [c["tool_use"] for c in chunks if c.get("tool_use", {}).get("status") == "completed"]
    assert [d["tool_use_id"] for d in done] == ["c0", "c1", "c2"]
    assert chunks[-2]["metadata"]["model_calls"] == 3
    assert chunks[-1] == {"status": "error", "error": (
        "Stopped after 3 model calls: the model kept asking for tools and reached the cycle "
        "limit (max_cycles=3; server default AGENT_MAX_CYCLES, maximum "
        "AGENT_MAX_CYCLES_LIMIT); no final answer was produced")}


async def test_the_default_cap_is_25_cycles(openai_env):
    model = ScriptedModel(*[[tool("current_time", f"t{i}", {})] for i in range(40)])
    body = await AgentProvider(model_builder=builder(model)).run(
        InvokeRequest(prompt="loop", tool_config=CLOCK))
    assert len(model.calls) == 25
    assert body["status"] == "error" and body["error"].startswith("Stopped after 25 model calls")
    assert len(body["tool_calls"]) == 25


async def test_agent_max_cycles_sets_the_default_and_a_model_that_answers_is_unaffected(
        openai_env):
    openai_env.setenv("AGENT_MAX_CYCLES", "2")
    looping = ScriptedModel(*[[tool("current_time", f"t{i}", {})] for i in range(5)])
    body = await AgentProvider(model_builder=builder(looping)).run(
        InvokeRequest(prompt="loop", tool_config=CLOCK))
    assert len(looping.calls) == 2 and "max_cycles=2" in body["error"]
    answering = ScriptedModel([tool("current_time", "t0", {})], [text("It is noon.")])
    body = await AgentProvider(model_builder=builder(answering)).run(
        InvokeRequest(prompt="time?", tool_config=CLOCK))
    assert body["status"] == "success" and body["response"] == "It is noon."


def test_max_cycles_must_stay_within_the_server_limit(openai_env):
    openai_env.setenv("AGENT_MAX_CYCLES_LIMIT", "5")
    limits = Limits.from_env()
    assert parse_invoke({"prompt": "p", "max_cycles": 5}, limits).max_cycles == 5
    for bad in (6, 0, True, "3", 2.5):
        with pytest.raises(RequestError) as caught:
            parse_invoke({"prompt": "p", "max_cycles": bad}, limits)
        assert str(caught.value) == (
            f"Invalid request: 'max_cycles' must be a whole number from 1 to 5 (got {bad!r}; "
            "the server's limit is AGENT_MAX_CYCLES_LIMIT=5)")


@pytest.mark.parametrize(("default", "limit", "expected"), [
    (None, None, (25, 50)), ("80", None, (50, 50)), ("7", "500", (7, 100)),
    ("junk", "-3", (25, 50)), ("0", "10", (10, 10)),
])
def test_cycle_settings_are_bounded(openai_env, default, limit, expected):
    for name, value in (("AGENT_MAX_CYCLES", default), ("AGENT_MAX_CYCLES_LIMIT", limit)):
        if value is not None:
            openai_env.setenv(name, value)
    limits = Limits.from_env()
    assert (limits.max_cycles, limits.max_cycles_limit) == expected


# --- 2. read timeouts name the provider, host and limit ----------------------------------


@pytest.mark.parametrize("reply", [
    pytest.param(Reply(body=good_stream("late"), delay=1.5), id="no-response"),
    pytest.param(Reply(body=good_stream("Hel", "lo"), delay=1.5, pause_after=120),
                 id="stalls-mid-stream"),
])
@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
async def test_a_read_timeout_names_provider_host_and_limit(openai_env, reply):
    openai_env.setenv("MODEL_READ_TIMEOUT_SECONDS", "0.3")
    with FaultServer(lambda n: reply) as server:
        chunks = await chunks_from(server, openai_env)
    assert chunks[-1]["error"] == (
        f"{provider(server)} timed out: nothing received for 0.3 seconds (the model client's "
        "read timeout, MODEL_READ_TIMEOUT_SECONDS)")


# --- 3. throttling: Retry-After ----------------------------------------------------------


def _throttled(headers: dict) -> Reply:
    return Reply(status=429, headers={"Content-Type": "application/json", **headers},
                 body=b'{"error": {"message": "Rate limit reached", "code": "rate_limit"}}')


async def test_a_retry_after_past_the_deadline_is_reported_as_throttling(openai_env):
    """The SDK used to sleep out Retry-After (up to 120 s) itself: 'timed out after 5 s'."""
    openai_env.setenv("AGENT_TIMEOUT_SECONDS", "5")
    with FaultServer(lambda n: _throttled({"Retry-After": "30"})) as server:
        chunks = await chunks_from(server, openai_env)
        requests = len(server.headers)
    assert requests == 1
    assert chunks[-1]["error"] == (
        f"{provider(server)} throttled the request: too many requests (still throttled after "
        "1 attempt); it asked to retry after 30 seconds (Retry-After), later than the "
        "request's time limit allows; try again later")


@pytest.mark.slow  # 0.45 s or more: kept out of the everyday suite
async def test_retry_after_is_waited_for_then_the_call_succeeds(openai_env):
    replies = {0: _throttled({"retry-after-ms": "400"})}
    with FaultServer(lambda n: replies.get(n, Reply(body=good_stream("ok")))) as server:
        chunks = await chunks_from(server, openai_env)
        arrivals = list(server.arrivals)
    assert chunks[-1] == {"status": "complete", "event": "done"}
    # A lower bound only (sleep never ends early): the 0.01 s back-off was stretched.
    assert arrivals[1] - arrivals[0] >= 0.4


def test_retry_after_forms():
    import httpx
    import openai
    from genai.agents.retry import retry_after_seconds

    def error(headers: dict) -> Exception:
        response = httpx.Response(429, headers=headers,
                                  request=httpx.Request("POST", "http://127.0.0.1/v1"))
        try:
            raise RuntimeError("throttled") from openai.RateLimitError(
                "Rate limit", response=response, body=None)
        except RuntimeError as exc:
            return exc

    assert retry_after_seconds(error({"retry-after-ms": "250"})) == 0.25
    assert retry_after_seconds(error({"Retry-After": "3"})) == 3.0
    http_date = retry_after_seconds(error({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    assert http_date == 0.0  # a date in the past: retry now
    assert retry_after_seconds(error({"Retry-After": "soon"})) is None
    assert retry_after_seconds(error({})) is None


# --- 4. finish reasons and context overflow are truthful ---------------------------------


async def test_content_filter_is_an_error_not_a_silent_success(openai_env):
    with FaultServer(lambda n: Reply(body=finished_stream("content_filter", "Part"))) as server:
        openai_env.setenv("OPENAI_BASE_URL", server.base_url)
        body = await AgentProvider().run(InvokeRequest(
            prompt="hi", model_id="openai/local", tool_config=NO_TOOLS))
    assert body["response"] == "Part"
    assert body["status"] == "error" and body["error"] == (
        f"{provider(server)} stopped: its content filter blocked the answer (finish_reason "
        "content_filter, stop reason content_filtered); the answer is incomplete")


async def test_length_says_the_output_limit_was_reached(openai_env):
    with FaultServer(lambda n: Reply(body=finished_stream("length", "Once upon"))) as server:
        chunks = await chunks_from(server, openai_env)
    assert [c["text"] for c in chunks if "text" in c] == ["", "Once upon"]
    assert chunks[-1]["error"] == (
        f"{provider(server)} stopped the answer at the model's output token limit (finish "
        "reason 'length' / max_tokens); the answer is incomplete")
    assert "calling the agent again" not in chunks[-1]["error"]


async def test_context_overflow_keeps_the_providers_400_message(openai_env):
    message = ("This model's maximum context length is 8192 tokens. However, your messages "
               "resulted in 9100 tokens.")
    reply = Reply(status=400, headers={"Content-Type": "application/json"},
                  body=json.dumps({"error": {"message": message, "type": "invalid_request_error",
                                             "code": "context_length_exceeded"}}).encode())
    with FaultServer(lambda n: reply) as server:
        chunks = await chunks_from(server, openai_env)
    assert chunks[-1]["error"] == (
        f"{provider(server)} refused the request: the conversation does not fit the model's "
        f"context window (HTTP 400: {message}); send a shorter prompt or history")


@pytest.mark.parametrize(("reason", "what"), [
    ("guardrail_intervened", "a guardrail intervened"),
    ("content_filtered", "its content filter blocked the answer (finish_reason "
                         "content_filter, stop reason content_filtered)"),
])
async def test_bedrock_stop_reasons_that_cut_the_answer_are_errors(openai_env, reason, what):
    from agent_scripted import stop

    openai_env.delenv("AWS_ENDPOINT_URL", raising=False)
    openai_env.setenv("BEDROCK_REGION", "eu-central-1")
    model = ScriptedModel([text("Sure, here is"), stop(reason)])
    body = await AgentProvider(model_builder=builder(model)).run(
        InvokeRequest(prompt="hi", model_id="global.anthropic.claude-sonnet-4-6",
                      tool_config=NO_TOOLS))  # named: OPENAI_API_KEY would make OpenAI the default
    assert body["response"] == "Sure, here is"
    assert body["error"] == ("Model provider Bedrock (bedrock-runtime.eu-central-1.amazonaws.com) "
                             f"stopped: {what}; the answer is incomplete")


# --- 5. usage and latency: what was measured, or nothing ---------------------------------


async def test_no_usage_chunk_leaves_usage_out_and_still_counts_calls(openai_env):
    with FaultServer(lambda n: Reply(body=good_stream("hi"), delay=0.05)) as server:
        chunks = await chunks_from(server, openai_env)
    meta = chunks[-2]["metadata"]
    assert "usage" not in meta
    assert meta["model_calls"] == 1
    assert meta["latency_ms"] >= 50  # the agent's own timing: strands reports 0 for OpenAI


async def test_usage_is_summed_and_partial_usage_is_flagged(openai_env):
    replies = {0: Reply(body=tool_call_stream("current_time", "c0")),
               1: Reply(body=good_stream("It is noon."))}
    with FaultServer(lambda n: replies[n]) as server:
        chunks = await chunks_from(server, openai_env, tool_config=CLOCK)
    meta = chunks[-2]["metadata"]
    assert meta["model_calls"] == 2
    assert meta["usage"] == {"inputTokens": 7, "outputTokens": 3, "totalTokens": 10}
    assert meta["usage_reported_calls"] == 1
    with FaultServer(lambda n: Reply(body=finished_stream("stop", "hi", usage=True))) as server:
        chunks = await chunks_from(server, openai_env)
    assert chunks[-2]["metadata"]["usage"]["totalTokens"] == 10
    assert "usage_reported_calls" not in chunks[-2]["metadata"]


async def test_collect_keeps_the_metadata_without_usage(openai_env):
    with FaultServer(lambda n: Reply(body=good_stream("hi"))) as server:
        openai_env.setenv("OPENAI_BASE_URL", server.base_url)
        body = await collect(AgentProvider().stream(InvokeRequest(
            prompt="hi", model_id="openai/local", tool_config=NO_TOOLS)))
    assert body["status"] == "success" and body["metadata"]["model_calls"] == 1
