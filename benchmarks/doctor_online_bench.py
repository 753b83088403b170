"""``doctor`` online against a local moto server: requests per run (each resource read
once) and wall time with the checks run one at a time vs concurrently, same run.

Run from the repository root:
    uv run python benchmarks/doctor_online_bench.py [--runs N] [--rtt-ms 50] [--json]

Every request passes a local proxy that adds ``--rtt-ms`` (a network round trip to AWS;
moto on loopback answers in about a millisecond, which would hide what concurrency buys).

The world: the toolkit-style execution role (no data access), a deployed runtime with a
DEFAULT endpoint (served by the tests' local control-plane peer: moto lacks it), two tables,
two secrets, the runtime's and CodeBuild's log groups with a few events.
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
import time
import urllib.request
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
       "AWS_SESSION_TOKEN": "testing", "AWS_REGION": "ap-southeast-1",
       "AWS_DEFAULT_REGION": "ap-southeast-1", "AWS_MAX_ATTEMPTS": "1",
       "AWS_EC2_METADATA_DISABLED": "true"}


def build_world(url: str, root: Path, peer) -> None:
    """Resources in moto, and the project recording the deployment."""
    from tests.conftest import AwsEndpoint
    from tests.doctor_support import healthy_project
    from tests.test_doctor_iam import resources
    from tests.test_doctor_live import deploy, put_logs, ready_endpoint

    aws = AwsEndpoint(url=url)
    healthy_project(root, tool="[tool.aibox-ops.warm]\nenabled = true\n")
    resources(aws)
    runtime_id, _ = deploy(aws, root)
    ready_endpoint(peer, runtime_id)
    put_logs(aws, f"/aws/bedrock-agentcore/runtimes/{runtime_id}-DEFAULT",
             ["ModuleNotFoundError: No module named 'dotenv'", "ok"] * 5)
    put_logs(aws, "/aws/codebuild/bedrock-agentcore-my_aibox_agent-builder", ["build ok"])


def one_run(root: Path, workers: int) -> tuple[float, Counter]:
    """A full online doctor run (logs on) through the library; (seconds, requests)."""
    from aibox_ops.aws import open_session
    from aibox_ops.config import load_settings
    from aibox_ops.doctor import DoctorContext, run_checks, runner

    settings = load_settings(root, environ={})
    session = open_session(settings.region)
    requests: Counter = Counter()

    def count(model, **_kwargs) -> None:
        requests[f"{model.service_model.service_name}:{model.name}"] += 1

    session.session.events.register("before-call", count)
    runner.WORKERS = workers
    start = time.perf_counter()
    run_checks(DoctorContext(settings, session=session, offline=False, logs=True))
    return time.perf_counter() - start, requests


def start_moto() -> tuple[subprocess.Popen, str]:
    """``moto_server`` on a free loopback port; waits (bounded) until it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H",
                             "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("moto_server did not start within 30 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--rtt-ms", type=float, default=50.0,
                        help="simulated round trip added to every request (default 50 ms)")
    args = parser.parse_args()
    from tests.doctor_peer import ControlPlanePeer

    # moto in its own process: an in-process server would share the GIL with the checks'
    # threads, which real AWS does not.
    server, url = start_moto()
    os.environ.update(ENV, AWS_ENDPOINT_URL=url)
    try:
        with ControlPlanePeer(url) as peer, tempfile.TemporaryDirectory() as tmp:
            os.environ["AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL"] = peer.url
            root = Path(tmp) / "p"
            build_world(url, root, peer)
            # Every request of the runs goes through the peer, which adds a round trip.
            os.environ["AWS_ENDPOINT_URL"] = peer.url
            peer.delay_s = args.rtt_ms / 1000
            one_run(root, 8)  # warm-up (imports, service models)
            timings = {w: [one_run(root, w)[0] for _ in range(args.runs)] for w in (1, 8)}
            _, requests = one_run(root, 8)
    finally:
        server.terminate()
        server.wait(timeout=10)
    medians = {w: statistics.median(t) for w, t in timings.items()}
    result = {"runs": args.runs, "rtt_ms": args.rtt_ms,
              "load_average_1m": round(os.getloadavg()[0], 2),
              "sequential_s": round(medians[1], 3), "concurrent_s": round(medians[8], 3),
              "concurrent_vs_sequential": round(medians[8] / medians[1], 3),
              "requests": dict(sorted(requests.items())),
              "requests_total": sum(requests.values()),
              "max_reads_of_one_operation": max(requests.values())}
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
