"""Agent performance figures (docs/agent.md, "Performance").

Run from the repository root:  uv run python benchmarks/agent_bench.py [--runs N]

1. Process start to first healthy /ping: the agent (``python agentcore_app.py --server``)
   against a bare hello-world BedrockAgentCoreApp, alternated in the same run; median ratio.
2. ``{"action": "health"}`` p50 in-process through the ASGI app.
3. Streaming overhead per chunk: a scripted model emitting 2,000 text deltas, iterating the
   raw strands stream (``Agent.stream_async``) vs the real ``AgentProvider.stream`` path
   (settings, Agent built in a thread, pump task + hook queue, mapping, metadata); plus the
   pure mapper cost per strands event.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENT_DIR = ROOT / "agent"
sys.path.insert(0, str(AGENT_DIR))
sys.path.insert(0, str(ROOT / "tests" / "agent"))

BARE_APP = """
from bedrock_agentcore import BedrockAgentCoreApp
app = BedrockAgentCoreApp()

@app.entrypoint
def handler(payload):
    return {"hello": "world"}

if __name__ == "__main__":
    import sys
    app.run(port=int(sys.argv[1]), host="127.0.0.1")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_to_ping(cmd: list[str], port: int, cwd: Path) -> float:
    env = {**os.environ, "LOG_TO_FILE": "false"}
    for key in ("DOCKER_CONTAINER", "AWS_EXECUTION_ENV"):
        env.pop(key, None)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 30:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=1) as r:
                    if b"Healthy" in r.read():
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.005)
        raise RuntimeError(f"no healthy /ping from {cmd}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def bench_cold_start(runs: int) -> dict[str, float]:
    """Median seconds to first healthy /ping for the agent and a bare app; and their ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare_app.py"
        bare.write_text(BARE_APP)
        agent_times, bare_times = [], []
        for _ in range(runs):
            port = _free_port()
            bare_times.append(_start_to_ping([sys.executable, str(bare), str(port)], port, ROOT))
            port = _free_port()
            agent_cmd = [sys.executable, "agentcore_app.py", "--server", "--port", str(port)]
            agent_times.append(_start_to_ping(agent_cmd, port, AGENT_DIR))
    agent, base = statistics.median(agent_times), statistics.median(bare_times)
    return {"agent_s": agent, "bare_s": base, "ratio": agent / base}


async def _health_p50(n: int) -> float:
    import agentcore_app
    import httpx

    # The framework logs every invocation at INFO to stderr; keep the output readable.
    agentcore_app.app.logger.setLevel("WARNING")
    transport = httpx.ASGITransport(app=agentcore_app.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://agent") as client:
        for _ in range(20):
            await client.post("/invocations", json={"action": "health"})
        samples = []
        for _ in range(n):
            t0 = time.perf_counter()
            resp = await client.post("/invocations", json={"action": "health"})
            samples.append(time.perf_counter() - t0)
            assert resp.json()["status"] == "healthy"
    return statistics.median(samples)


def bench_health(n: int = 300) -> dict[str, float]:
    """p50 milliseconds of the health action through the ASGI app, in-process."""
    return {"health_p50_ms": asyncio.run(_health_p50(n)) * 1000}


async def _mapping(deltas: int, rounds: int) -> dict[str, float]:
    from agent_scripted import ScriptedModel, builder, text
    from genai.agents.chunks import ChunkMapper
    from genai.agents.provider import AgentProvider
    from genai.request import InvokeRequest
    from genai.store.sessions import SessionStore
    from genai.store.settings import SettingsStore
    from strands import Agent

    def model() -> ScriptedModel:
        return ScriptedModel([text(f"t{i} ") for i in range(deltas)])

    request = InvokeRequest(prompt="go", stream=True, tool_config={"enabled": False})
    raw_times, provider_times, events = [], [], []
    for _ in range(rounds):
        agent = Agent(model=model(), callback_handler=None)
        t0 = time.perf_counter()
        events = [e async for e in agent.stream_async("go")]
        raw_times.append(time.perf_counter() - t0)
        # No tables: built-in settings, no session writes (nothing leaves the process).
        provider = AgentProvider(model_builder=builder(model()), settings=SettingsStore(""),
                                 sessions=SessionStore(""))
        t0 = time.perf_counter()
        chunks = [c async for c in provider.stream(request)]
        provider_times.append(time.perf_counter() - t0)
        assert sum(1 for c in chunks if c.get("text")) == deltas, "every delta is a chunk"
        assert chunks[-1] == {"status": "complete", "event": "done"}
    mapper = ChunkMapper()
    t0 = time.perf_counter()
    for event in events:
        mapper.map(event)
    pure = time.perf_counter() - t0
    return {
        "raw_stream_ms": min(raw_times) * 1000,
        "provider_stream_ms": min(provider_times) * 1000,
        "overhead_us_per_chunk": (min(provider_times) - min(raw_times)) / deltas * 1e6,
        "pure_mapper_us_per_event": pure / len(events) * 1e6,
        "events": len(events),
    }


def bench_mapping(deltas: int = 2000, rounds: int = 5) -> dict[str, float]:
    """Per-chunk cost of AgentProvider.stream over the raw strands stream."""
    return asyncio.run(_mapping(deltas, rounds))


def main() -> None:
    """Print all three figures and whether each meets its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold starts per app (default 5)")
    args = parser.parse_args()
    cold = bench_cold_start(args.runs)
    health = bench_health()
    mapping = bench_mapping()
    print(f"cold start to healthy /ping: agent {cold['agent_s']:.3f} s, bare "
          f"{cold['bare_s']:.3f} s, ratio {cold['ratio']:.2f} (target <= 1.2)")
    print(f"health action p50 in-process: {health['health_p50_ms']:.2f} ms (target < 5 ms)")
    print(f"2,000 text deltas: raw strands stream {mapping['raw_stream_ms']:.1f} ms, "
          f"AgentProvider.stream {mapping['provider_stream_ms']:.1f} ms, overhead "
          f"{mapping['overhead_us_per_chunk']:.2f} us/chunk (target < 50 us)")
    print(f"mapper alone: {mapping['pure_mapper_us_per_event']:.2f} us/event over "
          f"{mapping['events']} strands events")


if __name__ == "__main__":
    main()
