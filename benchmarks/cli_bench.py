"""CLI start-up and check timings, as ratios against a baseline measured in the same run.

Run from the repository root:  uv run python benchmarks/cli_bench.py [--runs N] [--json]

Targets (issue 2): `aibox-ops --help` <= 0.25x `agentcore --help`;
`render --check` and `sync-requirements --check` on this repo < 0.5 s each.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def wall_times(cmd: list[str], runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` executions (after one warm-up run)."""
    env = {**os.environ, "AGENTCORE_SUPPRESS_RECOMMENDATION": "1"}
    subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr.decode()}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args()

    ops, agentcore = str(BIN / "aibox-ops"), str(BIN / "agentcore")
    cases = {
        "agentcore --help (baseline)": [agentcore, "--help"],
        "aibox-ops --help": [ops, "--help"],
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "aibox-ops render --check": [ops, "render", "--check"],
        "aibox-ops sync-requirements --check": [ops, "sync-requirements", "--check"],
    }
    medians = {name: statistics.median(wall_times(cmd, args.runs)) for name, cmd in cases.items()}
    baseline = medians["agentcore --help (baseline)"]
    results = {
        "runs": args.runs,
        "median_seconds": {k: round(v, 4) for k, v in medians.items()},
        "help_ratio_vs_agentcore": round(medians["aibox-ops --help"] / baseline, 3),
        "targets": {
            "help_ratio <= 0.25": medians["aibox-ops --help"] / baseline <= 0.25,
            "render --check < 0.5 s": medians["aibox-ops render --check"] < 0.5,
            "sync-requirements --check < 0.5 s":
                medians["aibox-ops sync-requirements --check"] < 0.5,
        },
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, value in medians.items():
        print(f"{name:40s} {value * 1000:8.1f} ms")
    print(f"{'help ratio vs agentcore --help':40s} {results['help_ratio_vs_agentcore']:8.3f}x")
    for target, met in results["targets"].items():
        print(f"  {'met ' if met else 'MISS'} {target}")


if __name__ == "__main__":
    main()
