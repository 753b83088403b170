"""Deploy timings against moto with the real starter toolkit (no real AWS here).

    uv run --frozen python benchmarks/deploy_bench.py [--runs 5]

Measures, in one run:
1. unchanged redeploy through the CLI (subprocess, as a user runs it): wall time and the
   number of CodeBuild builds it started (must be 0); baseline: `aibox-ops --json config`
   (CLI start-up plus settings) measured the same way;
2. a changed deploy (`force_build`) in-process: what aibox-ops adds on top of the toolkit
   launch and the AWS waits, against a bare `launch_bedrock_agentcore` on the same staged
   config (the guide's `agentcore launch`), measured in the same run.
moto answers at once, so AWS waits are ~0 here: the overhead ratio is an upper bound.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests" / "deploy")]

ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
       "AWS_DEFAULT_REGION": "ap-southeast-1", "AWS_REGION": "ap-southeast-1",
       "AWS_MAX_ATTEMPTS": "1", "AWS_EC2_METADATA_DISABLED": "true",
       "AGENTCORE_SUPPRESS_RECOMMENDATION": "1"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    home = Path(tempfile.mkdtemp())
    os.environ.update(ENV, AWS_ENDPOINT_URL=url, BEDROCK_AGENTCORE_CP_ENDPOINT=url,
                      BEDROCK_AGENTCORE_DP_ENDPOINT=url,
                      AWS_CONFIG_FILE=str(home / "c"), AWS_SHARED_CREDENTIALS_FILE=str(home / "k"))
    from moto_agentcore import AgentCoreMoto, builds, gap_fillers
    from runtime_peer import RuntimePeer

    for target, name, value in gap_fillers(AgentCoreMoto(), url):
        setattr(target, name, value)
    project = home / "proj"
    project.mkdir()
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(REPO / name, project / name)
    shutil.copytree(REPO / "agent", project / "agent",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "logs"))
    with RuntimePeer() as peer:
        os.environ["AWS_ENDPOINT_URL_BEDROCK_AGENTCORE"] = peer.url
        first = deploy_in_process(project, force=False)
        # The bare launches change the runtime's image behind aibox-ops' back, so they run
        # first; the next deploy notices and rebuilds.
        bare = [bare_toolkit_launch(project) for _ in range(max(1, runs // 2))]
        changed = [deploy_in_process(project, force=True) for _ in range(max(1, runs // 2))]
        before = builds()
        unchanged = [cli(project, "--json", "deploy", "--yes", "--no-warm") for _ in range(runs)]
        after = builds()
        config = [cli(project, "--json", "config") for _ in range(runs)]
    server.stop()
    report(first, changed, bare, unchanged, config, after - before)


def deploy_in_process(project: Path, force: bool) -> dict[str, float]:
    """One deploy; seconds in total, in the toolkit launch, and in AWS waits."""
    from aibox_ops.aws import open_session
    from aibox_ops.config import load_settings
    from aibox_ops.deploy import DeployOptions, run_deploy, toolkit

    spent = {"toolkit": 0.0}
    real = toolkit.launch

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent["toolkit"] += time.perf_counter() - started

    toolkit.launch = timed
    try:
        settings = load_settings(project, environ={})
        started = time.perf_counter()
        report = run_deploy(open_session(settings.region), settings,
                            DeployOptions(force_build=force, no_warm=True, timeout=30, poll=0.2))
        total = time.perf_counter() - started
    finally:
        toolkit.launch = real
    phases = {p.name: p.seconds for p in report.phases}
    waits = phases.get("wait", 0.0) + phases.get("health", 0.0)
    # Phases that are AWS work of their own (tables, IAM policies, schedules), not overhead.
    other = sum(phases.get(name, 0.0) for name in ("prerequisites", "iam", "warm"))
    return {"total": total, "toolkit": spent["toolkit"], "waits": waits, "other": other,
            "overhead": total - spent["toolkit"] - waits - other, "phases": phases}


def bare_toolkit_launch(project: Path) -> float:
    """The toolkit alone on the same staged config (what `agentcore launch` does)."""
    from aibox_ops.config import load_settings
    from aibox_ops.deploy import toolkit
    from aibox_ops.deploy.yaml_state import toolkit_config_path

    settings = load_settings(project, environ={})
    with toolkit._quiet(lambda _line: None):
        from bedrock_agentcore_starter_toolkit.operations.runtime import (
            launch_bedrock_agentcore,
        )

        started = time.perf_counter()
        launch_bedrock_agentcore(toolkit_config_path(settings), agent_name=settings.agent_name,
                                 env_vars=dict(settings.container_env))
        return time.perf_counter() - started


def cli(project: Path, *args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) for one CLI run."""
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


def report(first, changed, bare, unchanged, config, builds_started) -> None:
    med = statistics.median
    total = med(c["total"] for c in changed)
    overhead = med(c["overhead"] for c in changed)
    print("| measurement | median | notes |")
    print("| --- | ---: | --- |")
    wall, cpu = med(u[0] for u in unchanged), med(u[1] for u in unchanged)
    base_wall, base_cpu = med(c[0] for c in config), med(c[1] for c in config)
    print(f"| unchanged redeploy (CLI, subprocess) | {wall:.2f} s wall, {cpu:.2f} s CPU | "
          f"{len(unchanged)} runs, {builds_started} builds started; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs |")
    print(f"| baseline: `aibox-ops --json config` | {base_wall:.2f} s wall, {base_cpu:.2f} s "
          f"CPU | unchanged redeploy = {wall / base_wall:.1f}x wall, {cpu / base_cpu:.1f}x CPU |")
    print(f"| first deploy (in-process) | {first['total']:.2f} s | toolkit "
          f"{first['toolkit']:.2f} s, waits {first['waits']:.2f} s |")
    print(f"| changed deploy (in-process, --force-build) | {total:.2f} s | toolkit "
          f"{med(c['toolkit'] for c in changed):.2f} s, waits "
          f"{med(c['waits'] for c in changed):.2f} s |")
    print(f"| provision + fix-iam + warm phases (AWS work of their own) | "
          f"{med(c['other'] for c in changed):.2f} s | |")
    print(f"| aibox-ops own work in a changed deploy | {overhead:.2f} s | "
          f"{100 * overhead / total:.0f}% of the deploy against moto |")
    print(f"| baseline: bare toolkit launch, same config | {med(bare):.2f} s | overhead / "
          f"bare launch = {100 * overhead / med(bare):.0f}% |")
    phases = changed[len(changed) // 2]["phases"]
    print("\nphases of a changed deploy (s): " + ", ".join(
        f"{name} {seconds:.2f}" for name, seconds in phases.items()))


if __name__ == "__main__":
    main()
