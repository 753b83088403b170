"""Deploy timings against moto with aibox-ops' own engine (no real AWS here).

    uv run --frozen python benchmarks/deploy_bench.py [--runs 5]

The container deployment type (the default), the bundled agent as the deploy tests' project
fixture builds it, moto with the tests' gaps filled and the tests' health peer
(benchmarks/deploy_world.py). Measures, in one run:
1. a first deploy in-process (``run_deploy``: a new runtime);
2. unchanged redeploys through the CLI (a subprocess each, as a user runs it): wall time,
   CPU time and the number of CodeBuild builds they started (must be 0); baseline:
   ``aibox-ops --json config`` (CLI start-up plus settings) measured the same way;
3. changed deploys (``force_build``) in-process: what aibox-ops spends outside the launch
   (its own AWS calls: roles, ECR, CodeBuild, runtime) and the AWS waits, the launch
   itself measured in the same deploys.
moto answers at once, so AWS waits are ~0 here: the overhead share is an upper bound (see
deploy_type_bench.py for the modelled waits).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from deploy_world import Timed, deploy, world  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    with world() as w:
        from moto_agentcore import builds

        project = w.project()
        first = split(deploy(project))
        changed = [split(deploy(project, force=True)) for _ in range(max(1, runs // 2))]
        before = builds()
        unchanged = [cli(project, "--json", "deploy", "--yes", "--no-warm") for _ in range(runs)]
        after = builds()
        config = [cli(project, "--json", "config") for _ in range(runs)]
    report(first, changed, unchanged, config, after - before)


def split(timed: Timed) -> dict:
    """Seconds in total, in the launch, in AWS waits and in AWS work of other phases."""
    phases = timed.phases
    waits = phases.get("wait", 0.0) + phases.get("health", 0.0)
    # Phases that are AWS work of their own (tables, IAM policies, schedules), not overhead.
    other = sum(phases.get(name, 0.0) for name in ("prerequisites", "iam", "warm"))
    launch = phases.get("launch", 0.0)
    return {"total": timed.total, "launch": launch, "waits": waits, "other": other,
            "overhead": timed.total - launch - waits - other, "phases": phases}


def cli(project: Path, *args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) for one CLI run."""
    import time

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "aibox_ops", "--project", str(project),
                             *args], capture_output=True, text=True, env=os.environ)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{args} failed: {result.stderr}")
    json.loads(result.stdout)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def report(first, changed, unchanged, config, builds_started) -> None:
    med = statistics.median
    total = med(c["total"] for c in changed)
    overhead = med(c["overhead"] for c in changed)
    launch = med(c["launch"] for c in changed)
    print("| measurement | median | notes |")
    print("| --- | ---: | --- |")
    wall, cpu = med(u[0] for u in unchanged), med(u[1] for u in unchanged)
    base_wall, base_cpu = med(c[0] for c in config), med(c[1] for c in config)
    print(f"| unchanged redeploy (CLI, subprocess) | {wall:.2f} s wall, {cpu:.2f} s CPU | "
          f"{len(unchanged)} runs, {builds_started} builds started; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs |")
    print(f"| baseline: `aibox-ops --json config` | {base_wall:.2f} s wall, {base_cpu:.2f} s "
          f"CPU | unchanged redeploy = {wall / base_wall:.1f}x wall, {cpu / base_cpu:.1f}x CPU |")
    print(f"| first deploy (in-process) | {first['total']:.2f} s | launch "
          f"{first['launch']:.2f} s, waits {first['waits']:.2f} s |")
    print(f"| changed deploy (in-process, --force-build) | {total:.2f} s | launch "
          f"{launch:.2f} s, waits {med(c['waits'] for c in changed):.2f} s, "
          f"{len(changed)} runs |")
    print(f"| provision + fix-iam + warm phases (AWS work of their own) | "
          f"{med(c['other'] for c in changed):.2f} s | |")
    print(f"| aibox-ops' own work outside the launch in a changed deploy | {overhead:.2f} s | "
          f"{100 * overhead / total:.0f}% of the deploy against moto |")
    print(f"| baseline: the launch phase of the same deploys | {launch:.2f} s | overhead / "
          f"launch = {100 * overhead / launch:.0f}% |")
    phases = changed[len(changed) // 2]["phases"]
    print("\nphases of a changed deploy (s): " + ", ".join(
        f"{name} {seconds:.2f}" for name, seconds in phases.items()))


if __name__ == "__main__":
    main()
