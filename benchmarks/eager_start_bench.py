"""Eager start (AGENT_EAGER_START=1, for AgentCore's snapshot start) vs the default
background warm-up: time to a first answer (docs/benchmarks.md, issue 19).

Run from the repository root:  uv run python benchmarks/eager_start_bench.py [--starts N]

Each start runs ``tests/agent/agent_server_main.py answer-preloaded`` (the real agent, a
scripted model answering at once, every default tool enabled) and, from process start:

* ``ping``: the first healthy ``/ping``;
* ``answer``: the first invocation's answer, sent the moment ``/ping`` answered;
* ``first``: that invocation alone (ping → answer): what a session restored from a snapshot
  taken at its first ``/ping`` pays, since the snapshot holds what was loaded by then.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from agent_bench import RUNNER, _free_port  # noqa: E402


def _post(url: str, payload: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(payload).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as reply:
        return json.load(reply)


def one_start(eager: bool) -> dict[str, float]:
    """Seconds from process start to the first /ping and to the first answer."""
    port = _free_port()
    env = {**os.environ, "LOG_TO_FILE": "false", "AGENT_WARMUP": "true",
           "AGENT_EAGER_START": "1" if eager else "0"}
    for key in ("DOCKER_CONTAINER", "AWS_EXECUTION_ENV"):
        env.pop(key, None)
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(RUNNER), str(port), "answer-preloaded"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if time.perf_counter() - started > 180:
                raise RuntimeError("agent server never became healthy")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=1) as r:
                    if b"Healthy" in r.read():
                        break
            except OSError:
                time.sleep(0.005)
        ping = time.perf_counter() - started
        body = _post(f"http://127.0.0.1:{port}/invocations", {"prompt": "hi"})
        answer = time.perf_counter() - started
        if body.get("status") != "success":
            raise RuntimeError(f"first invocation failed: {body.get('error')}")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {"ping": ping, "answer": answer, "first": answer - ping}


def main() -> None:
    """Alternate the two modes ``--starts`` times each; print medians and ranges."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3, help="starts per mode (default 3)")
    args = parser.parse_args()
    runs: dict[str, list[dict[str, float]]] = {"default": [], "eager": []}
    for _ in range(args.starts):
        for mode in runs:
            runs[mode].append(one_start(mode == "eager"))
    for mode, samples in runs.items():
        parts = []
        for key, label in (("ping", "start->/ping"), ("answer", "start->first answer"),
                           ("first", "first invocation (/ping->answer)")):
            values = [s[key] for s in samples]
            parts.append(f"{label} {statistics.median(values):.2f} s "
                         f"({min(values):.2f}-{max(values):.2f})")
        print(f"{mode:7s}: " + "; ".join(parts))


if __name__ == "__main__":
    main()
