"""Tool events: per-call completion while siblings run, terminal events on timeouts."""

from __future__ import annotations

import agent_gated_tool
import pytest
from agent_scripted import ScriptedModel, builder, text, tool
from genai.agents.provider import AgentProvider
from genai.request import InvokeRequest
from genai.tools import catalog

pytestmark = pytest.mark.anyio
SLEEP_TOOLS = {"legacy_tools": ["sleep"], "strands_tools_enabled": False}


@pytest.fixture
def gate(monkeypatch):
    """Route the ``sleep`` tool to the gated stand-in; the gate is open after the test."""
    monkeypatch.setitem(catalog._LOCATIONS, "sleep", ("agent_gated_tool", "sleep"))
    agent_gated_tool.GATE.clear()
    yield agent_gated_tool.GATE
    agent_gated_tool.GATE.set()


def uses(chunks: list[dict]) -> list[tuple[str, str]]:
    return [(c["tool_use"]["tool_use_id"], c["tool_use"]["status"])
            for c in chunks if "tool_use" in c]


async def test_fast_tool_completes_while_a_slow_sibling_still_runs(gate, monkeypatch):
    monkeypatch.setenv("AGENT_TIMEOUT_SECONDS", "20")  # bounds the failure mode
    model = ScriptedModel([tool("sleep", "fast", {"duration": 0}),
                           tool("sleep", "slow", {"duration": 1})], [text("ok")])
    provider = AgentProvider(model_builder=builder(model))
    chunks: list[dict] = []
    open_when_fast_completed = None
    async for chunk in provider.stream(InvokeRequest(prompt="x", tool_config=SLEEP_TOOLS)):
        chunks.append(chunk)
        if uses([chunk]) == [("fast", "completed")]:
            open_when_fast_completed = gate.is_set()
            gate.set()  # only now may the slow tool finish
    assert open_when_fast_completed is False
    assert uses(chunks) == [("fast", "running"), ("slow", "running"),
                            ("fast", "completed"), ("slow", "completed")]
    results = {c["tool_use"]["tool_use_id"]: c["tool_use"]["result"]
               for c in chunks if "tool_use" in c and c["tool_use"]["status"] == "completed"}
    assert results == {"fast": "slept 0", "slow": "slept 1"}
    assert chunks[-1] == {"status": "complete", "event": "done"}


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
async def test_timeout_mid_tool_ends_each_running_call_then_names_it(gate, monkeypatch):
    # The gated tool never finishes; the deadline leaves room for the tool call to start
    # on a loaded machine.
    monkeypatch.setenv("AGENT_TIMEOUT_SECONDS", "2")
    model = ScriptedModel([tool("sleep", "t1", {"duration": 1})], [text("never")])
    provider = AgentProvider(model_builder=builder(model))
    chunks = [c async for c in provider.stream(InvokeRequest(prompt="x",
                                                             tool_config=SLEEP_TOOLS))]
    assert not gate.is_set()  # the tool was still waiting when the stream ended
    assert uses(chunks) == [("t1", "running"), ("t1", "error")]
    aborted = chunks[-3]["tool_use"]
    assert aborted["name"] == "sleep" and aborted["params"] == {"duration": 1}
    assert aborted["result"] == ("Error: the request timed out after 2 seconds before this "
                                 "tool finished")
    assert "metadata" in chunks[-2]
    assert chunks[-1] == {"status": "error", "error": "Timed out after 2 seconds while tool "
                                                      "'sleep' (t1) was running"}
