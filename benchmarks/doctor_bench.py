"""``aibox-ops doctor --offline`` on this repository: wall time against baselines measured
in the same run.

Run from the repository root:  uv run python benchmarks/doctor_bench.py [--runs N] [--json]

Target (issue 9): `doctor --offline` under 1 s wall. Baselines: `aibox-ops --help` (CLI
start-up) and `render --check` + `sync-requirements --check` run one after the other (the two
plans doctor reuses), so the ratio shows what the other 14 checks and the report add.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def wall_times(cmds: list[list[str]], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user+sys of the children) seconds of running ``cmds`` in sequence,
    ``runs`` times (after a warm-up). CPU time moves less than wall time when other work
    shares the machine."""
    # As installed for a user: bytecode is cached after the warm-up run (a shell exporting
    # PYTHONDONTWRITEBYTECODE would recompile every aibox_ops module on every run).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["AGENTCORE_SUPPRESS_RECOMMENDATION"] = "1"
    for cmd in cmds:
        subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, check=False)
    times, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        for cmd in cmds:
            proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, check=False)
            if proc.returncode not in (0, 1):
                raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n"
                                 f"{proc.stderr.decode()}")
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return times, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    args = parser.parse_args()

    ops = str(BIN / "aibox-ops")
    cases = {
        "aibox-ops --help (start-up)": [[ops, "--help"]],
        "render --check + sync-requirements --check": [[ops, "render", "--check"],
                                                       [ops, "sync-requirements", "--check"]],
        "aibox-ops doctor --offline": [[ops, "doctor", "--offline"]],
        "aibox-ops --json doctor --offline": [[ops, "--json", "doctor", "--offline"]],
    }
    measured = {name: wall_times(cmds, args.runs) for name, cmds in cases.items()}
    medians = {name: statistics.median(wall) for name, (wall, _) in measured.items()}
    cpu = {name: statistics.median(c) for name, (_, c) in measured.items()}
    doctor = medians["aibox-ops doctor --offline"]
    results = {
        "runs": args.runs,
        "median_seconds": {k: round(v, 4) for k, v in medians.items()},
        "median_cpu_seconds": {k: round(v, 4) for k, v in cpu.items()},
        "load_average_1m": round(os.getloadavg()[0], 2),
        "ratio_vs_render_plus_sync": round(
            doctor / medians["render --check + sync-requirements --check"], 3),
        "ratio_vs_help": round(doctor / medians["aibox-ops --help (start-up)"], 2),
        "targets": {"doctor --offline < 1 s": doctor < 1.0},
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"load average (1 min): {results['load_average_1m']}")
    for name, value in medians.items():
        print(f"{name:<45} {value * 1000:8.1f} ms wall  {cpu[name] * 1000:8.1f} ms cpu")
    print(f"doctor / (render --check + sync --check)    {results['ratio_vs_render_plus_sync']}x")
    print(f"doctor / --help                              {results['ratio_vs_help']}x")
    for target, ok in results["targets"].items():
        print(f"{'PASS' if ok else 'FAIL'}  {target}")


if __name__ == "__main__":
    main()
