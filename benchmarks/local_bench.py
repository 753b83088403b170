"""deploy --local and invoke --local figures (docs/benchmarks.md, issue 11).

Run from the repository root:  uv run python benchmarks/local_bench.py [--runs N] [--json]

Uses a temporary copy of the project (agent/, requirements-agentcore.txt, pyproject.toml) and
the user's venv cache (~/.cache/aibox-ops; built once, untimed, if missing).

1. Warm start: ``aibox-ops deploy --local --detach`` wall time (CLI start to healthy agent,
   health action included) against the baseline of starting the same agent by hand with the
   cached venv (``python -m agentcore_app --server``) to its first healthy /ping, alternated
   in the same run.
2. invoke overhead: time to first chunk of one streaming invocation (a scripted
   OpenAI-compatible model on 127.0.0.1, tools off) through a raw ``http.client`` request
   (the agent's own time to first chunk, baseline), through ``invoke_local`` (the library),
   and through a new ``aibox-ops --json invoke --url`` process (first stdout line).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aibox_ops.config import load_settings  # noqa: E402
from aibox_ops.invoke import invoke_local  # noqa: E402
from aibox_ops.local.process import agent_command, agent_env  # noqa: E402
from aibox_ops.local.venv import ensure_venv  # noqa: E402
from tests.local_helpers import free_port, wait_for  # noqa: E402
from tests.openai_peer import OpenAIPeer  # noqa: E402

CLI = [sys.executable, "-m", "aibox_ops"]
PAYLOAD = {"prompt": "hi", "stream": True, "model_id": "openai/local",
           "tool_config": {"enabled": False}}


def _project(root: Path) -> Path:
    project = root / "proj"
    project.mkdir()
    shutil.copytree(ROOT / "agent", project / "agent",
                    ignore=shutil.ignore_patterns("__pycache__", "logs", "tmp"))
    shutil.copy(ROOT / "requirements-agentcore.txt", project)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "bench"\nversion = "0"\n\n[tool.aibox-ops]\n'
        'agent_name = "bench"\n')
    return project


def _ping(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/ping")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def bench_warm_start(project: Path, env: dict, runs: int) -> dict:
    settings = load_settings(project)
    venv = ensure_venv(settings)  # builds once if the cache is cold (not timed)
    deploy, manual = [], []
    for _ in range(runs):
        port = free_port()
        started = time.perf_counter()
        done = subprocess.run([*CLI, "-C", str(project), "deploy", "--local", "--detach",
                               "--port", str(port)], env=env, capture_output=True, text=True)
        deploy.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        subprocess.run([*CLI, "-C", str(project), "destroy", "--local"], env=env,
                       capture_output=True, check=True)
        port = free_port()
        started = time.perf_counter()
        agent = subprocess.Popen(agent_command(venv.python, settings, port),
                                 cwd=settings.agent_dir, env={**env, **agent_env(settings)},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda p=port: _ping(p), 60, "the hand-started agent")
            manual.append(time.perf_counter() - started)
        finally:
            agent.terminate()
            agent.wait(10)
    d, m = statistics.median(deploy), statistics.median(manual)
    return {"deploy_local_s": round(d, 3), "manual_start_s": round(m, 3),
            "ratio": round(d / m, 2), "runs": runs}


def _raw_first_chunk(port: int) -> float:
    body = json.dumps(PAYLOAD).encode()
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/invocations", body=body,
                 headers={"Content-Type": "application/json",
                          "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": "b" * 40})
    response = conn.getresponse()
    response.read1(65536)  # the first SSE event
    first = time.perf_counter() - started
    response.read()
    conn.close()
    return first


def _library_first_chunk(url: str) -> float:
    started = time.perf_counter()
    chunks = invoke_local(url, PAYLOAD, session_id="b" * 40)
    next(chunks)
    first = time.perf_counter() - started
    for _ in chunks:
        pass
    return first


def _cli_first_chunk(url: str, env: dict) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen([*CLI, "--json", "invoke", "--url", url, "--payload",
                             json.dumps(PAYLOAD)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    proc.stdout.readline()
    first = time.perf_counter() - started
    proc.communicate()
    return first


def bench_invoke(project: Path, env: dict, runs: int) -> dict:
    port = free_port()
    subprocess.run([*CLI, "-C", str(project), "deploy", "--local", "--detach", "--port",
                    str(port)], env=env, capture_output=True, check=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(3):  # the agent imports strands and builds clients on first use
            _raw_first_chunk(port)
        raw, lib, cli = [], [], []
        for run in range(runs):
            # Alternate which of the two in-process measurements goes first.
            if run % 2:
                lib.append(_library_first_chunk(url))
                raw.append(_raw_first_chunk(port))
            else:
                raw.append(_raw_first_chunk(port))
                lib.append(_library_first_chunk(url))
            cli.append(_cli_first_chunk(url, env))
    finally:
        subprocess.run([*CLI, "-C", str(project), "destroy", "--local"], env=env,
                       capture_output=True)
    r, li, c = (statistics.median(x) * 1000 for x in (raw, lib, cli))
    return {"agent_first_chunk_ms": round(r, 1), "invoke_local_first_chunk_ms": round(li, 1),
            "library_overhead_ms": round(li - r, 1), "cli_first_chunk_ms": round(c, 1),
            "cli_overhead_ms": round(c - r, 1), "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, OpenAIPeer() as peer:
        project = _project(Path(tmp))
        env = {**os.environ, "OPENAI_BASE_URL": peer.url, "OPENAI_API_KEY": "sk-bench",
               "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1",
               "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
               "AWS_EC2_METADATA_DISABLED": "true"}
        results = {"warm_start": bench_warm_start(project, env, args.runs),
                   "invoke": bench_invoke(project, env, args.runs * 3)}
    if args.json:
        print(json.dumps(results, indent=2))
        return
    w, i = results["warm_start"], results["invoke"]
    print(f"deploy --local (warm cache) to healthy: {w['deploy_local_s']:.3f} s "
          f"(target < 3 s); agent started by hand: {w['manual_start_s']:.3f} s; "
          f"ratio {w['ratio']}x")
    print(f"time to first chunk: agent (raw http.client) {i['agent_first_chunk_ms']} ms, "
          f"invoke_local {i['invoke_local_first_chunk_ms']} ms "
          f"(+{i['library_overhead_ms']} ms; target < 50 ms), new CLI process "
          f"{i['cli_first_chunk_ms']} ms (+{i['cli_overhead_ms']} ms)")


if __name__ == "__main__":
    main()
