"""Tools that can burn unbounded CPU or memory run in limited worker processes."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from dataclasses import replace

import agentcore_app
import httpx
import pytest
from agent_scripted import ScriptedModel, builder, text, tool
from genai.agents.provider import AgentProvider
from genai.tools.sandbox import SandboxLimits, ToolSandbox


def calc(expression: str, tool_use_id: str = "c1") -> dict:
    return {"toolUseId": tool_use_id, "name": "calculator", "input": {"expression": expression}}


LIMITS = SandboxLimits(timeout_seconds=60, cpu_seconds=30, memory_mb=256, workers=1)


@pytest.fixture(scope="module")
def box():
    """One worker for the module (starting one costs an interpreter and a sympy import)."""
    sandbox = ToolSandbox(LIMITS)
    yield sandbox
    sandbox.close()


def run(box: ToolSandbox, expression: str, **limits) -> dict:
    box.limits = replace(LIMITS, **limits)
    return asyncio.run(box.run("calculator", calc(expression)))


@pytest.mark.slow
def test_results_memory_limit_and_wall_clock_timeout(box):
    ok = run(box, "2+3")
    memory = run(box, "2**(10**10)")  # a 1.25 GB integer
    again = run(box, "6*7")  # the worker goes on
    slow = run(box, "factorial(10**7)", timeout_seconds=1)  # CPU-bound for long
    assert ok == {"toolUseId": "c1", "status": "success", "content": [{"text": "Result: 5"}]}
    assert memory["status"] == "error"
    assert memory["content"] == [{"text": "Error: calculator exceeded its memory limit (256 MB)"}]
    assert again["content"] == [{"text": "Result: 42"}]
    assert slow["status"] == "error"
    assert slow["content"] == [{"text": "Error: calculator did not finish within its time "
                                        "limit (1 s) and was stopped"}]


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_cancelling_a_call_kills_its_child_process(box):
    async def scenario() -> int:
        call = asyncio.create_task(box.run("calculator", calc("factorial(10**7)")))
        while not any(t.child for t in _tickets):
            await asyncio.sleep(0.01)
        child = next(t.child for t in _tickets if t.child)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        return child

    child = asyncio.run(scenario())
    for _ in range(1000):  # the worker reaps the killed child; wait for it to be gone
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        threading.Event().wait(0.01)
    else:
        pytest.fail("the cancelled calculation is still running")
    # The worker survived and serves the next call.
    ok = run(box, "1+1")
    assert ok["content"] == [{"text": "Result: 2"}]


_tickets: list = []


@pytest.fixture(autouse=True)
def _record_tickets(monkeypatch):
    from genai.tools import sandbox

    class Recording(sandbox._Ticket):
        def __init__(self) -> None:
            super().__init__()
            _tickets.append(self)

    monkeypatch.setattr(sandbox, "_Ticket", Recording)
    _tickets.clear()


@pytest.mark.slow  # ~1 s or more: `-m slow` (CI runs it)
def test_a_runaway_calculation_leaves_the_server_answering(server_url, box, monkeypatch):
    """The issue's freeze: 9**9**9**9 held the GIL, so /ping, the deadline and SIGTERM died."""
    from genai.tools import sandbox

    # The module's worker (already started), with a 1 s CPU budget per call.
    monkeypatch.setattr(box, "limits", replace(LIMITS, cpu_seconds=1))
    monkeypatch.setattr(sandbox, "shared", lambda: box)
    model = ScriptedModel([tool("calculator", "c1", {"expression": "9**9**9**9"})],
                          [text("That number is too large.")])
    agentcore_app.set_provider(AgentProvider(model_builder=builder(model)))
    tools = {"legacy_tools": [], "strands_tools_enabled": True}
    payload = {"prompt": "x", "stream": True, "tool_config": tools}
    pings: list[str] = []
    with httpx.Client(base_url=f"http://{server_url}", timeout=60) as client, \
            client.stream("POST", "/invocations", json=payload) as resp:
        chunks = []
        for line in resp.iter_lines():
            if not line:
                continue
            chunks.append(json.loads(line.removeprefix("data: ")))
            if chunks[-1].get("tool_use", {}).get("status") == "running":
                # The calculation is under way: the server must still answer.
                with httpx.Client(base_url=f"http://{server_url}", timeout=5) as probe:
                    pings.append(probe.get("/ping").json()["status"])
    assert pings == ["Healthy"]
    ended = [c["tool_use"] for c in chunks if c.get("tool_use", {}).get("status") == "error"]
    assert ended == [{"name": "calculator", "params": {"expression": "9**9**9**9"},
                      "status": "error", "tool_use_id": "c1",
                      "result": "Error: calculator exceeded its CPU time limit (1 s) and was "
                                "stopped"}]
    assert {"text": "That number is too large."} in chunks  # the run went on
    assert chunks[-1] == {"status": "complete", "event": "done"}
    assert threading.active_count() < 200
