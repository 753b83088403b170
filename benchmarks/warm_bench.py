"""warm figures (docs/benchmarks.md, "Warm-up pings").

Run from the repository root:  uv run python benchmarks/warm_bench.py [--runs N] [--delay-ms D]

1. Pinging a pool of 50 sessions against one ping, through the real client path
   (``runtime_sender`` -> ``invoke_runtime`` -> boto3 SigV4 InvokeAgentRuntime), sent to a
   local peer on 127.0.0.1 that answers like AgentCore after ``--delay-ms`` (default 150 ms,
   standing in for the network and the service: there is no AWS account here). Target: the
   pool takes under 2x one ping. The same against the real agent under uvicorn (no delay)
   is printed too: there the work is all local CPU, so it shows the client's own overhead.
2. ``warm schedule`` on an unchanged pool against the moto server: write calls counted
   (target: 0), and the time of planning an unchanged pool against the first apply.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNTIME = "arn:aws:bedrock-agentcore:ap-southeast-1:123456789012:runtime/my_aibox_agent-AbC123"


class SlowPeer:
    """Answers every InvokeAgentRuntime with the agent's health body after ``delay`` s."""

    def __init__(self, delay: float) -> None:
        started = time.time()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # headers and body go out in two writes: without this, Nagle's algorithm
                # and the client's delayed ACK add ~40 ms to every answer
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(delay)
                body = json.dumps({"status": "healthy", "service": "myaibox-agent",
                                   "uptime_seconds": time.time() - started}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        ThreadingHTTPServer.request_queue_size = 128
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


def fake_aws_env(endpoint: str) -> None:
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[key]
    os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
                      AWS_ENDPOINT_URL=endpoint, AWS_MAX_ATTEMPTS="1",
                      AWS_EC2_METADATA_DISABLED="true",
                      AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)


def time_pings(send, runs: int) -> tuple[float, float, int]:
    """(median one ping, median pool of 50, failures) in seconds."""
    from aibox_ops.invoke import new_session_id
    from aibox_ops.warm.ping import ping

    ping(send, [new_session_id() for _ in range(50)])  # warm up connections and imports
    one, pool, failed = [], [], 0
    for _ in range(runs):
        start = time.perf_counter()
        failed += sum(not r.ok for r in ping(send, [new_session_id()]))
        one.append(time.perf_counter() - start)
        ids = [new_session_id() for _ in range(50)]
        start = time.perf_counter()
        failed += sum(not r.ok for r in ping(send, ids))
        pool.append(time.perf_counter() - start)
    return statistics.median(one), statistics.median(pool), failed


def bench_runtime_pool(runs: int, delay_ms: float) -> dict:
    from aibox_ops.aws import open_session
    from aibox_ops.warm.ping import runtime_sender

    peer = SlowPeer(delay_ms / 1000)
    fake_aws_env(peer.url)
    send = runtime_sender(open_session("ap-southeast-1"), RUNTIME)
    one, pool, failed = time_pings(send, runs)
    return {"one_ping_s": one, "pool_50_s": pool, "ratio": pool / one, "failed": failed,
            "delay_ms": delay_ms}


def bench_local_pool(runs: int) -> dict:
    from aibox_ops.warm.ping import local_sender

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "LOG_TO_FILE": "false"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "agentcore_app:app", "--app-dir",
                             str(ROOT / "agent"), "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(400):
            try:
                urllib.request.urlopen(f"{url}/ping", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        one, pool, failed = time_pings(local_sender(url), runs)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return {"one_ping_s": one, "pool_50_s": pool, "ratio": pool / one, "failed": failed}


def bench_schedule(runs: int) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from helpers import make_project
    from moto.server import ThreadedMotoServer

    from aibox_ops.aws import open_session
    from aibox_ops.config import load_settings
    from aibox_ops.warm import apply_schedules, plan_schedules
    from aibox_ops.warm.quota import SessionQuota

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    fake_aws_env(f"http://{host}:{port}")
    try:
        session = open_session("ap-southeast-1")
        session.client("bedrock-agentcore-control").create_agent_runtime(
            agentRuntimeName="my_aibox_agent",
            agentRuntimeArtifact={"containerConfiguration": {"containerUri": "1.dkr.ecr/x:1"}},
            roleArn="arn:aws:iam::123456789012:role/exec",
            networkConfiguration={"networkMode": "PUBLIC"})
        writes: list[str] = []
        for service in ("scheduler", "iam"):
            session.client(service).meta.events.register(
                "before-call.*.*", lambda model, **_: writes.append(model.name)
                if not model.name.startswith(("Get", "List")) else None)
        quota = SessionQuota(None, None, "bench")
        with tempfile.TemporaryDirectory() as tmp:
            project = make_project(Path(tmp) / "p", "[tool.aibox-ops.warm]\nenabled = true\n"
                                   "sessions = 50\n")
            settings = load_settings(project)
            start = time.perf_counter()
            apply_schedules(session, plan_schedules(session, settings, quota=quota))
            first = time.perf_counter() - start
            first_writes = len(writes)
            again = []
            for _ in range(runs):
                writes.clear()
                start = time.perf_counter()
                apply_schedules(session, plan_schedules(session, settings, quota=quota))
                again.append(time.perf_counter() - start)
                assert not writes, writes
        return {"first_apply_s": first, "first_writes": first_writes,
                "unchanged_s": statistics.median(again), "unchanged_writes": 0}
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--delay-ms", type=float, default=150.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    figures = {"runtime_pool": bench_runtime_pool(args.runs, args.delay_ms),
               "local_pool": bench_local_pool(args.runs),
               "schedule": bench_schedule(args.runs)}
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    r, loc, s = figures["runtime_pool"], figures["local_pool"], figures["schedule"]
    print(f"runtime path, peer delay {r['delay_ms']:.0f} ms: one ping {r['one_ping_s']*1000:.1f}"
          f" ms, pool of 50 {r['pool_50_s']*1000:.1f} ms, ratio {r['ratio']:.2f}x "
          f"(target < 2x), failures {r['failed']}")
    print(f"local agent (uvicorn): one ping {loc['one_ping_s']*1000:.1f} ms, pool of 50 "
          f"{loc['pool_50_s']*1000:.1f} ms, ratio {loc['ratio']:.2f}x, failures {loc['failed']}")
    print(f"schedule, pool of 50: first apply {s['first_apply_s']*1000:.0f} ms with "
          f"{s['first_writes']} write calls; unchanged {s['unchanged_s']*1000:.0f} ms with "
          f"{s['unchanged_writes']} write calls (target 0)")


if __name__ == "__main__":
    main()
