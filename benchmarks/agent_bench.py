"""Agent performance figures (docs/agent.md, "Performance").

Run from the repository root:  uv run python benchmarks/agent_bench.py [--runs N]

1. Process start to first healthy /ping: the agent (``python agentcore_app.py --server``)
   against a bare hello-world BedrockAgentCoreApp, alternated in the same run; median ratio.
2. ``{"action": "health"}`` p50 in-process through the ASGI app.
3. Streaming overhead per chunk: a scripted model emitting 2,000 text deltas, iterating the
   raw strands stream (``Agent.stream_async``) vs the real ``AgentProvider.stream`` path
   (settings, Agent built in a thread, pump task + hook queue, mapping, metadata); plus the
   pure mapper cost per strands event.
4. ``/ping`` (and the health action) p99 on an idle server vs with 100 SSE streams open and
   waiting on the model (``tests/agent/agent_server_main.py wait``), same server, same run.
5. First invocation after start vs the median of the next ten (default tools, scripted
   model, ``agent_server_main.py answer``): after the background warm-up has finished, and
   for information right after the first healthy ``/ping`` and with the warm-up off.
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


RUNNER = ROOT / "tests" / "agent" / "agent_server_main.py"


class _Server:
    """The agent with a scripted model in a subprocess (stderr kept for its log lines)."""

    def __init__(self, mode: str, **env: str) -> None:
        import threading

        self.port = _free_port()
        full_env = {**os.environ, "LOG_TO_FILE": "false", "LOG_LEVEL": "INFO", **env}
        for key in ("DOCKER_CONTAINER", "AWS_EXECUTION_ENV"):
            full_env.pop(key, None)
        self.proc = subprocess.Popen([sys.executable, str(RUNNER), str(self.port), mode],
                                     env=full_env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.log: list[str] = []
        threading.Thread(target=lambda: self.log.extend(self.proc.stderr), daemon=True).start()
        started = time.perf_counter()
        while time.perf_counter() - started < 60:
            try:
                with urllib.request.urlopen(f"{self.url}/ping", timeout=1) as r:
                    if b"Healthy" in r.read():
                        return
            except OSError:
                time.sleep(0.005)
        raise RuntimeError("agent server never became healthy")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_log(self, text: str, seconds: float = 120) -> None:
        started = time.perf_counter()
        while not any(text in line for line in self.log):
            if time.perf_counter() - started > seconds:
                raise RuntimeError(f"no {text!r} in the server log")
            time.sleep(0.02)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def _latencies(client, method: str, path: str, n: int, **kwargs) -> list[float]:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        resp = client.request(method, path, **kwargs)
        samples.append(time.perf_counter() - t0)
        resp.raise_for_status()
    return samples


def bench_ping_under_load(streams: int = 100, n: int = 300) -> dict[str, float]:
    """/ping and health p99 (ms), idle vs ``streams`` SSE streams waiting on the model."""
    import httpx

    server = _Server("wait", AGENT_WARMUP="false")
    socks = []
    try:
        with httpx.Client(base_url=server.url, timeout=60) as client:
            health = {"json": {"action": "health"}}
            _latencies(client, "GET", "/ping", 50)
            idle = _latencies(client, "GET", "/ping", n)
            idle_health = _latencies(client, "POST", "/invocations", n, **health)
            body = b'{"prompt": "x", "stream": true, "tool_config": {"enabled": false}}'
            for _ in range(streams):
                sock = socket.create_connection(("127.0.0.1", server.port), timeout=120)
                sock.sendall(b"POST /invocations HTTP/1.1\r\nHost: agent\r\n"
                             b"Content-Type: application/json\r\nContent-Length: "
                             + str(len(body)).encode() + b"\r\n\r\n" + body)
                socks.append(sock)
            for sock in socks:  # every stream has its model call waiting
                seen = b""
                while b'"start"' not in seen:
                    seen += sock.recv(65536)
            loaded = _latencies(client, "GET", "/ping", n)
            loaded_health = _latencies(client, "POST", "/invocations", n, **health)
    finally:
        for sock in socks:
            sock.close()
        server.stop()
    return {"idle_p99_ms": _p99(idle) * 1000, "loaded_p99_ms": _p99(loaded) * 1000,
            "ratio": _p99(loaded) / _p99(idle),
            "idle_health_p99_ms": _p99(idle_health) * 1000,
            "loaded_health_p99_ms": _p99(loaded_health) * 1000, "streams": streams}


def _first_and_next(wait_for_warm_up: bool, warm_up: bool) -> tuple[float, float]:
    import httpx

    # The scripted model's own module is loaded before serving when the warm-up is measured:
    # the warm-up loads the real model clients, not this test model.
    mode = "answer-preloaded" if wait_for_warm_up else "answer"
    server = _Server(mode, AGENT_WARMUP="true" if warm_up else "false")
    try:
        if wait_for_warm_up:
            server.wait_log("Warm-up done")
        with httpx.Client(base_url=server.url, timeout=120) as client:
            client.get("/ping")  # the connection is open before anything is timed
            times = _latencies(client, "POST", "/invocations", 11, json={"prompt": "hi"})
            assert client.post("/invocations", json={"prompt": "hi"}).json()["status"] == \
                "success"
    finally:
        server.stop()
    return times[0], statistics.median(times[1:])


def bench_first_invocation(starts: int = 3) -> dict[str, float]:
    """First invocation vs the median of the next ten (seconds), three start-up variants;
    the medians over ``starts`` server starts of each variant."""
    out = {}
    for label, wait, warm in (("warm", True, True), ("at_ping", False, True),
                              ("no_warm_up", False, False)):
        runs = [_first_and_next(wait, warm) for _ in range(starts)]
        out[f"{label}_first_s"] = statistics.median(first for first, _ in runs)
        out[f"{label}_next_s"] = statistics.median(rest for _, rest in runs)
        out[f"{label}_ratio"] = statistics.median(first / rest for first, rest in runs)
    return out


def main() -> None:
    """Print all three figures and whether each meets its target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="cold starts per app (default 5)")
    args = parser.parse_args()
    cold = bench_cold_start(args.runs)
    health = bench_health()
    mapping = bench_mapping()
    ping = bench_ping_under_load()
    first = bench_first_invocation()
    print(f"cold start to healthy /ping: agent {cold['agent_s']:.3f} s, bare "
          f"{cold['bare_s']:.3f} s, ratio {cold['ratio']:.2f} (target <= 1.2)")
    print(f"health action p50 in-process: {health['health_p50_ms']:.2f} ms (target < 5 ms)")
    print(f"2,000 text deltas: raw strands stream {mapping['raw_stream_ms']:.1f} ms, "
          f"AgentProvider.stream {mapping['provider_stream_ms']:.1f} ms, overhead "
          f"{mapping['overhead_us_per_chunk']:.2f} us/chunk (target < 50 us)")
    print(f"mapper alone: {mapping['pure_mapper_us_per_event']:.2f} us/event over "
          f"{mapping['events']} strands events")
    print(f"/ping p99: idle {ping['idle_p99_ms']:.2f} ms, with {ping['streams']} SSE streams "
          f"waiting {ping['loaded_p99_ms']:.2f} ms, ratio {ping['ratio']:.2f} "
          f"(targets < 50 ms, <= 2x); health action p99 {ping['idle_health_p99_ms']:.2f} / "
          f"{ping['loaded_health_p99_ms']:.2f} ms")
    for label, text in (("warm", "after warm-up"), ("at_ping", "right after first /ping"),
                        ("no_warm_up", "warm-up off")):
        print(f"first invocation {text}: {first[label + '_first_s'] * 1000:.0f} ms vs next ten "
              f"median {first[label + '_next_s'] * 1000:.0f} ms, ratio "
              f"{first[label + '_ratio']:.2f}" + (" (target <= 1.5)" if label == "warm" else ""))


if __name__ == "__main__":
    main()
